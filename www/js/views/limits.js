// The Limits control (largest record, events kept, memory for them), the check before reading
// (will the files fit?) with its offer (only MFA-relevant events, a time range, or up to the cap), and the notes
// on what a subset or a cap left out of each file.

import { el, replace } from '../dom.js';
import { bytes, count } from '../format.js';
import { DEFAULT_MAX_EVENTS, WASM_MAX_BYTES, estimate, misfit } from '../limits.js';

const $ = (id) => document.getElementById(id);
const DAY = 86_400_000;

/** An estimate for people: two significant digits (10,001 -> 10,000). */
const about = (n) => count(Number(n.toPrecision(2)));

/** A positive whole number from an input, or `fallback`. */
function whole(input, fallback) {
  const v = Math.floor(Number(input.value));
  return Number.isFinite(v) && v >= 1 ? v : fallback;
}

export function createLimits() {
  const recordInput = $('limit-record-mb');
  const eventsInput = $('limit-events');
  const memoryInput = $('limit-memory-mb');
  let defaultRecordBytes = 64 * 2 ** 20;
  /** The core's default memory cap (null: none), until it is known none. */
  let defaultMemoryBytes = null;
  recordInput.value = String(defaultRecordBytes / 2 ** 20);
  eventsInput.value = String(DEFAULT_MAX_EVENTS);

  /** The memory cap in bytes: null when the input is empty, the default when it holds no whole MB. */
  function memoryCap() {
    if (memoryInput.value.trim() === '') return null;
    const mb = Math.floor(Number(memoryInput.value));
    return Number.isFinite(mb) && mb >= 1 ? mb * 2 ** 20 : defaultMemoryBytes;
  }

  /** The caps the next files are read with; `max_memory_bytes` null for no memory cap. */
  function caps() {
    return {
      max_record_bytes: whole(recordInput, defaultRecordBytes / 2 ** 20) * 2 ** 20,
      max_events: whole(eventsInput, DEFAULT_MAX_EVENTS),
      max_memory_bytes: memoryCap(),
    };
  }

  function renderSummary() {
    const c = caps();
    const memory = c.max_memory_bytes == null ? 'no memory cap' : `at most ${bytes(c.max_memory_bytes)} of memory for them`;
    $('limits-summary').textContent = `Limits: records up to ${bytes(c.max_record_bytes)}, at most ${count(c.max_events)} events kept, ${memory}`;
  }
  recordInput.addEventListener('change', renderSummary);
  eventsInput.addEventListener('change', renderSummary);
  memoryInput.addEventListener('change', renderSummary);
  renderSummary();

  /** Takes the core's default record size and memory caps. */
  function setDefaults(defaults) {
    defaultRecordBytes = defaults.max_record_bytes;
    recordInput.value = String(defaultRecordBytes / 2 ** 20);
    defaultMemoryBytes = defaults.max_memory_bytes ?? null;
    memoryInput.value = defaultMemoryBytes == null ? '' : String(Math.round(defaultMemoryBytes / 2 ** 20));
    renderSummary();
  }

  let pending = null;
  const offer = $('fit-offer');
  const close = (choice) => {
    offer.hidden = true;
    const p = pending;
    pending = null;
    if (p) p(choice);
  };
  const utcDay = (input) => (input.value ? Date.parse(`${input.value}T00:00:00Z`) : null);
  $('fit-mfa').addEventListener('click', () => close({ mfa_only: true }));
  $('fit-anyway').addEventListener('click', () => close({}));
  $('fit-cancel').addEventListener('click', () => close(null));
  $('fit-range').addEventListener('click', () => {
    const from = utcDay($('fit-from'));
    const last = utcDay($('fit-to'));
    if (from == null && last == null) {
      $('fit-range-error').textContent = 'Pick a first day, a last day, or both.';
      return;
    }
    if (from != null && last != null && last < from) {
      $('fit-range-error').textContent = 'The last day is before the first.';
      return;
    }
    close({ from, to: last == null ? null : last + DAY });
  });

  /** Shows the offer; resolves with the subset chosen (`{}` for up to the cap), or null. */
  function ask(guess, reasons, limits, kept) {
    if (pending) close(null);
    const room = Math.max(0, limits.max_events - kept);
    const sentences = [
      `These files hold about ${bytes(guess.text)} of text${guess.gzip ? ' (gzip sizes from their trailers)' : ''}: about ${about(guess.events)} events.`,
    ];
    if (reasons.includes('cap')) {
      sentences.push(
        kept
          ? `${count(kept)} events are already open and at most ${count(limits.max_events)} are kept (Limits), so about ${about(guess.events - room)} would not be.`
          : `At most ${count(limits.max_events)} events are kept (Limits), so about ${about(guess.events - room)} would not be.`,
      );
    }
    if (reasons.includes('memory')) {
      sentences.push(`Keeping that many would need more than the ${bytes(WASM_MAX_BYTES)} this tab can hold.`);
    }
    sentences.push('Read a subset, or up to the cap?');
    $('fit-text').textContent = sentences.join(' ');
    $('fit-range-error').textContent = '';
    offer.hidden = false;
    $('fit-mfa').focus();
    return new Promise((resolve) => {
      pending = resolve;
    });
  }

  /**
   * Estimates whether `files` fit next to the `kept` events already open; when they may not,
   * offers a subset, the wait for the reader's answer wrapped by `waiting` (the page is not busy
   * then). Resolves with the options to read them with, or null to read nothing. A file whose size
   * cannot be estimated is read, and its read says what is wrong with it.
   */
  async function check(files, kept, waiting) {
    const limits = caps();
    const guess = await estimate(files).catch(() => null);
    const reasons = guess ? misfit(guess, limits, kept) : [];
    if (!reasons.length) return limits;
    const keep = await waiting(ask(guess, reasons, limits, kept));
    return keep ? { ...limits, keep } : null;
  }

  return { caps, check, setDefaults };
}

/** One line per file a subset or a cap left something out of: what and how to change it. */
export function renderLimitNotes(summary) {
  const notes = summary.files.filter((f) => f.note);
  replace(
    $('limit-notes'),
    ...notes.map((f) =>
      el(
        'li',
        { class: 'limit-note', testid: 'limit-note' },
        el('span', { class: 'limit-file', text: f.name }),
        el('span', { class: 'limit-text', text: f.note }),
      ),
    ),
  );
}
