// The module Web Worker that owns the wasm core. It reads files (File.stream(); gzip files
// through the browser's DecompressionStream; both on a reader worker of their own, js/reader.js;
// the later parts of a large NDJSON file on other threads, js/stretch.js), pushes their bytes or
// text into the core, reports progress, answers the page's small questions, and reads the
// original JSON of one event back from the file on demand. The page never parses anything, and
// no text it is handed is longer than a screenful (lib/bounded.js).

import { fileReader, GzipDamaged } from './pieces.js';
import { bound, cut } from './lib/bounded.js';
import { startWorker } from './start-worker.js';
import init, { FileHasher, Inspector, default_limits, default_thresholds, demo_bytes, level_explanation, mfa_levels, short_hashes } from '../authtrail-wasm.js';

/** @type {Inspector} */
let inspector;
/** The compiled wasm, handed to each part's worker (js/stretch.js). */
let wasmModule;
/** The wasm instance's linear memory (its size is reported with each finished file). */
let memory;
/** Per store file index: the Blob and how to find bytes in it. */
const sources = [];
const queue = [];
const cancelled = new Set();
let running = false;
const decoder = new TextDecoder('utf-8');

const post = (message) => self.postMessage(message);

const errorText = (e) => (e && e.message) || String(e);

const ready = init()
  .then((wasm) => {
    memory = wasm.memory;
    // wasm-bindgen keeps the compiled module on its init function: the part workers instantiate
    // it instead of fetching and compiling the wasm again (the single-file page carries it once).
    wasmModule = init.__wbindgen_wasm_module;
    for (const s of stretchers) s.worker.postMessage({ type: 'wasm', module: wasmModule });
    inspector = new Inspector();
    post({ type: 'ready' });
    warmUp();
  })
  .catch((e) => {
    post({ type: 'fatal', message: `The wasm core could not start: ${errorText(e)}` });
    throw e;
  });

/** The generated export the core reads once at start (warmUp). */
const WARM_UP_BYTES = 3_000_000;

/**
 * Reads a small generated export into a core of its own and asks it what the page asks after a
 * file, then drops it. The browser compiles each wasm function with its baseline compiler when
 * it is first called and optimizes it only once it has run hot, so without this the first file
 * was read and analysed by slower code (docs/performance.md, "A warm core"). It runs once the
 * page is told the worker is ready: a file dropped meanwhile waits for it.
 */
function warmUp() {
  const core = new Inspector();
  try {
    const id = core.begin_file('warm-up.ndjson');
    core.push(id, demo_bytes(WARM_UP_BYTES));
    core.finish(id);
    const { from, to } = core.summary();
    const facets = ['user', 'method', 'result', 'country', 'source', 'action'];
    // The whole span, then a window within it (a brush), as the page asks them.
    for (const [a, b] of [[null, null], [from + (to - from) / 4, to - (to - from) / 4]]) {
      const filter = { from: a && Math.round(a), to: b && Math.round(b), facets: [], text: null, events: null };
      const histogram = { ...filter, facets: [['kind', ['iam_login', 'authentication']]] };
      core.refresh({ filter, histogram, from, to: to + 1, bins: 200, facets, limit: 50 });
      core.rows(0, 20);
    }
    core.account_history();
    core.user_history();
    core.state_at(to);
    core.findings(null);
  } catch (e) {
    // Only a warm-up: the real file would meet the same failure and report it.
    console.warn(`authtrail: the core's warm-up failed: ${errorText(e)}`);
  } finally {
    core.free();
  }
}

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch {
    if (data.type === 'ask') post({ reply: data.id, error: 'the wasm core did not start' });
    return;
  }
  switch (data.type) {
    case 'files':
      for (const { key, file, again } of data.files) enqueue(key, file.name, file, data.options, data.threads, again);
      pump();
      break;
    case 'demo': {
      try {
        const bytes = demo_bytes(data.size);
        const file = new File([bytes], 'authtrail-demo.ndjson', { type: 'application/x-ndjson' });
        enqueue(data.key, file.name, file, data.options, 1, data.again);
        pump();
      } catch (e) {
        if (stopped(e)) brokenBy(data.key, e);
        else post({ type: 'failed', key: data.key, message: errorText(e) });
      }
      break;
    }
    case 'cancel':
      cancelled.add(data.key);
      stopApart(data.key);
      break;
    case 'ask':
      answer(data);
      break;
    default:
      break;
  }
};

