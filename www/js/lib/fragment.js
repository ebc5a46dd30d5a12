// A permalink's fragment read field by field: each field is taken only when it is well formed and
// in range, and each one that is not is named, so that the page can say what of the link it
// ignored. Pure: no DOM here.
//
// Fragment: #tz=local&from=MS&to=MS&sort=desc&user=H,H&country=H&q=H&finding=RULE.MS.MS.H
// (MS: UTC milliseconds; H: the first 12 hex digits of a SHA-256).

import { visible } from './visible.js';

/** The times a Date can hold: ±100,000,000 days around 1970. */
export const MAX_MS = 8.64e15;

const MS = /^-?\d{1,16}$/;
const HASH = /^[0-9a-f]{12}$/;
const RULE = /^[a-z0-9-]{1,64}$/;
/** More hashes than any view filters on: a longer list is not a link the page wrote. */
const MAX_HASHES = 10_000;

const ZONES = { utc: 'utc', local: 'local' };
const SORTS = { asc: false, desc: true };

/** A time in ms from a fragment's digits, or null when it is not one a Date can show. */
function time(text) {
  if (!MS.test(text)) return null;
  const ms = Number(text);
  return Number.isSafeInteger(ms) && Math.abs(ms) <= MAX_MS ? ms : null;
}

/** A list of hashes, or null when it is not one. */
function hashes(text) {
  const list = text.split(',');
  return list.length <= MAX_HASHES && list.every((h) => HASH.test(h)) ? list : null;
}

/** `RULE.MS.MS.H`, or null when it is not one (a time out of range, or the span reversed). */
function finding(text) {
  const parts = text.split('.');
  if (parts.length !== 4 || !RULE.test(parts[0]) || !HASH.test(parts[3])) return null;
  const from = time(parts[1]);
  const to = time(parts[2]);
  return from != null && to != null && from <= to ? text : null;
}

/**
 * The view a fragment describes: `{ link, ignored }`. `link` is null when the fragment holds no
 * view but perhaps a time zone (`{ tz, window, desc, facets, q, finding }` otherwise, with the
 * fields it lacks or ignored at their defaults); `ignored` lists, in words, each field that was
 * ignored and why. `facetNames` are the facets a link may filter on.
 */
export function parseFragment(hash, facetNames) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const link = { tz: 'utc', window: null, desc: false, facets: {}, q: null, finding: null };
  const ignored = [];
  const seen = new Set();
  for (const key of p.keys()) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (p.getAll(key).length > 1) ignored.push(`${key} (given more than once)`);
  }
  const one = (key) => (p.getAll(key).length === 1 ? p.get(key) : null);

  const tz = one('tz');
  if (tz != null) {
    if (Object.hasOwn(ZONES, tz)) link.tz = ZONES[tz];
    else ignored.push('tz (not a time zone: utc or local)');
  }
  const from = one('from');
  const to = one('to');
  if (from != null || to != null) {
    const a = from == null ? null : time(from);
    const b = to == null ? null : time(to);
    if (from == null || to == null) ignored.push(`the time window (${from == null ? 'to' : 'from'} without ${from == null ? 'from' : 'to'})`);
    else if (a == null || b == null) ignored.push('the time window (from and to must be whole milliseconds a date can hold)');
    else if (a >= b) ignored.push('the time window (from is not before to)');
    else link.window = { from: a, to: b };
  }
  const sort = one('sort');
  if (sort != null) {
    if (Object.hasOwn(SORTS, sort)) link.desc = SORTS[sort];
    else ignored.push('sort (not an order: asc or desc)');
  }
  for (const name of facetNames) {
    const v = one(name);
    if (v == null) continue;
    const list = hashes(v);
    if (list) link.facets[name] = [...new Set(list)];
    else ignored.push(`the ${name} filter (not a list of value hashes)`);
  }
  const q = one('q');
  if (q != null) {
    if (HASH.test(q)) link.q = q;
    else ignored.push('the search text (not a hash of one)');
  }
  const f = one('finding');
  if (f != null) {
    if (finding(f)) link.finding = f;
    else ignored.push('the finding (not a rule, a time span and a title hash)');
  }
  const known = new Set(['tz', 'from', 'to', 'sort', 'q', 'finding', ...facetNames]);
  for (const key of seen) {
    if (known.has(key)) continue;
    const chars = [...key];
    ignored.push(`${visible(chars.length > 24 ? `${chars.slice(0, 24).join('')}…` : key)} (not a field of a link)`);
  }

  const view = link.window || link.desc || link.q || link.finding || Object.keys(link.facets).length;
  return { link: view ? link : null, ignored };
}
