// The only module that talks to the worker (and so to the wasm core). It turns the worker's
// messages into promises (questions) and events (ingest progress).
//
// When the core stops (its wasm memory ran out: an instance that trapped cannot be called again,
// and its memory cannot shrink), it starts a new worker and hands it again everything the old one
// was handed, in the same order, but the file that stopped it: what was read is read again (a file
// whose read was cancelled or failed, as far as it went), what was queued is read next.

import { startWorker } from './start-worker.js';

/** The error of a question the core stopped before answering; the `replaced` event tells why. */
export class CoreReplaced extends Error {}

const pending = new Map();
const listeners = new Set();
let nextId = 1;
let nextKey = 1;

/**
 * What the worker was handed to read, in order: `{ key, name, file | demo, options, threads,
 * state, again }`. `state`: 'queued' until read, then 'read', or 'dropped' (it failed, or it
 * stopped a core); `again`: of a read that kept only part of the file, what it kept (worker.js
 * `enqueue`), so that a new core keeps the same.
 */
const given = [];

function emit(message) {
  for (const f of listeners) f(message);
}

function start() {
  const w = startWorker('worker.js', { name: 'authtrail-core' });
  w.onmessage = ({ data }) => {
    if (w !== worker) return;
    if (data.reply !== undefined) {
      const p = pending.get(data.reply);
      pending.delete(data.reply);
      if (!p) return;
      if (data.error !== undefined) p.reject(new Error(data.error));
      else p.resolve(data.value);
      return;
    }
    const entry = given.find((g) => g.key === data.key);
    if (data.type === 'broken') {
      replace(data);
      return;
    }
    if (entry && data.type === 'done') {
      entry.state = 'read';
      entry.again = data.cancelled || data.error ? { text: data.text, cancelled: data.cancelled, error: data.error } : null;
    }
    if (entry && data.type === 'failed') entry.state = 'dropped';
    emit(data);
  };
  w.onerror = (e) => {
    e.preventDefault();
    const message = `The background reader stopped: ${e.message || 'the worker script could not load'}`;
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
    emit({ type: 'fatal', message });
  };
  return w;
}

let worker = start();

/** Hands an entry of `given` to the worker. */
function send(entry) {
  const { key, file, demo, options, threads, again } = entry;
  if (demo) worker.postMessage({ type: 'demo', key, size: demo, options, again });
  else worker.postMessage({ type: 'files', files: [{ key, file, again }], options, threads });
}

/**
 * The core stopped, on the file of `key` (null: on a question, then the last file read is taken
 * for the cause): a new worker reads again all it was handed but that file. Emits `replaced`:
 * `{ key, name, read (whether that file had been read), message, wasmBytes, again (the keys of
 * the files read again) }`.
 */
function replace({ key, message, wasmBytes }) {
  worker.terminate();
  for (const p of pending.values()) p.reject(new CoreReplaced('the core stopped and is being replaced'));
  pending.clear();
  const cause = key != null ? given.find((g) => g.key === key) : given.findLast((g) => g.state === 'read');
  const read = cause?.state === 'read';
  if (cause) cause.state = 'dropped';
  const again = given.filter((g) => g.state === 'read').map((g) => g.key);
  worker = start();
  for (const g of given) {
    if (g.state === 'dropped') continue;
    g.state = 'queued';
    send(g);
  }
  emit({ type: 'replaced', key: cause?.key ?? null, name: cause?.name ?? null, read, message, wasmBytes, again });
}

/**
 * Listens to ingest events: ready, queued, start, progress, done, failed, idle, fatal, and
 * replaced (the core stopped and a new one reads the files again, see `replace`).
 */
export function on(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Asks the core something small; resolves with the answer (rejects with CoreReplaced if it stops). */
export function ask(method, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ type: 'ask', id, method, args });
  });
}

/** Hands files to the worker, to be read with `options` (caps and subset); returns their keys in order. */
export function read(files, options = null) {
  const threads = navigator.hardwareConcurrency;
  const list = [...files].map((file) => ({ key: `f${nextKey++}`, name: file.name, file, options, threads, state: 'queued', again: null }));
  given.push(...list);
  worker.postMessage({ type: 'files', files: list.map(({ key, file }) => ({ key, file })), options, threads });
  return list.map((f) => f.key);
}

/** Generates the demo export in the worker and reads it like a dropped file; returns its key. */
export function readDemo(size, options = null) {
  const entry = { key: `f${nextKey++}`, name: 'authtrail-demo.ndjson', demo: size, options, state: 'queued', again: null };
  given.push(entry);
  send(entry);
  return entry.key;
}

export function cancel(key) {
  worker.postMessage({ type: 'cancel', key });
}
