// A worker that reads a later part of a large NDJSON file (from the start of a line to the start
// of the next part, or the end) while the core's worker (js/worker.js, which starts it) reads what
// comes before: into a StretchReader of a wasm instance of its own, on another core. The core's
// worker then takes its events and accounting over (Inspector.absorb) as if it had read them
// itself, or, when the part is not plain NDJSON lines, reads that part after all.
//
// Messages: in, first `{ type: 'wasm', module }` (the core's worker's compiled wasm, instantiated
// here), then, each with the read's `id`, `{ type: 'read', id, blob, name, options }` (`options`:
// the limits the file is read with) or `{ type: 'stop', id }`; out, `{ type: 'progress', id, fed }`
// after each piece, then `{ type: 'part', id, bytes }` (what StretchReader.finish gives) or
// `{ type: 'failed', id, message }`.

import init, { StretchReader } from '../authtrail-wasm.js';
import { fileReader } from './pieces.js';

const errorText = (e) => (e && e.message) || String(e);

const pieces = fileReader('authtrail-stretch-reader');

let arrived;
const wasmModule = new Promise((resolve) => { arrived = resolve; });

/**
 * The instance, of the module the core's worker sent. V8 keeps one compiled code per module, shared
 * by its instances in every worker: what the core's warm-up got optimized is optimized here too, so
 * there is no warm-up here (a large file dropped just after the page was ready read as fast
 * without one, and opening the page takes less CPU).
 */
const ready = wasmModule.then((module) => init({ module_or_path: module }));

const stopped = new Set();

self.onmessage = async ({ data }) => {
  if (data.type === 'wasm') {
    arrived(data.module);
    return;
  }
  if (data.type === 'stop') {
    stopped.add(data.id);
    return;
  }
  if (data.type !== 'read') return;
  try {
    await ready;
    await readStretch(data);
  } catch (e) {
    self.postMessage({ type: 'failed', id: data.id, message: errorText(e) });
  } finally {
    stopped.delete(data.id);
  }
};

async function readStretch({ id, blob, name, options }) {
  const stretch = new StretchReader(name, options);
  try {
    for await (const { bytes, fed } of pieces(blob, false)) {
      if (stopped.has(id)) return;
      stretch.push(bytes);
      self.postMessage({ type: 'progress', id, fed });
    }
    if (stopped.has(id)) return;
    const bytes = stretch.finish();
    self.postMessage({ type: 'part', id, bytes }, [bytes.buffer]);
  } finally {
    stretch.free();
  }
}
