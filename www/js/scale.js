// Pure scale helpers shared by the timeline views, so lanes and histogram line up.

/** Horizontal layout of every timeline plot: a label column, then the plot. */
export const PLOT = { left: 176, right: 18 };

/** A linear map from `domain` to `range`, with `invert`. */
export function linear([d0, d1], [r0, r1]) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (r) => (k === 0 ? d0 : d0 + (r - r0) / k);
  f.domain = [d0, d1];
  f.range = [r0, r1];
  return f;
}

/** The time scale of a plot `width` pixels wide. */
export function timeScale(domain, width) {
  return linear(domain, [PLOT.left, Math.max(PLOT.left + 10, width - PLOT.right)]);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
  91 * DAY,
  365 * DAY,
];

const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60, 120];

/** Tick times for [from, to] with at most `max` ticks, aligned in the zone ('utc' or 'local'). */
export function timeTicks(from, to, max, tz) {
  const want = Math.max(1, max);
  if ((to - from) / want > 21 * DAY) return monthTicks(from, to, want, tz);
  const step = STEPS.find((s) => (to - from) / s <= want) ?? 14 * DAY;
  const offset = tz === 'local' ? -new Date(from).getTimezoneOffset() * MINUTE : 0;
  const ticks = [];
  for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to && ticks.length <= want + 1; t += step) {
    ticks.push(t);
  }
  return { step, ticks };
}

/** Ticks on calendar month starts, every 1, 2, 3, 6, 12... months. */
function monthTicks(from, to, want, tz) {
  const local = tz === 'local';
  const start = new Date(from);
  const y0 = local ? start.getFullYear() : start.getUTCFullYear();
  const m0 = local ? start.getMonth() : start.getUTCMonth();
  const months = (to - from) / (30.44 * DAY);
  const k = MONTH_STEPS.find((m) => months / m <= want) ?? Math.ceil(months / want / 12) * 12;
  const at = (n) => (local ? new Date(y0, n, 1).getTime() : Date.UTC(y0, n, 1));
  const ticks = [];
  let n = Math.ceil(m0 / k) * k;
  if (k >= 12) n = Math.ceil((y0 * 12 + m0) / k) * k - y0 * 12;
  for (; at(n) <= to && ticks.length <= want + 1; n += k) {
    if (at(n) >= from) ticks.push(at(n));
  }
  return { step: k * 30 * DAY, ticks };
}

/** A round upper bound for a count axis. */
export function niceMax(v) {
  if (v <= 5) return Math.max(1, Math.ceil(v));
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

/** Pixel band [x0, x1) of the period [t0, t1) clipped to the scale's range. */
export function clipBand(x, t0, t1) {
  const [r0, r1] = x.range;
  const a = Math.max(r0, Math.min(r1, x(t0)));
  const b = Math.max(r0, Math.min(r1, x(t1)));
  return [a, b];
}