/**
 * `options`: the caps and subset the file is read with (Inspector.set_options), null for the
 * defaults; `threads`: the machine's (the page's `navigator.hardwareConcurrency`), which bounds the
 * parts a large file is read in at once; `again`: for a file read again into a new core (see
 * `brokenBy`), what its first read kept when it did not read it all: `{ text, cancelled, error }`
 * (`text`: the bytes of its text the core took, which are read again, and no more).
 */
function enqueue(key, name, blob, options = null, threads = 1, again = null) {
  queue.push({ key, name, blob, options, threads, again, ahead: null });
  post({ type: 'queued', key, name, size: blob.size });
}

/**
 * Whether `e` says the wasm instance can no longer be used: it trapped (its memory ran out, which
 * the allocator cannot report otherwise, or it panicked), and every later call into it finds its
 * objects still borrowed.
 */
const stopped = (e) => e instanceof WebAssembly.RuntimeError || /recursive use of an object detected/.test(errorText(e));

/** Set once the instance stopped: nothing is asked of it any more. */
let broken = false;

/**
 * Tells the page the instance stopped, on the file of `key` (null: on a question): the page
 * replaces this worker with a new one, which reads again the files read before (engine.js).
 */
function brokenBy(key, e) {
  if (broken) return;
  broken = true;
  queue.length = 0;
  post({ type: 'broken', key, message: errorText(e), wasmBytes: memory.buffer.byteLength });
}

/** Reads queued files one after the other (the store is single-threaded anyway). */
async function pump() {
  if (running) return;
  running = true;
  while (queue.length) {
    const job = queue.shift();
    try {
      await readOne(job);
    } catch (e) {
      job.ahead?.then((a) => a.pieces?.stop());
      if (stopped(e)) brokenBy(job.key, e);
      else post({ type: 'failed', key: job.key, message: `${job.name}: ${errorText(e)}` });
    }
    cancelled.delete(job.key);
  }
  running = false;
  if (!broken) post({ type: 'idle' });
}

/**
 * Least time between two progress messages: each one redraws the file's row in the page, a
 * frame drawn while both cores are busy reading and parsing: more often than this, a large file
 * was ready later.
 */
const PROGRESS_MS = 200;

/**
 * Whether the file starts with the gzip magic number: such a file is decompressed by the browser,
 * and its text pushed. An unreadable file is not gzip: its read then fails and says so.
 */
async function gzipOrNot(blob) {
  try {
    const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
    return head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    return false;
  }
}

/**
 * Starts reading the next queued file, when it will be read in one part, while the core takes the
 * one before: its first pieces are then at hand when the core is done (docs/performance.md,
 * "Reading ahead").
 */
function readAhead() {
  const next = queue[0];
  if (!next || next.ahead || next.again) return;
  next.ahead = gzipOrNot(next.blob).then((gzip) => ({
    gzip,
    pieces: partsOf(next, gzip) === 1 ? pieces(next.blob, gzip) : null,
  }));
}

/** Reads files (js/reader.js), started with this worker so that reading a file requests nothing. */
const pieces = fileReader('authtrail-reader');

/**
 * A file at least this large, not gzip, is read in parts at once, one per thread the machine has
 * (`threads`, from the page), at most MAX_PARTS, each at least PART_BYTES: the first by this
 * worker, each other one on a thread of its own (js/stretch.js) and taken over by the core in turn
 * once this worker has read what comes before it.
 */
