// Boot and wiring: UI state in, worker questions out, views drawn. The page never parses a log
// line; it asks the worker (engine.js) small questions and draws the answers.

import * as engine from './engine.js';
import { el } from './dom.js';
import { createStore } from './store.js';
import { bytes, dateTime, span, zoneLabel } from './format.js';
import { WASM_MAX_BYTES } from './limits.js';
import { PLOT, timeScale } from './scale.js';
import { createFileList, renderDiagnostics, renderMemory, renderSummary } from './views/files.js';
import { createAccountLane } from './views/account-lane.js';
import { createUserLanes, renderAliases, settingLegend } from './views/user-lanes.js';
import { createHistogram, histogramLegend } from './views/histogram.js';
import { FACETS, createFacets } from './views/facets.js';
import { createTable } from './views/table.js';
import { createDetail } from './views/detail.js';
import { createFindings } from './views/findings.js';
import { createMoment } from './views/moment.js';
import { createPermalink } from './permalink.js';
import { setupSaveImages } from './save-image.js';
import { createLimits, renderLimitNotes } from './views/limits.js';
import { createReport } from './views/report.js';

const DEMO_BYTES = 2_000_000;
/** The histogram counts authentications: IAM logins and Verify authentications. */
const AUTH_KINDS = ['iam_login', 'authentication'];
const $ = (id) => document.getElementById(id);

