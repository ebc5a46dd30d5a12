// Unit tests of www/js/lib/visible.js: how the page shows names that hold invisible or bidi
// characters. No browser: `node --test tests/e2e/unit/`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visible, visibleBlock } from '../../../www/js/lib/visible.js';

test('visible: plain names, numbers and null pass through', () => {
  for (const name of ['alice@acme.example', 'Zoë Ñúñez', 'Иван', 'שרה', '日本', 'a b', '', '😀 x']) {
    assert.equal(visible(name), name);
  }
  assert.equal(visible(null), null);
  assert.equal(visible(undefined), undefined);
  assert.equal(visible(42), '42');
});

test('visible: C0 and C1 controls and DEL', () => {
  assert.equal(visible('a\u0000b'), 'a⟨U+0000⟩b');
  assert.equal(visible('a\tb\nc\rd'), 'a⟨U+0009⟩b⟨U+000A⟩c⟨U+000D⟩d');
  assert.equal(visible('\u001b[2Kx'), '⟨U+001B⟩[2Kx');
  assert.equal(visible('a\u007fb'), 'a⟨U+007F⟩b');
  assert.equal(visible('a\u0085b\u009bc'), 'a⟨U+0085⟩b⟨U+009B⟩c');
});

test('visible: bidi embeddings, overrides, isolates and marks', () => {
  for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c]) {
    const hex = cp.toString(16).toUpperCase().padStart(4, '0');
    assert.equal(visible(`x${String.fromCodePoint(cp)}y`), `x⟨U+${hex}⟩y`, `U+${hex}`);
  }
  assert.equal(visible('\u202etarget.name(user)gnp.exe\u202c'), '⟨U+202E⟩target.name(user)gnp.exe⟨U+202C⟩');
});

test('visible: zero-width characters, word joiner, byte order mark, soft hyphen', () => {
  assert.equal(visible('al\u200bice'), 'al⟨U+200B⟩ice');
  assert.equal(visible('al\u200cice\u200d'), 'al⟨U+200C⟩ice⟨U+200D⟩');
  assert.equal(visible('\u2060alice'), '⟨U+2060⟩alice');
  assert.equal(visible('\ufeffalice'), '⟨U+FEFF⟩alice');
  assert.equal(visible('al\u00adice'), 'al⟨U+00AD⟩ice');
});

test('visible: other format characters (Cf), beyond the BMP with more hex digits', () => {
  assert.equal(visible('a\u2061b'), 'a⟨U+2061⟩b'); // function application
  assert.equal(visible('a\u{e0041}b'), 'a⟨U+E0041⟩b'); // a tag character
  assert.equal(visible('a\u{110bd}b'), 'a⟨U+110BD⟩b'); // Kaithi number sign
});

test('visible: spaces at either end, not inside', () => {
  assert.equal(visible('alice '), 'alice⟨U+0020⟩');
  assert.equal(visible('  alice'), '⟨U+0020⟩⟨U+0020⟩alice');
  assert.equal(visible(' a b '), '⟨U+0020⟩a b⟨U+0020⟩');
  assert.equal(visible(' '), '⟨U+0020⟩');
  assert.equal(visible('alice\u200b '), 'alice⟨U+200B⟩⟨U+0020⟩');
});

test('visible: look-alike names come out different', () => {
  const names = ['alice', 'alice ', 'al\u200bice', '\u0430lice', 'alice\u00ad'];
  const shown = names.map(visible);
  assert.equal(new Set(shown).size, names.length, JSON.stringify(shown));
  // A Cyrillic а is a letter, shown as it is: it differs from the Latin a by its code point.
  assert.equal(visible('\u0430lice'), '\u0430lice');
});

test('visibleBlock: keeps the layout of a text block, shows the rest', () => {
  const json = '{\n\t"user": "\u202eevil",\r\n  "x": "a\u0000\u200b"\n}';
  assert.equal(visibleBlock(json), '{\n\t"user": "⟨U+202E⟩evil",\r\n  "x": "a⟨U+0000⟩⟨U+200B⟩"\n}');
  assert.equal(visibleBlock('  x  '), '  x  ');
  assert.equal(visibleBlock(null), null);
});