const SPLIT_BYTES = 64 << 20;
const MAX_PARTS = 4;
const PART_BYTES = 16 << 20;
/**
 * ...and at most this large: a part's events are held twice while they are taken over (about 100
 * bytes an event), which the largest files, near the 4 GiB of wasm memory, cannot spare.
 */
const SPLIT_MAX_BYTES = 4 * 2 ** 30;
/** Bytes searched for the line a part starts with. */
const SPLIT_SEARCH = 1 << 20;

/**
 * The workers that read the later parts of a large file (js/stretch.js), each with its wasm
 * instance (of this worker's compiled module, which it is sent first) and reader: the first started
 * with this worker, so that it is up when a large file comes, the others when a file first needs
 * them. Each is `{ worker, broken, read }`, `read` the part under way: `{ id, key, fed, done,
 * finish }` (`key`: its file's; `fed`: its bytes read so far; `done`: resolves to its part, or null
 * when it was stopped or failed).
 */
const stretchers = [];
/** Parts asked of them so far (each one's id). */
let stretches = 0;

function stretcher(k) {
  while (stretchers.length <= k) {
    const s = { worker: null, broken: false, read: null };
    s.worker = startWorker(new URL('./stretch.js', import.meta.url), { type: 'module', name: `authtrail-part-${stretchers.length + 2}` });
    s.worker.onmessage = ({ data }) => {
      if (s.read?.id !== data.id) return;
      if (data.type === 'progress') {
        s.read.fed = data.fed;
        return;
      }
      s.read.finish(data.type === 'part' ? data.bytes : null);
      s.read = null;
    };
    s.worker.onerror = (e) => {
      e.preventDefault();
      s.broken = true;
      s.read?.finish(null);
      s.read = null;
    };
    if (wasmModule) s.worker.postMessage({ type: 'wasm', module: wasmModule });
    stretchers.push(s);
  }
  return stretchers[k];
}
stretcher(0);

/** Where the first line that starts at or after `at` starts, or null. */
async function lineStart(blob, at) {
  const bytes = new Uint8Array(await blob.slice(at, at + SPLIT_SEARCH).arrayBuffer());
  const nl = bytes.indexOf(10);
  return nl < 0 || at + nl + 1 >= blob.size ? null : at + nl + 1;
}

/**
 * How many parts `job`'s file is read in, at most (1: gzip, too small or too large to split, or
 * read again up to where its first read stopped).
 */
function partsOf(job, gzip) {
  const size = job.blob.size;
  if (gzip || job.again || size < SPLIT_BYTES || size > SPLIT_MAX_BYTES) return 1;
  return Math.max(1, Math.min(MAX_PARTS, job.threads ?? 1, Math.floor(size / PART_BYTES)));
}

/** Where the parts of `job`'s file start: `[0]` when it is read in one piece. */
async function partStarts(job, gzip) {
  const size = job.blob.size;
  const n = partsOf(job, gzip);
  const starts = [0];
  for (let k = 1; k < n && !stretcher(k - 1).broken; k++) {
    const at = await lineStart(job.blob, Math.floor((size * k) / n)).catch(() => null);
    if (at === null || at <= starts.at(-1)) break;
    starts.push(at);
  }
  return starts;
}

/** Starts reading `job`'s text from `from` to `to` on the `k`th other thread; returns the read. */
function readApart(job, k, from, to) {
  const s = stretcher(k);
  const id = ++stretches;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  s.read = { id, key: job.key, fed: 0, done, finish };
  s.worker.postMessage({ type: 'read', id, blob: job.blob.slice(from, to), name: job.name, options: job.options });
  return s.read;
}

/**
 * Has the core take over a part; false when it may not (the file is then read on from where the
 * part starts, as usual), also when the part cannot be read, which only a fault could cause.
 */
