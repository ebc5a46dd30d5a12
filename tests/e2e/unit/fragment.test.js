// Unit tests of www/js/lib/fragment.js: what of a permalink's fragment is taken, and what is ignored.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MS, parseFragment } from '../../../www/js/lib/fragment.js';

const FACETS = ['user', 'method', 'result', 'country', 'source', 'action'];
const H = 'a1b2c3d4e5f6';
const H2 = '0123456789ab';
const parse = (hash) => parseFragment(hash, FACETS);

test('a fragment the page writes is taken whole', () => {
  const { link, ignored } = parse(
    `#tz=local&from=1715155200000&to=1715162400001&sort=desc&user=${H},${H2}&result=${H2}&q=${H}&finding=password-spray.1715155200000.1715156000000.${H2}`,
  );
  assert.deepEqual(ignored, []);
  assert.deepEqual(link, {
    tz: 'local',
    window: { from: 1715155200000, to: 1715162400001 },
    desc: true,
    facets: { user: [H, H2], result: [H2] },
    q: H,
    finding: `password-spray.1715155200000.1715156000000.${H2}`,
  });
});

test('no fragment, or a time zone alone, is no view', () => {
  assert.deepEqual(parse(''), { link: null, ignored: [] });
  assert.deepEqual(parse('#tz=local'), { link: null, ignored: [] });
  assert.deepEqual(parse('#sort=asc'), { link: null, ignored: [] });
});

test('regression: huge from/to values are ignored, not shown as NaN', () => {
  const { link, ignored } = parse(`#from=9999999999999999&to=9999999999999999999&user=${H}`);
  assert.equal(link.window, null);
  assert.deepEqual(link.facets, { user: [H] });
  assert.deepEqual(ignored, ['the time window (from and to must be whole milliseconds a date can hold)']);
  // The bounds of a Date are taken, one past them is not.
  assert.deepEqual(parse(`#from=-${MAX_MS}&to=${MAX_MS}`).link.window, { from: -MAX_MS, to: MAX_MS });
  assert.equal(parse(`#from=0&to=${MAX_MS + 1}`).link, null);
  for (const bad of ['1e12', '12.5', '0x10', 'NaN', 'Infinity', '', ' 1', '+1', '1'.repeat(17)]) {
    const r = parse(`#from=0&to=${encodeURIComponent(bad)}`);
    assert.equal(r.link, null, bad);
    assert.equal(r.ignored.length, 1, bad);
  }
});

test('a window must have from before to, and both', () => {
  assert.deepEqual(parse('#from=5&to=5').ignored, ['the time window (from is not before to)']);
  assert.deepEqual(parse('#from=6&to=5').ignored, ['the time window (from is not before to)']);
  assert.deepEqual(parse('#from=5').ignored, ['the time window (from without to)']);
  assert.deepEqual(parse('#to=5').ignored, ['the time window (to without from)']);
  assert.deepEqual(parse('#from=-5&to=5').link.window, { from: -5, to: 5 });
});

test('unknown time zones, orders, fields and malformed hashes are named', () => {
  const { link, ignored } = parse(`#tz=mars&sort=sideways&user=${H},zz&country=${H.toUpperCase()}&q=${H}${H}&finding=x.1.2&colour=red&q2=1&method=${H2}`);
  assert.deepEqual(link.facets, { method: [H2] });
  assert.equal(link.tz, 'utc');
  assert.equal(link.desc, false);
  assert.equal(link.q, null);
  assert.deepEqual(ignored, [
    'tz (not a time zone: utc or local)',
    'sort (not an order: asc or desc)',
    'the user filter (not a list of value hashes)',
    'the country filter (not a list of value hashes)',
    'the search text (not a hash of one)',
    'the finding (not a rule, a time span and a title hash)',
    'colour (not a field of a link)',
    'q2 (not a field of a link)',
  ]);
});

test('a finding needs a known shape, times in range and a span in order', () => {
  assert.equal(parse(`#finding=rule.1.2.${H}`).link.finding, `rule.1.2.${H}`);
  assert.equal(parse(`#finding=rule.-2.-1.${H}`).link.finding, `rule.-2.-1.${H}`);
  for (const bad of [`Rule.1.2.${H}`, `rule.2.1.${H}`, `rule.1.99999999999999999.${H}`, `rule.1.2.${H}.x`, 'rule.1.2.abc']) {
    assert.equal(parse(`#finding=${bad}`).link, null, bad);
  }
});

test('a field given twice is ignored, not guessed', () => {
  const { link, ignored } = parse(`#from=1&from=2&to=3&user=${H}&user=${H2}&sort=desc`);
  assert.equal(link.window, null);
  assert.deepEqual(link.facets, {});
  assert.equal(link.desc, true);
  assert.deepEqual(ignored, ['from (given more than once)', 'user (given more than once)', 'the time window (to without from)']);
});

test('repeated hashes in a filter count once; a key naming no field is shown visibly and short', () => {
  assert.deepEqual(parse(`#user=${H},${H}`).link.facets, { user: [H] });
  const { ignored } = parse(`#${encodeURIComponent('\u202eevil')}=1&${'k'.repeat(40)}=1`);
  assert.deepEqual(ignored, ['⟨U+202E⟩evil (not a field of a link)', `${'k'.repeat(24)}… (not a field of a link)`]);
});
