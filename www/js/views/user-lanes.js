// Per-user setting lanes: one row per user, every change of a login setting (2FA, security
// questions, self-managed login, allowed IPs) marked with who made it; 2FA-off periods shaded.

import { el, px, replace, svg } from '../dom.js';
import { dateTimeZone } from '../format.js';
import { PLOT, clipBand, timeScale } from '../scale.js';
import { timeGrid } from './timeaxis.js';

const ROW = 26;
const TOP = 6;
const AXIS = 24;
/**
 * Past this many changes in view, the markers are painted on a canvas (one node instead of four
 * per change: thousands of SVG nodes made a brush take hundreds of ms); a click still opens the
 * nearest change, and the table stays the keyboard path.
 */
const MAX_MARKER_NODES = 500;

export const SETTINGS = {
  '2FA': { label: '2FA', cls: 's-2fa' },
  security_questions_setup: { label: 'security questions set up', cls: 's-sq' },
  security_questions_required: { label: 'security questions required', cls: 's-sqr' },
  self_manage: { label: 'self-managed login', cls: 's-self' },
  allowed_ip_addresses: { label: 'allowed IP addresses', cls: 's-ip' },
};
const settingOf = (name) => SETTINGS[name] ?? { label: name, cls: 's-other' };

const isOff = (v) => /^(false|off|no|0|disabled)$/i.test(String(v ?? '').trim());
const isOn = (v) => /^(true|on|yes|1|enabled)$/i.test(String(v ?? '').trim());

