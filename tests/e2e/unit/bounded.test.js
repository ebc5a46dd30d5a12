// Unit tests of www/js/lib/bounded.js: the cut of long texts on their way from the worker to the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENFUL, bound, cut, cutMark, utf8Length } from '../../../www/js/lib/bounded.js';

test('utf8Length counts UTF-8 bytes, a surrogate pair as four', () => {
  assert.equal(utf8Length(''), 0);
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('€'), 3);
  assert.equal(utf8Length('😀'), 4);
  assert.equal(utf8Length('\ud800x'), 4); // a lone surrogate is written as U+FFFD, three bytes
  for (const s of ['aé€😀', `${'x'.repeat(1000)}日本`]) assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'));
});

test('cut leaves a text up to the limit as it is', () => {
  const s = 'a'.repeat(SCREENFUL);
  assert.equal(cut(s), s);
  assert.equal(cut('short', 5), 'short');
});

test('cut keeps the beginning and says how long the whole was, within the limit', () => {
  const s = 'a'.repeat(5_000_000);
  const mark = '… [cut: 5,000,000 bytes in all]';
  const c = cut(s);
  assert.equal(c, 'a'.repeat(SCREENFUL - mark.length) + mark);
  assert.equal(c.length, SCREENFUL);
  assert.equal(cut(c), c, 'cut again, it stays');
  assert.equal(cut('abcdef'.repeat(10), cutMark(60).length + 3), `abc${cutMark(60)}`);
  assert.equal(cut('é'.repeat(40), cutMark(80).length + 2), `éé${cutMark(80)}`);
  // A limit shorter than the mark keeps the mark alone.
  assert.equal(cut('abcdef', 3), cutMark(6));
});

test('cut never leaves half a surrogate pair', () => {
  const text = `ab😀${'c'.repeat(40)}`;
  const mark = cutMark(46);
  const c = cut(text, mark.length + 3);
  assert.equal(c, `ab${mark}`);
  assert.ok(c.isWellFormed());
});

test('bound cuts every string at any depth, in place, and leaves other values alone', () => {
  const long = 'x'.repeat(100);
  const mark = cutMark(100);
  const limit = mark.length + 5;
  const bytes = new Uint32Array([1, 2]);
  const value = { a: long, b: [long, 'ok', { c: long, n: 3, z: null }], bytes, t: true };
  const out = bound(value, limit);
  assert.equal(out, value);
  const x = `xxxxx${mark}`;
  assert.deepEqual(out, { a: x, b: [x, 'ok', { c: x, n: 3, z: null }], bytes, t: true });
  assert.equal(out.bytes, bytes);
  assert.equal(bound(long, limit), x);
  assert.equal(bound(x, limit), x, 'bound again, it stays');
  assert.equal(bound(null), null);
  assert.equal(bound(7), 7);
});
