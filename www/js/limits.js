// How much the tab can hold, and whether files will fit, estimated before reading them. Pure
// helpers (the only I/O is reading a gzip file's last 4 bytes); no DOM here.

/** wasm32 linear memory is at most 4 GiB. */
export const WASM_MAX_BYTES = 4 * 2 ** 30;
/** The store holds about 56 bytes per event (README, Performance). */
export const STORE_BYTES_PER_EVENT = 56;
/** Its columns grow by doubling: up to twice that while a file is read. */
const PEAK_BYTES_PER_EVENT = 2 * STORE_BYTES_PER_EVENT;
/**
 * The default events cap: half of the memory for the events at their peak (the rest for the code,
 * the strings, the de-duplication keys and the answers), rounded down to a million: 19,000,000.
 */
export const DEFAULT_MAX_EVENTS = Math.floor(WASM_MAX_BYTES / 2 / PEAK_BYTES_PER_EVENT / 1e6) * 1e6;
/**
 * Bytes of text per record when estimating, on the small side of real exports (IAM logins are
 * 600-900 bytes, Verify events 1-2 KB): estimates err towards more events.
 */
export const TEXT_BYTES_PER_RECORD = 500;
/** JSON logs compress 8-20 times; gzip trailers that say less are read as this ratio. */
const GZIP_RATIO = 10;

/**
 * The uncompressed size of a gzip file from its trailer (ISIZE: the last member's size mod 2^32).
 * A trailer saying less than 5 times the compressed size is the last of several members, or a file
 * over 4 GiB: then the usual ratio is assumed.
 */
function gunzippedSize(isize, compressed) {
  return isize >= compressed * 5 ? isize : compressed * GZIP_RATIO;
}

/** `{text, gzip}`: a file's (estimated) uncompressed size, and whether it is gzip. */
async function textSize(file) {
  if (file.size < 18) return { text: file.size, gzip: false };
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return { text: file.size, gzip: false };
  const tail = new DataView(await file.slice(file.size - 4).arrayBuffer());
  return { text: gunzippedSize(tail.getUint32(0, true), file.size), gzip: true };
}

/**
 * What reading `files` would take: `{text, events, memory, gzip}` (bytes of text, events, bytes
 * of wasm memory at the peak; `gzip` when some sizes come from gzip trailers).
 */
export async function estimate(files) {
  const sizes = await Promise.all([...files].map(textSize));
  const text = sizes.reduce((a, s) => a + s.text, 0);
  const events = Math.ceil(text / TEXT_BYTES_PER_RECORD);
  return { text, events, memory: events * PEAK_BYTES_PER_EVENT, gzip: sizes.some((s) => s.gzip) };
}

/**
 * Why `guess` (from `estimate`) cannot be read whole with `limits` when `kept` events are already
 * in the tab: a list of reasons, empty when it fits.
 */
export function misfit(guess, limits, kept = 0) {
  const reasons = [];
  const room = limits.max_events - kept;
  if (guess.events > room) reasons.push('cap');
  if ((kept + Math.min(guess.events, room)) * PEAK_BYTES_PER_EVENT > WASM_MAX_BYTES) reasons.push('memory');
  return reasons;
}