const ui = createStore({
  tz: /(^|[#&])tz=local\b/.test(location.hash) ? 'local' : 'utc',
  window: null,
  facets: {},
  text: '',
  opened: null,
  desc: false,
  /** Index of the selected finding in data.findings. */
  finding: null,
  /** Threshold overrides for the rules; null for the defaults. */
  thresholds: null,
  /** A pinned moment (UTC ms) whose MFA state is shown. */
  moment: null,
});

/** Small answers from the worker that several views draw. */
const data = { summary: null, diagnostics: [], account: [], users: [], levels: [], hist: null, findings: [] };

// ---- busy / ready ---------------------------------------------------------------------------

let booted = false;
let outstanding = 0;
let inflight = 0;

function setState() {
  document.body.dataset.state = booted && outstanding === 0 && inflight === 0 ? 'ready' : 'busy';
}

/** Runs `f` counted as work in progress: the page is "busy" until it settles. */
async function track(f) {
  inflight += 1;
  setState();
  try {
    return await f();
  } catch (e) {
    // A question the core stopped before answering: the page says what happened (`replaced`).
    if (!(e instanceof engine.CoreReplaced)) showError(e.message || String(e));
    return undefined;
  } finally {
    inflight -= 1;
    setState();
  }
}

function showError(message) {
  $('error-text').textContent = message;
  $('error-banner').hidden = false;
}
$('error-close').addEventListener('click', () => { $('error-banner').hidden = true; });

// ---- views ----------------------------------------------------------------------------------

const fileList = createFileList({ list: $('file-list'), onCancel: (key) => engine.cancel(key) });
const openEvent = (index) => ui.set({ opened: index });
const accountLane = createAccountLane($('account'), { onSelect: openEvent });
const userLanes = createUserLanes($('users'), { onSelect: openEvent });
/** The time window a brush from `from` to `to` selects (at least one millisecond). */
const brushWindow = (from, to) => ({ from, to: Math.max(to, from + 1) });
const histogram = createHistogram($('histogram-wrap'), {
  onBrush: (from, to) => ui.set({ window: brushWindow(from, to) }),
  onDrag: (from, to) => askAhead({ window: brushWindow(from, to) }),
  onPick: (time) => ui.set({ moment: time }),
});
const findingsView = createFindings($('findings'), {
  onSelect: (k) => {
    const f = k == null ? null : data.findings[k];
    ui.set({ finding: k, window: f ? windowAround(f) : null });
  },
  onThresholds: (thresholds) => ui.set({ thresholds }),
});
const limits = createLimits();
const explain = (level) => data.levels.find((l) => l.level === level)?.explanation ?? 'level not documented by IBM';
const moment = createMoment($('moment'), { onUnpin: () => ui.set({ moment: null }), explain });
$('histogram-legend').append(...histogramLegend());
$('user-legend').append(...settingLegend());
const facets = createFacets($('facets'), {
  onToggle: (name, value) => {
    const current = ui.get().facets[name] ?? [];
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    ui.set({ facets: { ...ui.get().facets, [name]: next } });
  },
  onClear: (name) => ui.set({ facets: { ...ui.get().facets, [name]: [] } }),
});
const table = createTable($('table'), {
  fetchRows: (offset, limit) => engine.ask('rows', offset, limit),
  onOpen: openEvent,
});
// A link opened with #tz=local shows the table's times in local time too.
table.setTz(ui.get().tz);
const detail = createDetail($('detail-pane'), {
  files: () => data.summary?.files ?? [],
  onClose: () => ui.set({ opened: null }),
  whole: (index) => engine.ask('record', index),
});
detail.render(null, ui.get().tz);
const permalink = createPermalink({ ui, ask: engine.ask, findings: () => data.findings, loaded: () => (data.summary?.events ?? 0) > 0, track });

// ---- filter and time window -----------------------------------------------------------------

function coreFilter(s = ui.get()) {
  return {
    from: s.window ? s.window.from : null,
    to: s.window ? s.window.to : null,
    facets: Object.entries(s.facets).filter(([, values]) => values.length > 0),
    text: s.text.trim() || null,
    events: s.finding != null ? data.findings[s.finding]?.events ?? null : null,
  };
}

/** A finding's time window with some context on both sides. */
function windowAround(f) {
  const from = Date.parse(f.from);
  const to = Date.parse(f.to);
  const pad = Math.max((to - from) * 0.15, 30 * 60_000);
  return { from: Math.floor(from - pad), to: Math.ceil(to + pad) + 1 };
}

function renderFindings() {
  const s = ui.get();
  findingsView.render(data.findings, s.finding, s.tz);
}

/** Re-runs every rule with the current thresholds. */
async function refreshFindings() {
  data.findings = await engine.ask('findings', ui.get().thresholds);
  $('findings-section').hidden = false;
  renderFindings();
}

/** The histogram's filter: the page's filter restricted to authentications. */
function authFilter(filter) {
  if (filter.facets.some(([name]) => name === 'kind')) return filter;
  return { ...filter, facets: [...filter.facets, ['kind', AUTH_KINDS]] };
}

/** The time span all timeline views share. */
function domainOf(s = ui.get()) {
  if (s.window) return [s.window.from, s.window.to];
  const from = data.summary?.from;
  const to = data.summary?.to;
  if (from == null || to == null) {
    const now = Date.now();
    return [now - 86_400_000, now];
  }
  if (to - from < 60_000) return [from - 1_800_000, to + 1_800_000];
  return [from, to + 1];
}

/**
 * The timeline's width, kept by the ResizeObserver at the end (after a layout, where reading it is
 * free); read here only before the first layout of the workspace, since reading a width after a DOM
 * change forces a layout.
 */
let timelineWidth = 0;

function plotWidth() {
  if (!timelineWidth) timelineWidth = $('account').clientWidth;
  return Math.max(PLOT.left + 200, timelineWidth || 800);
}

function renderLanes() {
  if (!data.summary) return;
  const s = ui.get();
  const domain = domainOf(s);
  const width = plotWidth();
  accountLane.render({ history: data.account, levels: data.levels, domain, width, tz: s.tz });
  userLanes.render({ history: data.users, domain, width, tz: s.tz, users: s.facets.user ?? [] });
  if (data.hist) histogram.render({ hist: data.hist, domain: data.hist.domain, width, tz: s.tz, moment: s.moment });
}

function renderWindowLabel() {
  const s = ui.get();
  const [a, b] = domainOf(s);
  $('window-label').textContent = data.summary?.from == null
    ? ''
    : `${s.window ? 'Selected' : 'All events'}: ${dateTime(a, s.tz)} to ${dateTime(b, s.tz)} ${zoneLabel(s.tz, a)} (${span(b - a)})`;
  $('brush-reset').disabled = !s.window;
}

let generation = 0;
let lastWidth = 0;

const binsFor = (width) => Math.max(12, Math.min(320, Math.floor((width - PLOT.left - PLOT.right) / 5)));

/** Re-bins the histogram for the current width and redraws the timeline. */
async function refreshTimeline() {
  if (!data.summary || !data.hist) return;
  const g = generation;
  const domain = domainOf();
  const hist = await engine.ask('histogram', domain[0], domain[1], binsFor(plotWidth()), authFilter(coreFilter()));
  if (g !== generation) return;
  data.hist = { ...hist, domain };
  renderLanes();
}

/**
 * The one question a filter change asks (one pass over the events, or none for a time window
 * alone: the histogram, every facet's counts, the table's selection and its first rows) for UI
 * state `s`, and a key that tells such questions apart (the finding's index stands for its events).
 */
function refreshQuestion(s) {
  const filter = coreFilter(s);
  const domain = domainOf(s);
  const question = {
    filter,
    histogram: authFilter(filter),
    from: domain[0],
    to: domain[1],
    bins: binsFor(plotWidth()),
    facets: FACETS.map((f) => f.name),
    limit: 50,
    rows: table.firstRows(),
  };
  const key = JSON.stringify([loads, s.window, s.facets, s.text, s.finding, question.from, question.to, question.bins, question.rows]);
  return { question, key };
}

/** Each refresh asked is a view, numbered: the worker pages the rows of the view the table shows. */
let views = 0;
/** Times files were read: an answer asked before is not one for the files read since. */
let loads = 0;

/**
 * While a brush is dragged, the refresh its window would need is asked ahead (one question at a
 * time, the latest window wins), so that on release the views are drawn from an answer already at
 * hand instead of one asked then, which the browser hands over only after the drag's own frame
 * (its saving: docs/performance.md).
 * The same from the press of "Reset time window" to its click. The worker keeps paging the shown
 * view's rows until the page adopts an answer asked ahead.
 */
const ahead = { wanted: null, asking: false, key: null, view: 0, answer: null };

/** Asks ahead for the refresh of the UI state with `change` (what a release or a click would set). */
function askAhead(change) {
  if (!data.summary) return;
  ahead.wanted = { ...ui.get(), ...change };
  if (ahead.asking) return;
  ahead.asking = true;
  (async () => {
    while (ahead.wanted) {
      const { question, key } = refreshQuestion(ahead.wanted);
      ahead.wanted = null;
      const view = ++views;
      const answer = engine.ask('refreshAhead', { ...question, view });
      Object.assign(ahead, { key, view, answer });
      // A failure shows where the answer is used, if it is.
      await answer.catch(() => {});
    }
    ahead.asking = false;
  })();
}

/** The refresh answer for `question` (keyed `key`): the one asked ahead if it matches, else asked now. */
function refreshAnswer(question, key) {
  const reuse = ahead.key === key ? { view: ahead.view, answer: ahead.answer } : null;
  Object.assign(ahead, { wanted: null, key: null, answer: null });
  if (!reuse) return engine.ask('refresh', { ...question, view: ++views });
  engine.ask('adopt', reuse.view).catch(() => {});
  return reuse.answer;
}

/** Re-asks everything that follows the filter, then draws it. */
async function refreshFiltered() {
  if (!data.summary) return;
  const g = ++generation;
  const s = ui.get();
  // After the question: its bins may be the first to read the width (plotWidth()), which the
  // ResizeObserver would otherwise take for a new one and re-bin for once the views are drawn.
  const { question, key } = refreshQuestion(s);
  lastWidth = timelineWidth;
  const { histogram: hist, facets: counts, total, first } = await refreshAnswer(question, key);
  if (g !== generation) return;
  data.hist = { ...hist, domain: [question.from, question.to] };
  renderLanes();
  renderWindowLabel();
  FACETS.forEach((f, i) => facets.draw(f.name, counts[i], s.facets[f.name] ?? []));
  $('table-count').textContent = String(total);
  await table.reset(total, first);
}

/** After files are read: the summary, diagnostics and histories, then the filtered views. */
async function refreshAll() {
  const [summary, diagnostics, account, users] = await Promise.all([
    engine.ask('summary'),
    engine.ask('diagnostics', 2000),
    engine.ask('accountHistory'),
    engine.ask('userHistory'),
  ]);
  Object.assign(data, { summary, diagnostics, account, users });
  loads += 1;
  // New files renumber the findings: drop a selection (its time window stays).
  if (ui.get().finding != null) ui.set({ finding: null });
  if (summary.events > 0) await refreshFindings();
  renderSummary(summary);
  renderAliases($('user-aliases'), summary.aliases);
  renderLimitNotes(summary);
  renderDiagnostics(diagnostics, summary);
  const hasEvents = summary.events > 0;
  $('workspace').hidden = !hasEvents;
  $('empty').hidden = hasEvents || summary.files.length > 0;
  $('no-events').hidden = hasEvents || summary.files.length === 0;
  if (!hasEvents && summary.diagnostics > 0) $('diagnostics-list').open = true;
  if (hasEvents) await refreshFiltered();
  if (hasEvents) await permalink.restore();
}

// ---- reading files --------------------------------------------------------------------------

function startReading() {
  $('files').hidden = false;
  $('empty').hidden = true;
}

/** The page is not busy while it waits for the reader's `answer`. */
function waitingForReader(answer) {
  inflight -= 1;
  setState();
  return answer.finally(() => { inflight += 1; });
}

async function readFiles(files) {
  const list = [...files];
  if (!list.length) return;
  // Busy from the drop until the files are read (but for the offer's wait).
  inflight += 1;
  setState();
  try {
    // Before reading: will they fit? If not, the reader picks a subset or reads up to the cap.
    const options = await limits.check(list, data.summary?.events ?? 0, waitingForReader);
    if (!options) return;
    startReading();
    const keys = engine.read(list, options);
    keys.forEach((key, i) => fileList.add(key, list[i].name, list[i].size));
    outstanding += list.length;
  } finally {
    inflight -= 1;
    setState();
  }
}

function fileFinished() {
  outstanding -= 1;
  if (outstanding === 0) track(refreshAll);
  else setState();
}

/**
 * The core's memory past which a stop is its memory running out: a failed allocation stops it as a
 * fault would (a trap), but a fault with this much held is rare.
 */
const RAN_OUT_BYTES = WASM_MAX_BYTES / 4;

/** Says that the core stopped and that a new one reads the files again (engine.js `replaced`). */
function coreReplaced({ key, name, read, message, wasmBytes, again }) {
  const why = wasmBytes >= RAN_OUT_BYTES
    ? `its memory ran out (it held ${bytes(wasmBytes)} of the ${bytes(WASM_MAX_BYTES)} a tab can give it)`
    : `it stopped holding ${bytes(wasmBytes)} of memory (${message})`;
  const before = again.length === 0 ? 'No file read before it is lost.' : `The ${again.length === 1 ? 'file' : `${again.length} files`} read before it ${again.length === 1 ? 'is' : 'are'} read again into a new core.`;
  if (key != null) fileList.failed(key, read ? `Left out: the core stopped after this file was read, ${why}.` : `Not read: the core stopped reading this file, ${why}.`);
  for (const k of again) fileList.again(k);
  showError(read
    ? `The core stopped after ${name} was read: ${why}. ${name} is left out. ${before} The Limits control can cap the memory the events take.`
    : `${name ?? 'A file'} was not read: the core stopped reading it, ${why}. ${before} The Limits control can cap the memory the events take.`);
  outstanding += again.length;
  if (key != null && !read) fileFinished();
  else setState();
}

/** Whether the worker said it was ready once: a new core (engine.js `replaced`) says so again. */
let started = false;

engine.on((m) => {
  switch (m.type) {
    case 'replaced':
      coreReplaced(m);
      break;
    case 'ready':
      if (started) break;
      started = true;
      track(async () => {
        data.levels = await engine.ask('levels');
        findingsView.setDefaults(await engine.ask('defaultThresholds'));
        limits.setDefaults(await engine.ask('defaultLimits'));
        booted = true;
      });
      break;
    case 'queued':
      fileList.add(m.key, m.name, m.size);
      break;
    case 'start':
      fileList.start(m.key);
      break;
    case 'progress':
      fileList.progress(m.key, m.done, m.size);
      break;
    case 'done':
      fileList.done(m.key, m);
      renderMemory(m.wasmBytes);
      if (m.error) showError(`${m.summary.name}: ${m.error}`);
      fileFinished();
      break;
    case 'failed':
      fileList.failed(m.key, m.message);
      showError(m.message);
      fileFinished();
      break;
    case 'export-progress':
      exportStatus.textContent = `Reading records: ${m.done.toLocaleString('en-US')} of ${m.total.toLocaleString('en-US')}`;
      break;
    case 'fatal':
      showError(m.message);
      booted = true;
      outstanding = 0;
      setState();
      break;
    default:
      break;
  }
});

const input = $('file-input');
$('pick-button').addEventListener('click', () => input.click());
input.addEventListener('change', () => {
  readFiles(input.files);
  input.value = '';
});
$('demo-button').addEventListener('click', () => {
  startReading();
  engine.readDemo(DEMO_BYTES, limits.caps());
  outstanding += 1;
  setState();
});

const dropZone = $('app');
let dragDepth = 0;
const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
window.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  dragDepth += 1;
  document.body.classList.add('dragging');
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) document.body.classList.remove('dragging');
});
window.addEventListener('dragover', (e) => {
  e.preventDefault();
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
});
window.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  document.body.classList.remove('dragging');
});
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  readFiles(e.dataTransfer?.files ?? []);
});

