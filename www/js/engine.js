// The only module that talks to the worker (and so to the wasm core). It turns the worker's
// messages into promises (questions) and events (ingest progress).

import { startWorker } from './start-worker.js';

const worker = startWorker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'authtrail-core' });
const pending = new Map();
const listeners = new Set();
let nextId = 1;
let nextKey = 1;

worker.onmessage = ({ data }) => {
  if (data.reply !== undefined) {
    const p = pending.get(data.reply);
    pending.delete(data.reply);
    if (!p) return;
    if (data.error !== undefined) p.reject(new Error(data.error));
    else p.resolve(data.value);
    return;
  }
  for (const f of listeners) f(data);
};

worker.onerror = (e) => {
  e.preventDefault();
  const message = `The background reader stopped: ${e.message || 'the worker script could not load'}`;
  for (const p of pending.values()) p.reject(new Error(message));
  pending.clear();
  for (const f of listeners) f({ type: 'fatal', message });
};

/** Listens to ingest events: ready, queued, start, progress, done, failed, idle, fatal. */
export function on(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Asks the core something small; resolves with the answer. */
export function ask(method, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ type: 'ask', id, method, args });
  });
}

/** Hands files to the worker, to be read with `options` (caps and subset); returns their keys in order. */
export function read(files, options = null) {
  const list = [...files].map((file) => ({ key: `f${nextKey++}`, file }));
  worker.postMessage({ type: 'files', files: list, options, threads: navigator.hardwareConcurrency });
  return list.map((f) => f.key);
}

/** Generates the demo export in the worker and reads it like a dropped file; returns its key. */
export function readDemo(size, options = null) {
  const key = `f${nextKey++}`;
  worker.postMessage({ type: 'demo', key, size, options });
  return key;
}

export function cancel(key) {
  worker.postMessage({ type: 'cancel', key });
}
