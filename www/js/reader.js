// The reading half of the core's worker (js/worker.js starts it): reads a file
// (`File.stream()`), or a gzip file's decompressed text (the browser's DecompressionStream), and
// hands the bytes over in pieces, transferred, at most a few pieces ahead of what the core has
// taken. On a thread of its own, reading and inflating overlap the parsing instead of taking turns
// with it: a Blob read's bytes reach the thread that asked for them only while that thread is idle.
//
// One reader serves the worker for as long as it runs (started with it, so that reading a file
// requests nothing). It may be reading two files at once: the one the core is taking and the next
// one, whose first pieces are then ready when the core is done with the one before. Messages,
// each with the read's `id`: in,
// `{ type: 'read', id, blob, gzip, piece, ahead }` (`piece`: the largest piece's size; `ahead`: the
// pieces it may send before the first is taken), then `{ type: 'taken', id, buffer }` for each
// piece the core has taken (its buffer, given back to be filled again), or `{ type: 'stop', id }`
// when the worker stops early (a cancel); out,
// `{ type: 'piece', id, bytes, fed }` (`fed`: the file's bytes read so far, compressed ones for
// gzip), then `{ type: 'end', id }` or `{ type: 'failed', id, damaged, message }` (`damaged`: the
// gzip stream cannot be decompressed to its end; otherwise the file could not be read).

/**
 * The first piece's size; each next one is twice as large, up to the `piece` size asked for: the
 * core starts sooner, and then takes few large pieces.
 */
const FIRST = 1 << 20;
/** Compressed bytes read at a time for DecompressionStream. */
const GZIP_SLICE = 1 << 20;
/**
 * Compressed bytes written to it at a time: it inflates a write all at once, and the output of the
 * write that fails (a damaged stream) is lost with the stream, so this bounds what damage costs.
 */
const GZIP_WRITE = 64 << 10;
/** Reads kept in flight ahead of the compressed piece being inflated. */
const GZIP_AHEAD = 2;

const errorText = (e) => (e && e.message) || String(e);

/**
 * The reads under way, by id: each with the pieces the worker may still be sent (`credit`, each
 * `taken` adds one), `wake` to end a wait for credit, and `stopped` once the worker stopped it.
 */
const reads = new Map();
/**
 * The buffers the worker gave back while files are being read, for any of the reads: filling one
 * again spares the page faults and zeroing of a new one.
 */
const spare = [];

self.onmessage = ({ data }) => {
  if (data.type === 'read') {
    const read = { id: data.id, credit: data.ahead, wake: null, stopped: false };
    reads.set(read.id, read);
    readFile(read, data)
      .catch((e) => {
        if (!read.stopped) self.postMessage({ id: read.id, type: 'failed', damaged: false, message: errorText(e) });
      })
      .finally(() => {
        reads.delete(read.id);
        // Nothing is being read: the buffers are not kept for a load that may never come.
        if (!reads.size) spare.length = 0;
      });
    return;
  }
  const read = reads.get(data.id);
  if (data.type === 'taken') {
    if (reads.size) spare.push(data.buffer);
    if (read) read.credit += 1;
  }
  if (!read) return; // a read already over
  if (data.type === 'stop') read.stopped = true;
  read.wake?.();
};

/** A buffer of `size` bytes: one the worker has given back, or a new one. */
function buffer(size) {
  const i = spare.findIndex((b) => b.byteLength === size);
  return i < 0 ? new Uint8Array(size) : new Uint8Array(spare.splice(i, 1)[0]);
}

/** Sends one piece once the worker may take it; false when the read was stopped. */
async function send(read, bytes, fed) {
  while (read.credit === 0 && !read.stopped) await new Promise((resolve) => { read.wake = resolve; });
  read.wake = null;
  if (read.stopped) return false;
  read.credit -= 1;
  self.postMessage({ id: read.id, type: 'piece', bytes, fed }, [bytes.buffer]);
  return true;
}

async function readFile(read, { blob, gzip, piece }) {
  // The bytes in batches (the core reads the same whatever the chunking); what was read before a
  // failure is sent before the failure.
  let size = FIRST;
  let batch = null;
  let filled = 0;
  let fed = 0;
  const flush = async () => {
    if (filled === 0) return true;
    const sent = await send(read, batch.subarray(0, filled), fed);
    size = Math.min(2 * size, piece);
    batch = null;
    filled = 0;
    return sent;
  };
  try {
    const chunks = gzip ? gunzip(blob, (n) => { fed += n; }) : plain(blob, (n) => { fed += n; });
    for await (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength;) {
        batch ??= buffer(size);
        const n = Math.min(chunk.byteLength - at, size - filled);
        batch.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === size && !(await flush())) return;
      }
      if (read.stopped) return;
    }
  } catch (e) {
    if ((await flush()) && !read.stopped) {
      self.postMessage({ id: read.id, type: 'failed', damaged: e instanceof GzipDamaged, message: errorText(e) });
    }
    return;
  }
  if ((await flush()) && !read.stopped) self.postMessage({ id: read.id, type: 'end' });
}

/**
 * A file's bytes as `File.stream()` gives them (`fed(n)` is told each chunk's size): its chunks of
 * a few hundred kilobytes cost the browser less work than large `slice()` reads (measured in
 * docs/performance.md), and the copy into a batch costs little here.
 */
async function* plain(blob, fed) {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      fed(value.byteLength);
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** A file's bytes in `size` pieces, the next `ahead` pieces read while the current one is used. */
async function* slices(blob, size, ahead) {
  let at = 0;
  const pending = [];
  const readNext = () => {
    if (at >= blob.size) return;
    const p = blob.slice(at, at + size).arrayBuffer();
    p.catch(() => {}); // a read still pending when the caller stops is not an unhandled rejection
    pending.push(p);
    at += size;
  };
  for (let k = 0; k <= ahead; k++) readNext();
  while (pending.length) {
    const bytes = new Uint8Array(await pending.shift());
    readNext();
    yield bytes;
  }
}

/** The decompressed text cannot be read to its end: the gzip stream is damaged. */
class GzipDamaged extends Error {}

/**
 * A gzip file's decompressed text (DecompressionStream), fed with GZIP_SLICE pieces; `fed(n)` is told
 * the compressed bytes handed over. A failed file read ends it with that error, a damaged stream
 * with GzipDamaged.
 */
async function* gunzip(blob, fed) {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let readError = null;
  const feeding = (async () => {
    const pieces = slices(blob, GZIP_SLICE, GZIP_AHEAD);
    for (;;) {
      let piece;
      try {
        piece = await pieces.next();
      } catch (e) {
        readError = e;
        await writer.abort(e);
        return;
      }
      if (piece.done) break;
      for (let at = 0; at < piece.value.byteLength; at += GZIP_WRITE) {
        await writer.write(piece.value.subarray(at, at + GZIP_WRITE));
      }
      fed(piece.value.byteLength);
    }
    // A write is inflated only once the reader has taken all earlier output, so this empty one
    // resolves when everything is read: a truncated stream fails at close() without losing text.
    await writer.write(new Uint8Array(0));
    await writer.close();
  })();
  // A failed write means the stream failed: the reader below sees why.
  feeding.catch(() => {});
  try {
    for (;;) {
      let step;
      try {
        step = await reader.read();
      } catch (e) {
        if (readError) throw readError;
        throw new GzipDamaged(errorText(e));
      }
      if (step.done) break;
      yield step.value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