// ---- controls -------------------------------------------------------------------------------

const resetWindow = { window: null, finding: null };
$('brush-reset').addEventListener('pointerdown', (e) => {
  if (!e.currentTarget.disabled) askAhead(resetWindow);
});
$('brush-reset').addEventListener('click', () => ui.set(resetWindow));
$('clear-filters').addEventListener('click', () => {
  $('search-input').value = '';
  ui.set({ window: null, facets: {}, text: '', finding: null });
});

// ---- the MFA state at a moment: hovering the timeline shows it, a pinned moment keeps it -------

let momentAsked = null;
let momentBusy = false;
/** Asks the core for the state at `time` (latest request wins) and draws it. */
async function showMoment(time, pinned) {
  if (time == null) {
    moment.render(null, false, ui.get().tz);
    return;
  }
  momentAsked = { time, pinned };
  if (momentBusy) return;
  momentBusy = true;
  inflight += 1;
  setState();
  try {
    while (momentAsked) {
      const ask = momentAsked;
      momentAsked = null;
      const state = await engine.ask('stateAt', ask.time);
      if (!momentAsked) moment.render(state, ask.pinned, ui.get().tz);
    }
  } catch (e) {
    if (!(e instanceof engine.CoreReplaced)) showError(e.message || String(e));
  } finally {
    momentBusy = false;
    inflight -= 1;
    setState();
  }
}
$('timeline').addEventListener('pointermove', (e) => {
  // Not while a button is held (a brush is being dragged): those questions would queue ahead of the
  // brush's own refresh in the worker.
  if (!data.summary || ui.get().moment != null || e.buttons !== 0) return;
  const x = e.clientX - $('account').getBoundingClientRect().left;
  const scale = timeScale(domainOf(), plotWidth());
  if (x < scale.range[0] || x > scale.range[1]) return;
  showMoment(Math.round(scale.invert(x)), false);
});
$('timeline').addEventListener('pointerleave', () => {
  if (ui.get().moment == null) showMoment(null, false);
});