function takeOver(id, part) {
  try {
    return inspector.absorb(id, part);
  } catch (e) {
    if (stopped(e)) throw e;
    console.warn(`authtrail: a part is read again: ${errorText(e)}`);
    return false;
  }
}

/** Stops the parts of file `key` still read on other threads: they are not taken. */
function stopApart(key) {
  for (const s of stretchers) {
    if (s.read?.key !== key) continue;
    s.worker.postMessage({ type: 'stop', id: s.read.id });
    s.read.finish(null);
    s.read = null;
  }
}

/** Reads one file into the core; a cancelled or failed read is finished too (what was read stays). */
async function readOne(job) {
  inspector.set_options(job.options);
  // Whether it is gzip, and its first pieces, may have been read while the core took the file
  // before it (readAhead).
  const ahead = await (job.ahead ?? gzipOrNot(job.blob).then((gzip) => ({ gzip, pieces: null })));
  const gzip = ahead.gzip;
  const id = gzip ? inspector.begin_gzip_file(job.name, job.blob.size) : inspector.begin_file(job.name);
  sources[id] = { blob: job.blob, gzip };
  post({ type: 'start', key: job.key, file: id });
  const size = job.blob.size;
  const starts = await partStarts(job, gzip);
  const ends = [...starts.slice(1), size];
  const apart = starts.slice(1).map((from, k) => readApart(job, k, from, ends[k + 1]));
  let last = 0;
  let error = null;
  /** The parts the file was read in, when all the later ones were taken over. */
  let parts = 1;
  /** The file's bytes in the core: what a cancel keeps (the other parts' reading is dropped). */
  let kept = 0;
  /** The bytes of its text in the core (of a gzip file, decompressed ones). */
  let text = 0;
  /** Read again, the text its first read took, and no more. */
  const upTo = job.again?.text ?? Infinity;
  /** Tells the page the bytes read so far, by every thread, at most every PROGRESS_MS. */
  const progress = (force = false) => {
    const now = performance.now();
    if (force || now - last > PROGRESS_MS) {
      last = now;
      const done = kept + apart.reduce((sum, r) => sum + (r?.fed ?? 0), 0);
      post({ type: 'progress', key: job.key, done: Math.min(done, size), size });
    }
  };
  /** Pushes `blob`, the file's text from byte `from` on; false when stopped by a cancel or a failure. */
  const push = async (blob, from, stream = pieces(blob, gzip)) => {
    try {
      for await (const { bytes, fed } of stream) {
        if (cancelled.has(job.key)) return false;
        const piece = bytes.length > upTo - text ? bytes.subarray(0, upTo - text) : bytes;
        inspector.push(id, piece);
        text += piece.length;
        kept = from + fed;
        progress();
        readAhead();
        if (text >= upTo) return false;
      }
      return true;
    } catch (e) {
      if (stopped(e)) throw e;
      // A damaged gzip stream is the file's problem (a diagnostic), not the reader's.
      if (e instanceof GzipDamaged) inspector.gzip_damaged(id, e.message);
      else error = `reading stopped: ${errorText(e)}`;
      return false;
    }
  };
  // Read ahead only when in one part (partsOf), so then starts is [0].
  let ok = await push(job.blob.slice(0, ends[0]), 0, ahead.pieces ?? undefined);
  for (let k = 0; ok && k < apart.length; k++) {
    const read = apart[k];
    const waiting = setInterval(progress, PROGRESS_MS);
    const part = await read.done;
    clearInterval(waiting);
    apart[k] = null;
    if (cancelled.has(job.key)) ok = false;
    else if (part && takeOver(id, part)) {
      kept = ends[k + 1];
      text = kept;
      progress(true);
    } else {
      parts = 0;
      ok = await push(job.blob.slice(starts[k + 1], ends[k + 1]), starts[k + 1]);
    }
  }
  stopApart(job.key);
  if (parts) parts = starts.length;
  const summary = inspector.finish(id);
  // No more files for now: the store gives back the room it kept to grow into (not after each
  // file, which fragmented the wasm memory of a load of many).
  if (!queue.length) inspector.compact();
  post({
    type: 'done',
    key: job.key,
    file: id,
    summary: bound(summary),
    done: kept,
    text,
    size,
    parts,
    cancelled: cancelled.has(job.key) || Boolean(job.again?.cancelled),
    error: error ?? job.again?.error ?? null,
    wasmBytes: memory.buffer.byteLength,
  });
}

