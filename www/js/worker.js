// The module Web Worker that owns the wasm core. It reads files (File.stream()), pushes their
// bytes into the core, reports progress, answers the page's small questions, and reads the
// original JSON of one event back from the file on demand. The page never parses anything.

import init, { Inspector, default_thresholds, demo_bytes, level_explanation, mfa_levels } from '../authtrail-wasm.js';

/** @type {Inspector} */
let inspector;
/** The wasm instance's linear memory (its size is reported with each finished file). */
let memory;
/** Per store file index: the Blob and how to find bytes in it. */
const sources = [];
const queue = [];
const cancelled = new Set();
let running = false;
const decoder = new TextDecoder('utf-8');

const post = (message) => self.postMessage(message);

/**
 * Lets queued messages (a cancel, a question) run: buffered stream reads resolve as microtasks, so
 * without this a whole file can be read before a cancel is seen. A timer task runs after the
 * messages already queued (a MessageChannel task may be scheduled ahead of them).
 */
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));
const errorText = (e) => (e && e.message) || String(e);

const ready = init()
  .then((wasm) => {
    memory = wasm.memory;
    inspector = new Inspector();
    post({ type: 'ready' });
  })
  .catch((e) => {
    post({ type: 'fatal', message: `The wasm core could not start: ${errorText(e)}` });
    throw e;
  });

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch {
    if (data.type === 'ask') post({ reply: data.id, error: 'the wasm core did not start' });
    return;
  }
  switch (data.type) {
    case 'files':
      for (const { key, file } of data.files) enqueue(key, file.name, file);
      pump();
      break;
    case 'demo': {
      try {
        const bytes = demo_bytes(data.size);
        const file = new File([bytes], 'authtrail-demo.ndjson', { type: 'application/x-ndjson' });
        enqueue(data.key, file.name, file);
        pump();
      } catch (e) {
        post({ type: 'failed', key: data.key, message: errorText(e) });
      }
      break;
    }
    case 'cancel':
      cancelled.add(data.key);
      break;
    case 'ask':
      answer(data);
      break;
    default:
      break;
  }
};

function enqueue(key, name, blob) {
  queue.push({ key, name, blob });
  post({ type: 'queued', key, name, size: blob.size });
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
      post({ type: 'failed', key: job.key, message: `${job.name}: ${errorText(e)}` });
    }
    cancelled.delete(job.key);
  }
  running = false;
  post({ type: 'idle' });
}

/** Streams one file into the core; a cancelled or failed read is finished too (what was read stays). */
async function readOne(job) {
  const id = inspector.begin_file(job.name);
  sources[id] = { blob: job.blob, gzip: false };
  post({ type: 'start', key: job.key, file: id });
  let done = 0;
  let last = 0;
  let error = null;
  try {
    const reader = job.blob.stream().getReader();
    for (;;) {
      if (cancelled.has(job.key)) {
        await reader.cancel();
        break;
      }
      const { value, done: end } = await reader.read();
      if (end) break;
      inspector.push(id, value);
      done += value.byteLength;
      const now = performance.now();
      if (now - last > 50) {
        last = now;
        post({ type: 'progress', key: job.key, done, size: job.blob.size });
        await yieldToMessages();
      }
    }
  } catch (e) {
    error = `reading stopped: ${errorText(e)}`;
  }
  const summary = inspector.finish(id);
  sources[id].gzip = summary.format.startsWith('gzip');
  post({ type: 'done', key: job.key, file: id, summary, done, size: job.blob.size, cancelled: cancelled.has(job.key), error, wasmBytes: memory.buffer.byteLength });
}

async function answer({ id, method, args }) {
  try {
    const value = await METHODS[method](...(args ?? []));
    post({ reply: id, value });
  } catch (e) {
    post({ reply: id, error: errorText(e) });
  }
}

const METHODS = {
  summary: () => inspector.summary(),
  diagnostics: (limit) => inspector.diagnostics(limit),
  histogram: (from, to, bins, filter) => inspector.histogram(from, to, bins, filter),
  facets: (facet, filter, limit) => inspector.facets(facet, filter, limit),
  select: (filter) => inspector.select(filter),
  rows: (offset, limit) => inspector.rows(offset, limit),
  accountHistory: () => inspector.account_history(),
  userHistory: () => inspector.user_history(),
  levels: () => mfa_levels().map((level) => ({ level, explanation: level_explanation(level) })),
  explain: (level) => level_explanation(level),
  findings: (thresholds) => inspector.findings(thresholds ?? null),
  defaultThresholds: () => default_thresholds(),
  stateAt: (time) => inspector.state_at(time),
  detail: async (i) => {
    const event = inspector.event(i);
    const at = inspector.locate(i);
    let json = '';
    let jsonError = null;
    try {
      json = await original(at);
    } catch (e) {
      jsonError = errorText(e);
    }
    return { index: i, event, at, json, jsonError };
  },
};

/** The original text of one record: a slice of the file, or of its decompressed stream. */
async function original(at) {
  const src = sources[at.file];
  if (!src) throw new Error('the file is no longer available');
  const start = at.offset;
  const end = start + at.len;
  if (!src.gzip) {
    return decoder.decode(await src.blob.slice(start, end).arrayBuffer());
  }
  const out = new Uint8Array(at.len);
  let filled = 0;
  let pos = 0;
  const reader = src.blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  try {
    while (filled < at.len) {
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
  return decoder.decode(out.subarray(0, filled));
}