let searchTimer = 0;
$('search-input').addEventListener('input', (e) => {
  const value = e.target.value;
  if (!searchTimer) inflight += 1;
  clearTimeout(searchTimer);
  setState();
  searchTimer = setTimeout(() => {
    searchTimer = 0;
    ui.set({ text: value });
    inflight -= 1;
    setState();
  }, 250);
});

const tzButton = $('tz-toggle');
function renderTzButton() {
  const local = ui.get().tz === 'local';
  tzButton.textContent = local ? `Times: Local (${zoneLabel('local')})` : 'Times: UTC';
  tzButton.setAttribute('aria-pressed', String(local));
}
renderTzButton();
tzButton.addEventListener('click', () => ui.set({ tz: ui.get().tz === 'local' ? 'utc' : 'local' }));

// ---- export ---------------------------------------------------------------------------------

const exportButtons = [$('export-csv'), $('export-ndjson')];
const exportStatus = $('export-status');

/** `authtrail-events-20240501T093000Z.csv`: UTC, no characters file systems object to. */
const exportName = (ext) => `authtrail-events-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.${ext}`;

/** Builds the export in the worker (the events of the current filter) and downloads the Blob. */
async function exportEvents(method, ext) {
  for (const b of exportButtons) b.disabled = true;
  exportStatus.textContent = 'Exporting…';
  const events = await track(async () => {
    const answer = await engine.ask(method, coreFilter());
    const url = URL.createObjectURL(answer.blob);
    el('a', { href: url, download: exportName(ext) }).click();
    // The download reads the Blob after the click returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return answer.events;
  });
  for (const b of exportButtons) b.disabled = false;
  exportStatus.textContent = events === undefined ? '' : `${events.toLocaleString('en-US')} events exported`;
}
$('export-csv').addEventListener('click', () => exportEvents('exportCsv', 'csv'));
$('export-ndjson').addEventListener('click', () => exportEvents('exportNdjson', 'ndjson'));