async function answer({ id, method, args }) {
  try {
    if (broken) throw new Error('the core stopped');
    const value = bound(await METHODS[method](...(args ?? [])));
    post({ reply: id, value });
  } catch (e) {
    post({ reply: id, error: errorText(e) });
    if (stopped(e)) brokenBy(null, e);
  }
}

const METHODS = {
  summary: () => inspector.summary(),
  diagnostics: (limit) => inspector.diagnostics(limit),
  histogram: (from, to, bins, filter) => inspector.histogram(from, to, bins, whole(filter)),
  facets: (facet, filter, limit) => shownCounts(inspector.facets(facet, whole(filter), limit)),
  select: (filter) => {
    const total = inspector.select(whole(filter));
    shown = { view: --selects, filter: whole(filter) };
    held = shown.view;
    return total;
  },
  refresh: (request) => {
    const answer = refresh(request);
    shown = { view: request.view, filter: whole(request.filter) };
    return answer;
  },
  refreshAhead: (request) => {
    const answer = refresh(request);
    asked = { view: request.view, filter: whole(request.filter) };
    return answer;
  },
  adopt: (view) => {
    if (asked?.view === view) shown = asked;
  },
  rows: (offset, limit) => {
    hold();
    return inspector.rows(offset, limit);
  },
  accountHistory: () => inspector.account_history(),
  userHistory: () => inspector.user_history(),
  levels: () => mfa_levels().map((level) => ({ level, explanation: level_explanation(level) })),
  explain: (level) => level_explanation(level),
  findings: (thresholds) => inspector.findings(thresholds ?? null),
  defaultThresholds: () => default_thresholds(),
  shortHashes: (texts) => short_hashes(texts),
  defaultLimits: () => default_limits(),
  stateAt: (time) => inspector.state_at(time),
  exportCsv: (filter) => exportCsv(whole(filter)),
  report: (thresholds) => report(thresholds),
  exportNdjson: (filter) => exportNdjson(whole(filter)),
  detail: async (i) => {
    const event = inspector.event(i);
    const at = inspector.locate(i);
    let json = '';
    let jsonError = null;
    try {
      json = await original(at, RECORD_SHOWN);
    } catch (e) {
      jsonError = errorText(e);
    }
    return { index: i, event, at, json, whole: at.len <= RECORD_SHOWN, jsonError };
  },
  record: (i) => originalBlob(inspector.locate(i)),
};

/** Bytes of an event's original text the detail pane is sent at most: a longer one is cut. */
const RECORD_SHOWN = 16 << 10;

/**
 * Facet values longer than a screenful reach the page cut (lib/bounded.js), and a filter on one
 * comes back as that cut text: the values each such text stands for, the latest used last, at
 * most CUT_VALUES texts.
 */
const cutValues = new Map();
const CUT_VALUES = 4096;

/** Keeps `values` as what `shown` stands for, as the latest used. */
function remember(shown, values) {
  cutValues.delete(shown);
  cutValues.set(shown, values);
  if (cutValues.size > CUT_VALUES) cutValues.delete(cutValues.keys().next().value);
}

/**
 * Facet counts (`[[value, count]]`) as the page is handed them: each value cut to a screenful, and
 * values whose cut texts are the same (the same first screenful and length) counted as one.
 */
function shownCounts(counts) {
  const out = new Map();
  for (const [value, n] of counts) {
    const shown = cut(value);
    if (shown !== value) remember(shown, (cutValues.get(shown) ?? new Set()).add(value));
    out.set(shown, (out.get(shown) ?? 0) + n);
  }
  return [...out];
}