function truncate(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Periods where a user's 2FA was off, from their successful 2FA changes. */
function twoFactorOff(changes) {
  const out = [];
  let since = null;
  const first = changes.find((c) => c.setting === '2FA');
  if (first && first.from != null && isOff(first.from)) since = -Infinity;
  for (const c of changes) {
    if (c.setting !== '2FA' || c.outcome !== 'success') continue;
    if (isOff(c.to) && since == null) since = c.time;
    else if (!isOff(c.to) && since != null) {
      out.push([since, c.time]);
      since = null;
    }
  }
  if (since != null) out.push([since, Infinity]);
  return out;
}

/** The colour of each setting and of the marker states, from the style sheet's variables. */
function palette(node) {
  const style = getComputedStyle(node);
  const v = (name) => style.getPropertyValue(name).trim();
  const out = { panel: v('--panel'), failure: v('--failure') };
  for (const cls of [...Object.values(SETTINGS).map((s) => s.cls), 's-other']) out[cls] = v(`--${cls}`);
  return out;
}

/**
 * Paints change markers as the SVG markers look (.setting-change in style.css), grouped by style.
 * `marks`: [{x, y, cls, state, outcome}]. The canvas is resized only when its size changes
 * (a resize allocates and clears its pixels).
 */
function paintMarks(canvas, marks, width, height, colors) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  const g = canvas.getContext('2d');
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  } else {
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, w, h);
  }
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.lineWidth = 2;
  const groups = new Map();
  for (const m of marks) {
    const key = `${m.cls} ${m.state} ${m.outcome === 'failure'}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(m);
  }
  for (const group of groups.values()) {
    const { cls, state, outcome } = group[0];
    const color = colors[cls] || colors['s-other'];
    g.beginPath();
    for (const { x, y } of group) {
      if (state === 'value') g.rect(x - 4.5, y - 4.5, 9, 9);
      else {
        g.moveTo(x + 5, y);
        g.arc(x, y, 5, 0, 2 * Math.PI);
      }
    }
    g.fillStyle = state === 'off' ? colors.panel : color;
    g.fill();
    g.strokeStyle = outcome === 'failure' ? colors.failure : color;
    g.setLineDash(outcome === 'failure' ? [2, 2] : []);
    g.stroke();
  }
}

/**
 * @param {HTMLElement} container
 * @param {{onSelect: (eventIndex: number) => void}} opts
 */
export function createUserLanes(container, { onSelect }) {
  const scroll = el('div', { class: 'user-scroll' });
  const root = el('div', { class: 'user-lanes', testid: 'user-lanes' }, scroll);
  const note = el('p', { class: 'lane-note' });
  container.append(root, note);
  /** In canvas mode: per lane, its changes and their x positions (ascending), for clicks. */
  let painted = null;
  /** The markers' canvas, reused from one render to the next. */
  const canvas = el('canvas', { class: 'lane-marks', 'aria-hidden': 'true' });

  /** The change painted nearest to a pointer position (within the SVG marker's hit radius). */
  function changeAt(e) {
    if (!painted) return null;
    const box = e.currentTarget.getBoundingClientRect();
    const lane = painted[Math.floor((e.clientY - box.top - TOP) / ROW)];
    if (!lane) return null;
    const x = e.clientX - box.left;
    let best = null;
    let bestDx = 10;
    for (let k = 0; k < lane.xs.length; k++) {
      const dx = Math.abs(lane.xs[k] - x);
      if (dx <= bestDx) {
        best = lane.changes[k];
        bestDx = dx;
      }
    }
    return best;
  }

  function render({ history, domain, width, tz, users }) {
    const x = timeScale(domain, width);
    const [r0, r1] = x.range;
    const byUser = new Map();
    for (const c of history) {
      if (users.length && !users.includes(c.user)) continue;
      if (!byUser.has(c.user)) byUser.set(c.user, []);
      byUser.get(c.user).push(c);
    }
    const lanes = [...byUser.entries()]
      .map(([user, changes]) => ({ user, changes, shown: changes.filter((c) => c.time >= x.domain[0] && c.time <= x.domain[1]) }))
      .filter((l) => l.shown.length > 0)
      .sort((a, b) => a.user.localeCompare(b.user));
    const bottom = TOP + Math.max(1, lanes.length) * ROW;
    // Markers are tab stops while there are few; past that the table is the keyboard path.
    const shown = lanes.reduce((n, l) => n + l.shown.length, 0);
    const focusable = shown <= 200;
    const nodes = shown <= MAX_MARKER_NODES;
    const marks = [];
    painted = nodes ? null : [];
    const height = bottom + AXIS;
    const plot = svg('svg', { class: 'lane', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'User login setting changes over time' });
    plot.append(timeGrid(x, TOP, bottom, tz));
    lanes.forEach((lane, i) => {
      const top = TOP + i * ROW;
      const mid = top + ROW / 2;
      const g = svg('g', { class: 'user-lane', testid: 'user-lane', 'data-user': lane.user });
      if (i % 2 === 1) g.append(svg('rect', { class: 'lane-stripe', x: 0, y: top, width, height: ROW }));
      for (const [t0, t1] of twoFactorOff(lane.changes)) {
        const [a, b] = clipBand(x, t0, t1);
        if (b > a) g.append(svg('rect', { class: 'band-2fa-off', x: px(a), y: top + 3, width: px(Math.max(1.5, b - a)), height: ROW - 6 }, svg('title', { text: `2FA off for ${lane.user}` })));
      }
      g.append(svg('text', { class: 'user-name', x: PLOT.left - 12, y: mid + 4, 'text-anchor': 'end', text: truncate(lane.user, 25) }, svg('title', { text: lane.user })));
      g.append(svg('line', { class: 'level-rule', x1: r0, x2: r1, y1: mid, y2: mid }));
      if (!nodes) {
        const xs = lane.shown.map((c) => x(c.time));
        lane.shown.forEach((c, k) => {
          const state = isOff(c.to) ? 'off' : isOn(c.to) ? 'on' : 'value';
          marks.push({ x: xs[k], y: mid, cls: settingOf(c.setting).cls, state, outcome: c.outcome });
        });
        painted.push({ xs, changes: lane.shown });
      }
      for (const c of nodes ? lane.shown : []) {
        const s = settingOf(c.setting);
        const cx = px(x(c.time));
        const state = isOff(c.to) ? 'off' : isOn(c.to) ? 'on' : 'value';
        const text = `${dateTimeZone(c.time, tz)}: ${s.label} ${c.from ?? '?'} → ${c.to} for ${c.user}, by ${c.actor ?? 'unknown'} (${c.outcome})`;
        const m = svg('g', {
          class: `setting-change ${s.cls} ${state} ${c.outcome}`,
          testid: 'setting-change',
          'data-setting': c.setting,
          'data-to': c.to,
          'data-actor': c.actor ?? '',
          'data-event': c.event,
          tabindex: focusable ? '0' : '-1',
          role: 'button',
          'aria-label': text,
        }, svg('title', { text }));
        m.append(svg('circle', { class: 'hit', cx, cy: mid, r: 10 }));
        if (state === 'value') m.append(svg('rect', { class: 'mark', x: cx - 4.5, y: mid - 4.5, width: 9, height: 9 }));
        else m.append(svg('circle', { class: 'mark', cx, cy: mid, r: 5 }));
        const open = () => onSelect(c.event);
        m.addEventListener('click', open);
        m.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            open();
          }
        });
        g.append(m);
      }
      plot.append(g);
    });
    if (!lanes.length) {
      plot.append(svg('text', { class: 'empty-note', x: (r0 + r1) / 2, y: TOP + ROW / 2 + 4, 'text-anchor': 'middle', text: history.length ? 'No user setting change in this window' : 'No user login setting changes in these files' }));
    }
    if (nodes) replace(scroll, plot);
    else {
      paintMarks(canvas, marks, width, height, palette(container));
      plot.addEventListener('click', (e) => {
        const c = changeAt(e);
        if (c) onSelect(c.event);
      });
      plot.addEventListener('pointermove', (e) => {
        plot.style.cursor = changeAt(e) ? 'pointer' : '';
      });
      replace(scroll, el('div', { class: 'lane-stack' }, plot, canvas));
    }
    const hidden = byUser.size - lanes.length;
    note.textContent = [
      nodes ? '' : `${shown.toLocaleString('en-US')} changes in view: click a marker to open it, or list them in the table (filter Action).`,
      hidden > 0 ? `${hidden} more user${hidden === 1 ? '' : 's'} changed settings outside this window.` : '',
    ].filter(Boolean).join(' ');
  }

  return { render };
}

/** The legend of setting colours and marker states. */
export function settingLegend() {
  const item = (cls, label) => el('span', { class: `key ${cls}` }, el('i', { class: 'swatch' }), label);
  return [
    ...Object.values(SETTINGS).map((s) => item(s.cls, s.label)),
    item('state-on', 'filled: on'),
    item('state-off', 'hollow: off'),
    item('state-fail', 'dashed red: failed'),
    item('band-2fa', '2FA off'),
  ];
}
