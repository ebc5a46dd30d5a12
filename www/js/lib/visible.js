// Names from the logs shown so that what cannot be seen can be: control characters (C0, DEL, C1)
// and format characters (Unicode category Cf: bidi embeddings, overrides and isolates, the
// left-to-right and right-to-left marks, zero-width spaces and joiners, the word joiner, the
// byte order mark, the soft hyphen...) become `⟨U+202E⟩`, and so do the spaces that begin or end
// a value. Two names that differ only by such characters then look different, and a bidi override
// in a name cannot reorder the page's text after it. The same definition as the core's. Pure: no
// DOM here.

/** Characters that show nothing, or that change how the text around them is shown. */
const HIDDEN = /[\p{Cc}\p{Cf}]/gu;
/** The same characters but line feed, carriage return and tab: the layout of a text block. */
const HIDDEN_BUT_LAYOUT = /[^\P{Cc}\t\n\r]|\p{Cf}/gu;
const EDGE_SPACES = /^ +| +$/g;
const ANY = /[\p{Cc}\p{Cf}]|^ | $/u;

/** `⟨U+202E⟩`: a code point as four or more uppercase hex digits. */
export const codePoint = (c) => `⟨U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`;

/**
 * A name as shown: each control or format character as `⟨U+XXXX⟩`, and each space before the first
 * other character or after the last one as `⟨U+0020⟩`. Anything else is kept, null stays null.
 */
export function visible(text) {
  if (text == null) return text;
  const s = String(text);
  if (!ANY.test(s)) return s;
  return s.replace(HIDDEN, codePoint).replace(EDGE_SPACES, (run) => '⟨U+0020⟩'.repeat(run.length));
}

/**
 * A block of text as shown (a record's original JSON): as `visible`, but its line feeds, carriage
 * returns and tabs are kept, and so are its spaces, which are its layout.
 */
export function visibleBlock(text) {
  if (text == null) return text;
  return String(text).replace(HIDDEN_BUT_LAYOUT, codePoint);
}