/** `filter` with each facet value the page holds cut replaced by the values it stands for. */
function whole(filter) {
  if (!filter?.facets?.length || !cutValues.size) return filter;
  const values = (list) => list.flatMap((v) => {
    const full = cutValues.get(v);
    if (!full) return [v];
    remember(v, full);
    return [...full];
  });
  return { ...filter, facets: filter.facets.map(([name, list]) => [name, values(list)]) };
}

/**
 * The core holds one selection, which `rows` pages. The page's table shows the selection of one
 * view: the last `refresh`, `select`, or refresh asked ahead (`refreshAhead`, while a brush is
 * dragged) that the page then adopted. `held` is the view whose selection the core holds (null
 * after an export selected its own); `hold()` selects the shown view's again when it is not.
 */
let shown = { view: 0, filter: null };
let held = 0;
/** The last refresh asked ahead. */
let asked = null;
/** Views of `select` questions, numbered below zero (the page numbers its refreshes from one). */
let selects = 0;

function hold() {
  if (held === shown.view || shown.filter === null) return;
  inspector.select(shown.filter);
  held = shown.view;
}

/**
 * A filter change's one question for view `request.view`: the core's refresh (histogram, facet
 * counts, the selection's size) and, with `rows` ({count, desc}), the table's first `count` rows in
 * its order, as `first: {offset, rows}` (the rows from `offset` on, in time order): only what the
 * table shows first, since rows are the costliest part of the answer to build and to copy.
 */
function refresh(request) {
  const answer = inspector.refresh({ ...request, filter: whole(request.filter), histogram: whole(request.histogram) });
  answer.facets = answer.facets.map(shownCounts);
  held = request.view;
  if (request.rows) {
    const { count, desc } = request.rows;
    const n = Math.min(count, answer.total);
    const offset = desc ? answer.total - n : 0;
    answer.first = { offset, rows: inspector.rows(offset, n) };
  }
  return answer;
}

/** Bytes hashed per slice: a file is never held whole in memory. */
const HASH_SLICE = 8 << 20;

/**
 * The printable report. Each file read to its end is hashed once (SHA-256 of its bytes as dropped,
 * over slices of the Blob, with progress), here rather than during ingest, which stays as fast.
 */
async function report(thresholds) {
  const files = inspector.summary().files;
  const todo = sources.filter((src, id) => src && src.sha256 === undefined && files[id]?.bytes === src.blob.size);
  const total = todo.reduce((n, src) => n + src.blob.size, 0);
  let done = 0;
  post({ type: 'report-progress', done, total });
  for (const src of todo) {
    const hasher = new FileHasher();
    for (let at = 0; at < src.blob.size; at += HASH_SLICE) {
      hasher.update(new Uint8Array(await src.blob.slice(at, at + HASH_SLICE).arrayBuffer()));
      done += Math.min(HASH_SLICE, src.blob.size - at);
      post({ type: 'report-progress', done, total });
    }
    src.sha256 = hasher.finish();
  }
  return inspector.report(thresholds ?? null, Array.from(files, (_, id) => sources[id]?.sha256 ?? null));
}

/** Events per page asked of the core while exporting. */
const EXPORT_PAGE = 5000;

/**
 * The events matching `filter` as a CSV Blob, built from pages of rows. Runs without awaiting, so
 * no other question can change the core's selection in between.
 */
function exportCsv(filter) {
  const total = inspector.select(filter);
  held = null;
  const parts = [];
  for (let offset = 0; offset === 0 || offset < total; offset += EXPORT_PAGE) {
    parts.push(inspector.csv_page(offset, EXPORT_PAGE));
  }
  return { blob: new Blob(parts, { type: 'text/csv' }), events: total };
}

