// Pure formatting helpers: numbers, byte sizes and times in UTC or local time. No DOM here.

const pad = (n, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An integer as plain digits (what the page's data-testid counters show). */
export function int(n) {
  return String(Math.round(Number(n) || 0));
}

const COUNT = new Intl.NumberFormat('en-US');

/** A count for people: 12,345 (one formatter: toLocaleString builds one per call). */
export function count(n) {
  return COUNT.format(Number(n) || 0);
}

/** 1.5 MB */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Calendar fields of a time in the chosen zone ('utc' or 'local'). */
export function parts(ms, tz) {
  const d = new Date(ms);
  return tz === 'local'
    ? { y: d.getFullYear(), mo: d.getMonth(), d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), ms: d.getMilliseconds() }
    : {
        y: d.getUTCFullYear(),
        mo: d.getUTCMonth(),
        d: d.getUTCDate(),
        h: d.getUTCHours(),
        mi: d.getUTCMinutes(),
        s: d.getUTCSeconds(),
        ms: d.getUTCMilliseconds(),
      };
}

/** The zone's name as shown after times: "UTC", or the local offset like "UTC+02:00". */
export function zoneLabel(tz, ms = Date.now()) {
  if (tz !== 'local') return 'UTC';
  const off = -new Date(ms).getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** 2024-03-10 00:00:28 */
export function dateTime(ms, tz, { millis = false } = {}) {
  if (ms == null || !Number.isFinite(ms)) return '';
  const p = parts(ms, tz);
  const base = `${p.y}-${pad(p.mo + 1)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
  return millis ? `${base}.${pad(p.ms, 3)}` : base;
}

/** 2024-03-10 00:00:28 UTC */
export function dateTimeZone(ms, tz, options) {
  return `${dateTime(ms, tz, options)} ${zoneLabel(tz, ms)}`;
}

/** A tick label for a time axis whose ticks are `step` ms apart. */
export function tick(ms, step, tz) {
  const p = parts(ms, tz);
  const date = `${MONTHS[p.mo]} ${p.d}`;
  if (step >= 360 * 86_400_000) return `${p.y}`;
  if (step >= 28 * 86_400_000) return p.mo === 0 ? `${p.y}` : `${MONTHS[p.mo]} ${p.y}`;
  if (step >= 86_400_000) return p.mo === 0 && p.d === 1 ? `${p.y}` : date;
  const hm = `${pad(p.h)}:${pad(p.mi)}`;
  if (step >= 60_000) return p.h === 0 && p.mi === 0 ? date : hm;
  return `${hm}:${pad(p.s)}`;
}

/** A time span for people: "3 d 4 h", "25 min", "12 s". */
export function span(ms) {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  const d = Math.floor(h / 24);
  const rest = h % 24;
  return rest ? `${d} d ${rest} h` : `${d} d`;
}

/** "(none)" for the empty value a facet or field can have. */
export function orNone(s) {
  return s === '' || s == null ? '(none)' : String(s);
}
