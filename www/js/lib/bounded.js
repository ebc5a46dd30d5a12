// What the worker hands the page is at most a screenful per text: a longer value (a field of a
// forged record can be megabytes) is cut, with a mark saying how long it was. Laying out or even
// copying such a text froze the tab for seconds; the whole of it stays in the file, where the
// detail pane's Copy reads it from. Pure: no DOM here.

/**
 * The longest text handed to the page, in UTF-16 code units: about what a screen shows. The core
 * keeps at most a few KB of a field, so what it holds passes whole; this cuts what it does not bound.
 */
export const SCREENFUL = 16_384;

const COUNT = new Intl.NumberFormat('en-US');

/** The bytes of a text in UTF-8. */
export function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

/** The mark after a cut text: how long the whole is. */
export const cutMark = (bytes) => `… [cut: ${COUNT.format(bytes)} bytes in all]`;

/**
 * `text` when it is at most `limit` code units long, else its beginning (never half a surrogate
 * pair) followed by the cut mark, `limit` code units at most in all: cut again, it stays as it is.
 */
export function cut(text, limit = SCREENFUL) {
  if (text.length <= limit) return text;
  const mark = cutMark(utf8Length(text));
  let end = Math.max(0, limit - mark.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + mark;
}

/**
 * `value` with every string in it, at any depth of its plain objects and arrays, cut to `limit`;
 * the objects and arrays are changed in place. Anything else (typed arrays, Blobs) is left as it is.
 */
export function bound(value, limit = SCREENFUL) {
  if (typeof value === 'string') return cut(value, limit);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = bound(value[i], limit);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) value[key] = bound(value[key], limit);
  }
  return value;
}
