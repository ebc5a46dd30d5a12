// The file list (one row per file with progress and counts), the summary counters and the
// diagnostics list.

import { el, replace } from '../dom.js';
import { bytes, count, int } from '../format.js';

/**
 * @param {{list: HTMLElement, onCancel: (key: string) => void}} opts
 */
export function createFileList({ list, onCancel }) {
  const rows = new Map();

  function add(key, name, size) {
    if (rows.has(key)) return;
    const progress = el('progress', { testid: 'file-progress', max: String(Math.max(size, 1)), value: '0' });
    const status = el('span', { class: 'file-status', text: 'waiting' });
    const cancel = el('button', {
      type: 'button',
      class: 'button small',
      testid: 'cancel-button',
      text: 'Cancel',
      'aria-label': `Stop reading ${name}`,
      onclick: () => onCancel(key),
    });
    const number = (testid) => el('span', { class: 'num', testid, text: '0' });
    const events = number('file-events');
    const duplicates = number('file-duplicates');
    const errors = number('file-errors');
    const format = el('span', { class: 'file-format', testid: 'file-format', text: 'reading…' });
    const row = el(
      'li',
      { class: 'file-row busy', testid: 'file-row' },
      el('div', { class: 'file-main' }, el('span', { class: 'file-name', testid: 'file-name', text: name, title: name }), format),
      el('div', { class: 'file-progress' }, progress, status),
      el('div', { class: 'file-counts' }, el('span', {}, events, ' events'), el('span', {}, duplicates, ' duplicates'), el('span', {}, errors, ' errors')),
      el('div', { class: 'file-action' }, cancel),
    );
    list.append(row);
    rows.set(key, { row, progress, status, cancel, events, duplicates, errors, format, size });
  }

  function progress(key, done, size) {
    const r = rows.get(key);
    if (!r) return;
    r.progress.max = Math.max(size, 1);
    r.progress.value = done;
    r.status.textContent = `${bytes(done)} of ${bytes(size)}`;
  }

  function start(key) {
    const r = rows.get(key);
    if (r) r.status.textContent = 'reading';
  }

  function done(key, { summary, done: read, size, parts, cancelled, error }) {
    const r = rows.get(key);
    if (!r) return;
    // Full when read to the end, also for an empty file (max 1, as there is no 0 of 0).
    r.progress.max = Math.max(size, 1);
    r.progress.value = cancelled ? read : r.progress.max;
    r.events.textContent = int(summary.events);
    r.duplicates.textContent = int(summary.duplicates);
    r.errors.textContent = int(summary.errors);
    r.format.textContent = summary.format;
    r.status.textContent = error
      ? error
      : cancelled
        ? `cancelled after ${bytes(read)} of ${bytes(size)}; what was read is kept`
        : `${bytes(size)} read${parts > 1 ? ` in ${parts} parts at once` : ''}, ${count(summary.records)} records`;
    r.row.classList.remove('busy');
    r.row.classList.toggle('cancelled', Boolean(cancelled));
    r.row.classList.toggle('has-errors', summary.errors > 0 || Boolean(error));
    r.cancel.remove();
  }

  function failed(key, message) {
    const r = rows.get(key);
    if (!r) return;
    r.status.textContent = message;
    r.format.textContent = 'not read';
    r.row.classList.remove('busy');
    r.row.classList.add('has-errors');
    r.cancel.remove();
  }

  /** The file is to be read again, into a new core (engine.js `replaced`). */
  function again(key) {
    const r = rows.get(key);
    if (!r) return;
    r.progress.value = 0;
    r.status.textContent = 'to be read again into a new core';
    r.row.classList.add('busy');
    r.row.classList.remove('cancelled', 'has-errors');
  }

  return { add, progress, start, done, failed, again };
}

/** The three summary counters. */
export function renderSummary(summary) {
  document.getElementById('summary-events').textContent = int(summary.events);
  document.getElementById('summary-duplicates').textContent = int(summary.duplicates);
  document.getElementById('summary-diagnostics').textContent = int(summary.diagnostics);
}

/** The wasm core's memory, reported by the worker with each finished file. */
export function renderMemory(bytes) {
  document.getElementById('summary-memory').textContent = `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/**
 * The diagnostics list: file, line and message of each record that could not be read, and of each
 * note on a record that was (an impossible time, an undocumented MFA level, a reused id...).
 */
export function renderDiagnostics(diagnostics, summary) {
  const head = document.getElementById('diagnostics-summary');
  const list = document.getElementById('diagnostics-rows');
  const total = summary.diagnostics;
  const unread = summary.files.reduce((n, f) => n + f.errors, 0);
  head.textContent =
    total === 0
      ? 'Diagnostics: none, every record was read'
      : `Diagnostics: ${count(total)} (${count(unread)} record${unread === 1 ? '' : 's'} could not be read)`;
  const files = summary.files;
  const items = diagnostics.map((d) =>
    el(
      'li',
      { class: 'diagnostic-row', testid: 'diagnostic-row' },
      el('span', { class: 'diag-file', text: files[d.file]?.name ?? `file ${d.file}` }),
      el('span', { class: 'diag-line', text: d.line ? `line ${d.line}` : 'whole file' }),
      el('span', { class: 'diag-message', text: d.message }),
    ),
  );
  if (total > diagnostics.length) {
    items.push(el('li', { class: 'diag-more', text: `${count(total - diagnostics.length)} more not listed here` }));
  }
  replace(list, ...items);
  document.getElementById('diagnostics-list').classList.toggle('has-diagnostics', total > 0);
}