/**
 * The original JSON of the events matching `filter`, one record per line, as a Blob: where each
 * record is comes from the core (read at once, so later questions cannot change the selection),
 * then plain files are sliced per event and each gzip file is decompressed once.
 */
async function exportNdjson(filter) {
  const total = inspector.select(filter);
  held = null;
  const file = new Uint16Array(total);
  const offset = new Float64Array(total);
  const len = new Uint32Array(total);
  for (let k = 0; k < total; k += EXPORT_PAGE) {
    const at = inspector.locate_page(k, EXPORT_PAGE);
    file.set(at.file, k);
    offset.set(at.offset, k);
    len.set(at.len, k);
  }
  const texts = new Array(total);
  const byFile = new Map();
  for (let k = 0; k < total; k++) {
    if (!byFile.has(file[k])) byFile.set(file[k], []);
    byFile.get(file[k]).push(k);
  }
  let done = 0;
  for (const [id, events] of byFile) {
    const src = sources[id];
    if (!src) throw new Error('a file of these events is no longer available');
    if (src.gzip) {
      await readGzipSpans(src.blob, events, offset, len, texts);
      done += events.length;
    } else {
      for (let b = 0; b < events.length; b += 256) {
        await Promise.all(events.slice(b, b + 256).map(async (k) => {
          const bytes = await src.blob.slice(offset[k], offset[k] + len[k]).arrayBuffer();
          texts[k] = decoder.decode(bytes);
        }));
        done += Math.min(256, events.length - b);
        post({ type: 'export-progress', done, total });
      }
    }
    post({ type: 'export-progress', done, total });
  }
  const lines = texts.map((t) => `${t.replace(/[\r\n]/g, ' ')}\n`);
  return { blob: new Blob(lines, { type: 'application/x-ndjson' }), events: total };
}

/** One decompression pass over a gzip file, copying out the spans of `events` (by event position). */
async function readGzipSpans(blob, events, offset, len, texts) {
  const order = [...events].sort((a, b) => offset[a] - offset[b]);
  const bufs = new Map(order.map((k) => [k, new Uint8Array(len[k])]));
  let first = 0;
  let pos = 0;
  const reader = blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  try {
    while (first < order.length) {
      const { value, done } = await reader.read();
      if (done) break;
      const end = pos + value.byteLength;
      for (let j = first; j < order.length && offset[order[j]] < end; j++) {
        const k = order[j];
        const a = Math.max(offset[k], pos);
        const b = Math.min(offset[k] + len[k], end);
        if (b > a) bufs.get(k).set(value.subarray(a - pos, b - pos), a - offset[k]);
      }
      while (first < order.length && offset[order[first]] + len[order[first]] <= end) first++;
      pos = end;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  for (const k of order) texts[k] = decoder.decode(bufs.get(k));
}

/**
 * The original text of one record, its first `limit` bytes at most (a Blob): a slice of the file,
 * or of its decompressed stream.
 */
async function originalBlob(at, limit = Infinity) {
  const src = sources[at.file];
  if (!src) throw new Error('the file is no longer available');
  const len = Math.min(at.len, limit);
  const start = at.offset;
  const end = start + len;
  if (!src.gzip) return src.blob.slice(start, end, 'text/plain');
  const out = new Uint8Array(len);
  let filled = 0;
  let pos = 0;
  const reader = src.blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  try {
    while (filled < len) {
      const { value, done } = await reader.read();
      if (done) break;
      const a = Math.max(start - pos, 0);
      const b = Math.min(end - pos, value.byteLength);
      if (b > a) {
        out.set(value.subarray(a, b), filled);
        filled += b - a;
      }
      pos += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return new Blob([out.subarray(0, filled)], { type: 'text/plain' });
}

/** The original text of one record, its first `limit` bytes at most (never half a character). */
async function original(at, limit) {
  const bytes = new Uint8Array(await (await originalBlob(at, limit)).arrayBuffer());
  return new TextDecoder('utf-8').decode(bytes, { stream: at.len > limit });
}