setupSaveImages({ view: () => ({ domain: domainOf(), tz: ui.get().tz }), track });

// ---- report ---------------------------------------------------------------------------------

const reportView = createReport($('report'), { onPrint: () => window.print(), onClose: () => showReport(false) });

/** Shows the printable report in place of the page (or the page again), built with the current thresholds. */
function showReport(open) {
  $('app').hidden = open;
  $('report').hidden = !open;
  window.scrollTo(0, 0);
  if (!open) {
    $('report-button').focus();
    return;
  }
  reportView.loading();
  track(() => engine.ask('report', ui.get().thresholds).then(reportView.render, (e) => reportView.failed(e.message || String(e))));
}
$('report-button').addEventListener('click', () => showReport(true));
engine.on((m) => {
  if (m.type === 'report-progress') reportView.progress(m.done, m.total);
});

const sortButton = $('sort-toggle');
sortButton.addEventListener('click', () => ui.set({ desc: !ui.get().desc }));

let openedDetail = null;

ui.subscribe((s, changed) => {
  if (changed.has('window') || changed.has('facets') || changed.has('text') || changed.has('finding')) {
    renderWindowLabel();
    track(refreshFiltered);
  }
  if (changed.has('finding') || changed.has('tz')) renderFindings();
  if (changed.has('thresholds')) {
    if (s.finding != null) ui.set({ finding: null, window: null });
    track(refreshFindings);
  }
  if (changed.has('moment')) {
    renderLanes();
    showMoment(s.moment, true);
  }
  if (changed.has('tz')) {
    renderTzButton();
    renderLanes();
    renderWindowLabel();
    table.setTz(s.tz);
    if (openedDetail) detail.render(openedDetail, s.tz);
  }
  if (changed.has('desc')) {
    sortButton.textContent = s.desc ? 'Newest first' : 'Oldest first';
    sortButton.setAttribute('aria-pressed', String(s.desc));
    track(() => table.setSort(s.desc));
  }
  if (changed.has('opened')) {
    table.setOpened(s.opened);
    if (s.opened == null) {
      openedDetail = null;
      detail.render(null, s.tz);
      return;
    }
    const index = s.opened;
    detail.render('loading', s.tz);
    track(async () => {
      const d = await engine.ask('detail', index);
      if (ui.get().opened !== index) return;
      openedDetail = d;
      detail.render(d, ui.get().tz);
    });
  }
});

// Redraw (and re-bin the histogram) when the timeline's width changes.
let resizeTimer = 0;
new ResizeObserver(() => {
  const w = $('account').clientWidth;
  timelineWidth = w;
  if (!w || w === lastWidth || !data.summary) return;
  lastWidth = w;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => track(refreshTimeline), 120);
}).observe($('timeline'));

setState();
