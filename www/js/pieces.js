// The reading side of a worker that pushes files into a wasm core (js/worker.js, js/stretch.js):
// a reader worker of its own (js/reader.js) and the pieces it hands over.

import { startWorker } from './start-worker.js';

/** Bytes handed to the core at a time, at most: a few large pushes cost less than many small ones. */
export const PIECE = 8 << 20;
/**
 * Pieces read (and, for gzip, decompressed) that the core has not taken yet, at most: the one it is
 * reading and the next ones, ready when it is done.
 */
const AHEAD = 2;

/** The decompressed text cannot be read to its end: the gzip stream is damaged. */
export class GzipDamaged extends Error {}

/**
 * Starts a reader worker named `name` (now, so that reading a file later requests nothing) and
 * returns `pieces(blob, gzip)`: the file's bytes, or a gzip file's decompressed text, in pieces of
 * up to PIECE bytes (the first ones smaller, so that the core starts sooner) with the file's bytes
 * read so far (`{ bytes, fed }`), read on the reader's thread up to AHEAD pieces ahead. The read
 * starts when `pieces` is called, so a file's first pieces can be read while the core still takes
 * the file before it; `stop()` on what it returns drops a read that will not be taken. Each piece
 * comes in a message task of its own, so the worker's other messages (a cancel, a question) run
 * between pieces, in the order they came. A piece's bytes are only good until the next piece is
 * asked for: their buffer then goes back to the reader to be filled again. A failed file read
 * ends it with that error, a damaged gzip stream with GzipDamaged, after the text before the
 * damage.
 */
export function fileReader(name) {
  const reader = startWorker('reader.js', { name });
  /** Reads asked of it so far (each read's id). */
  let reads = 0;
  /** The reads under way, by id: the messages each has not taken yet, and `wake` to end a wait for one. */
  const reading = new Map();
  /** Why the reader could not start, if it could not. */
  let broken = null;
  reader.onmessage = ({ data }) => {
    const read = reading.get(data.id);
    if (!read) return; // a piece of a read already stopped
    read.arrived.push(data);
    read.wake?.();
  };
  reader.onerror = (e) => {
    e.preventDefault();
    broken = e.message || 'the file reader did not start';
    for (const read of reading.values()) {
      read.arrived.push({ type: 'failed', damaged: false, message: broken });
      read.wake?.();
    }
  };

  return function pieces(blob, gzip) {
    const id = ++reads;
    const read = { arrived: [], wake: null };
    reading.set(id, read);
    if (broken) read.arrived.push({ type: 'failed', damaged: false, message: broken });
    else reader.postMessage({ type: 'read', id, blob, gzip, piece: PIECE, ahead: AHEAD });
    let over = false;
    const stop = () => {
      if (!reading.delete(id) || over) return;
      over = true;
      reader.postMessage({ type: 'stop', id });
    };
    async function* take() {
      try {
        for (;;) {
          while (!read.arrived.length)
            await new Promise((resolve) => {
              read.wake = resolve;
            });
          read.wake = null;
          const m = read.arrived.shift();
          if (m.type === 'end') {
            over = true;
            return;
          }
          if (m.type === 'failed') {
            over = true;
            throw m.damaged ? new GzipDamaged(m.message) : new Error(m.message);
          }
          yield m;
          // The piece's bytes were copied into the core: its buffer goes back to be filled again.
          reader.postMessage({ type: 'taken', id, buffer: m.bytes.buffer }, [m.bytes.buffer]);
        }
      } finally {
        stop();
      }
    }
    return Object.assign(take(), { stop });
  };
}
