// The printable report: the same sections and tables as `authtrail report --html` (see
// crates/authtrail-cli/src/report.rs), drawn from the worker's `report` answer. Every value is
// set as text. Times are shown as the core writes them: ISO-8601 UTC.

import { el, replace } from '../dom.js';
import { prose, visible } from '../lib/visible.js';

const NOT_HASHED = 'not computed (the file could not be read to its end)';

/** A table: `head` is a list of [label, numeric?], `rows` lists of cells (strings or nodes). */
function table(testid, head, rows, cellClass = () => null) {
  return el(
    'table',
    { testid },
    el('thead', null, el('tr', null, ...head.map(([label, num]) => el('th', { class: num ? 'num' : null, text: label })))),
    el(
      'tbody',
      null,
      ...rows.map((cells) =>
        el(
          'tr',
          null,
          ...cells.map((c, i) => {
            const cls = [head[i][1] ? 'num' : null, cellClass(i, cells)].filter(Boolean).join(' ') || null;
            return c instanceof Node ? el('td', { class: cls }, c) : el('td', { class: cls, text: String(c) });
          }),
        ),
      ),
    ),
  );
}

const none = (text) => el('p', { class: 'report-none', text });

const countsTable = (testid, label, rows) =>
  table(
    testid,
    [[label], ['Succeeded', true], ['Failed', true]],
    rows.map((r) => [visible(r.name), r.success, r.failure]),
  );

/** Each identifier, the name it is shown by (with the record that gave it) and any other names. */
function aliasTable(aliases) {
  const renamed = aliases.some((a) => a.other_names?.length > 0);
  const at = (name, file, line) => `${visible(name)} (${visible(file)} line ${line})`;
  return table(
    'report-aliases',
    [['Identifier'], ['Shown as'], ...(renamed ? [['Other names it was given']] : [])],
    aliases.map((a) => [
      visible(a.id),
      a.source ? at(a.name, a.source.file, a.source.line) : visible(a.name),
      ...(renamed ? [(a.other_names ?? []).map((o) => at(o.name, o.file, o.line)).join('; ')] : []),
    ]),
    (i) => (i === 0 ? 'mono' : null),
  );
}

/** The report document (the part that prints). */
function documentOf(r) {
  const files = table(
    'report-files',
    [['File'], ['Format'], ['Bytes', true], ['Records', true], ['Events', true], ['Duplicates', true], ['Errors', true]],
    r.files.map((f) => [visible(f.name), f.format, f.bytes, f.records, f.events, f.duplicates, f.errors]),
  );
  const hashes = table(
    'report-hashes',
    [['File'], ['SHA-256']],
    r.files.map((f) => [visible(f.name), f.sha256 ?? NOT_HASHED]),
    (i) => (i === 1 ? 'hash' : null),
  );
  for (const td of hashes.querySelectorAll('tbody td.hash')) td.dataset.testid = 'report-sha256';

  const account =
    r.account_mfa.length === 0
      ? none('No account MFA level change in these files.')
      : table(
          'report-account',
          [['Time'], ['From'], ['To'], ['Actor'], ['Actor IP'], ['Outcome']],
          r.account_mfa.map((c) => [c.time, prose(c.from), prose(c.to), visible(c.actor), visible(c.ip), c.outcome]),
          (i) => (i === 0 ? 'mono report-when' : i === 4 ? 'mono' : null),
        );
  const settings =
    r.user_settings.length === 0
      ? none('No user setting change in these files.')
      : table(
          'report-settings',
          [['Time'], ['User'], ['Setting'], ['Old → new'], ['Actor'], ['Outcome']],
          r.user_settings.map((c) => [c.time, visible(c.user), visible(c.setting), `${visible(c.from)} → ${visible(c.to)}`, visible(c.actor), c.outcome]),
          (i) => (i === 0 ? 'mono report-when' : null),
        );
  const aliases =
    r.aliases.length === 0
      ? []
      : [
          el('p', { class: 'report-meta', text: 'Identifiers shown above by the name their own records give them (the latest such record):' }),
          aliasTable(r.aliases),
        ];
  const findings =
    r.findings.length === 0
      ? none('No findings: no rule fired on these events.')
      : table(
          'report-findings',
          [['Severity'], ['Finding'], ['When']],
          r.findings.map((f) => [
            f.severity,
            el(
              'div',
              null,
              el('div', { class: 'report-finding-title', text: prose(f.title) }),
              el('div', { class: 'report-finding-detail', text: prose(f.detail) }),
            ),
            el('div', null, el('div', { text: f.from }), el('div', { text: f.to })),
          ]),
          (i, cells) => (i === 0 ? `report-sev report-${cells[0]}` : i === 2 ? 'mono report-when' : null),
        );
  const range = r.from != null && r.to != null ? `Events from ${r.from} to ${r.to} (all times UTC).` : 'No events.';

  return [
    el('h1', { text: 'authtrail report' }),
    el('p', { class: 'report-meta', testid: 'report-range', text: range }),
    el('p', {
      class: 'report-meta',
      testid: 'report-counts',
      text: `${r.events} events, ${r.duplicates} duplicates, ${r.files.reduce((n, f) => n + f.errors, 0)} records that could not be read, ${r.diagnostics} diagnostics.`,
    }),
    el('p', {
      class: 'report-meta',
      testid: 'report-generated',
      text: `Generated ${new Date().toISOString()} by authtrail, in this browser tab, from the files below.`,
    }),
    el('h2', { text: 'Input files' }),
    files,
    el('p', { class: 'report-meta', text: "SHA-256 of each file's bytes as read (the compressed bytes of a gzip file), computed locally:" }),
    hashes,
    el('h2', { text: 'Account MFA history' }),
    account,
    el('h2', { text: 'User setting changes' }),
    settings,
    ...aliases,
    el('h2', { text: 'Findings' }),
    findings,
    el('p', { class: 'report-meta', testid: 'report-thresholds', text: r.thresholds_note }),
    el('h2', { text: 'Authentications' }),
    el('p', { testid: 'report-auth-total', text: `${r.auth_success} succeeded, ${r.auth_failure} failed.` }),
    r.auth_by_method.length === 0
      ? null
      : el(
          'div',
          { class: 'report-split' },
          el('div', null, countsTable('report-methods', 'Method', r.auth_by_method)),
          el('div', null, countsTable('report-countries', 'Country', r.auth_by_country)),
        ),
  ];
}

/**
 * @param {HTMLElement} container the report section
 * @param {{onPrint: () => void, onClose: () => void}} opts
 */
export function createReport(container, { onPrint, onClose }) {
  const status = el('span', { class: 'report-status', testid: 'report-status', 'aria-live': 'polite' });
  const print = el('button', { type: 'button', class: 'button primary', text: 'Print', testid: 'report-print', disabled: true, onclick: onPrint });
  const close = el('button', { type: 'button', class: 'button', text: 'Back to the timeline', testid: 'report-close', onclick: onClose });
  const body = el('main', { class: 'report', testid: 'report' });
  container.append(el('div', { class: 'report-controls' }, print, close, status), body);

  /** Empties the report while a new one is built. */
  function loading() {
    print.disabled = true;
    close.focus();
    status.textContent = 'Building the report…';
    replace(body);
  }

  /** Hashing progress: bytes done of the bytes to hash. */
  function progress(done, total) {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    status.textContent = `Computing SHA-256 of the files: ${pct}%`;
  }

  function render(report) {
    replace(body, ...documentOf(report));
    status.textContent = '';
    print.disabled = false;
  }

  function failed(message) {
    status.textContent = `The report could not be built: ${message}`;
  }

  return { loading, progress, render, failed };
}
