// Per-user setting lanes: one row per user, every change of a login setting (2FA, security
// questions, self-managed login, allowed IPs) marked with who made it; 2FA-off periods shaded.

import { el, px, replace, svg, update } from '../dom.js';
import { dateTimeZone } from '../format.js';
import { visible } from '../lib/visible.js';
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
/** The lanes' visible height (.user-scroll's max-height in style.css): the canvas paints this much. */
const VIEW = 420;

export const SETTINGS = {
  '2FA': { label: '2FA', cls: 's-2fa' },
  security_questions_setup: { label: 'security questions set up', cls: 's-sq' },
  security_questions_required: { label: 'security questions required', cls: 's-sqr' },
  self_manage: { label: 'self-managed login', cls: 's-self' },
  allowed_ip_addresses: { label: 'allowed IP addresses', cls: 's-ip' },
};
const settingOf = (name) => SETTINGS[name] ?? { label: visible(name), cls: 's-other' };

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

const stateOf = (to) => (isOff(to) ? 'off' : isOn(to) ? 'on' : 'value');

/** How many of `changes` (in time order) come before the first one `after` accepts. */
function before(changes, after) {
  let lo = 0;
  let hi = changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(changes[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
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
 * One marker drawn as the SVG markers look (.setting-change in style.css), as a small bitmap that
 * the lanes' canvas stamps: stamping is cheap where drawing thousands of arcs and dashed strokes
 * is not.
 */
function sprite(style, colors, dpr) {
  const [cls, state, failed] = style.split(' ');
  const size = Math.ceil(14 * dpr);
  const c = new OffscreenCanvas(size, size);
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, size / 2, size / 2);
  g.lineWidth = 2;
  g.beginPath();
  if (state === 'value') g.rect(-4.5, -4.5, 9, 9);
  else g.arc(0, 0, 5, 0, 2 * Math.PI);
  const color = colors[cls] || colors['s-other'];
  g.fillStyle = state === 'off' ? colors.panel : color;
  g.fill();
  g.strokeStyle = failed === 'failure' ? colors.failure : color;
  g.setLineDash(failed === 'failure' ? [2, 2] : []);
  g.stroke();
  return c.transferToImageBitmap();
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
  /** In canvas mode: per lane, its changes in view and their x positions (ascending), for clicks. */
  let painted = null;
  /** In canvas mode: what the canvas paints (the lanes in view, the plot's size). */
  let view = null;
  /** The lanes' scroll position, kept from scroll events (reading it after a redraw forces a layout). */
  let scrollTop = 0;
  let frame = 0;
  scroll.addEventListener(
    'scroll',
    () => {
      scrollTop = scroll.scrollTop;
      if (view && !frame) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          if (view) paintMarks();
        });
      }
    },
    { passive: true },
  );
  /** The markers' canvas, reused from one render to the next. */
  const canvas = el('canvas', { class: 'lane-marks', 'aria-hidden': 'true' });
  /** The marker stamps by style, and the colours and pixel ratio they were drawn with. */
  let stamps = null;
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    stamps = null;
  });
  /** The history grouped per user, kept while the history and the user filter are the same. */
  let grouped = { history: null, users: null, lanes: [] };

  /** Per user (by name): the changes in time order, each with its marker style, and the 2FA-off periods. */
  function lanesOf(history, users) {
    const key = JSON.stringify(users);
    if (grouped.history === history && grouped.users === key) return grouped.lanes;
    const byUser = new Map();
    for (const c of history) {
      if (users.length && !users.includes(c.user)) continue;
      if (!byUser.has(c.user)) byUser.set(c.user, []);
      byUser.get(c.user).push(c);
    }
    const lanes = [...byUser.entries()]
      .map(([user, changes]) => ({
        user,
        changes,
        styles: changes.map((c) => `${settingOf(c.setting).cls} ${stateOf(c.to)} ${c.outcome === 'failure' ? 'failure' : 'ok'}`),
        off: twoFactorOff(changes),
      }))
      .sort((a, b) => a.user.localeCompare(b.user));
    grouped = { history, users: key, lanes };
    for (const user of laneNodes.keys()) if (!byUser.has(user)) laneNodes.delete(user);
    return lanes;
  }

  /**
   * Stamps the markers of the lanes scrolled into view (once per device pixel, lane and style) on a
   * canvas the height of the view, placed at the scroll position; scrolling repaints it.
   */
  function paintMarks() {
    const { lanes, height, width } = view;
    const dpr = window.devicePixelRatio || 1;
    const top = Math.max(0, Math.min(scrollTop, height - VIEW));
    const shown = Math.min(VIEW, height);
    const w = Math.round(width * dpr);
    const h = Math.round(shown * dpr);
    const g = canvas.getContext('2d');
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      canvas.style.width = `${width}px`;
      canvas.style.height = `${shown}px`;
    } else {
      g.clearRect(0, 0, w, h);
    }
    canvas.style.top = `${top}px`;
    if (!stamps || stamps.dpr !== dpr) stamps = { dpr, colors: palette(container), byStyle: new Map() };
    lanes.forEach((lane, i) => {
      const mid = TOP + i * ROW + ROW / 2 - top;
      if (mid < -ROW || mid > shown + ROW) return;
      const y = Math.round(mid * dpr);
      const { xs } = painted[i];
      // The x positions ascend: the styles already stamped at the current one are enough to skip.
      let last = NaN;
      const stamped = [];
      for (let k = 0; k < xs.length; k++) {
        const style = lane.styles[lane.from + k];
        const at = Math.round(xs[k] * dpr);
        if (at !== last) {
          last = at;
          stamped.length = 0;
        } else if (stamped.includes(style)) continue;
        stamped.push(style);
        let stamp = stamps.byStyle.get(style);
        if (!stamp) {
          stamp = sprite(style, stamps.colors, dpr);
          stamps.byStyle.set(style, stamp);
        }
        g.drawImage(stamp, at - stamp.width / 2, y - stamp.height / 2);
      }
    });
  }

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

  // The plot and each user's lane are built once and updated in place: a brush moves and
  // redraws what changed, and the lanes' names are not laid out again.
  const plot = svg('svg', { class: 'lane', role: 'group', 'aria-label': 'User login setting changes over time' });
  const grid = svg('g');
  const rows = svg('g');
  const empty = svg('text', { class: 'empty-note', 'text-anchor': 'middle' });
  plot.append(grid, rows);
  const stack = el('div', { class: 'lane-stack' }, plot);
  scroll.append(stack);
  plot.addEventListener('click', (e) => {
    const c = changeAt(e);
    if (c) onSelect(c.event);
  });
  plot.addEventListener('pointermove', (e) => {
    if (painted) plot.style.cursor = changeAt(e) ? 'pointer' : '';
  });
  /** Per user: the lane's nodes (its own coordinates: y from 0 to ROW). */
  const laneNodes = new Map();
  function laneNode(user) {
    let n = laneNodes.get(user);
    if (n) return n;
    const mid = ROW / 2;
    n = {
      g: svg('g', { class: 'user-lane', testid: 'user-lane', 'data-user': user }),
      stripe: svg('rect', { class: 'lane-stripe', x: 0, y: 0, height: ROW }),
      bands: svg('g'),
      rule: svg('line', { class: 'level-rule', y1: mid, y2: mid }),
      marks: svg('g'),
    };
    n.g.append(
      n.stripe,
      n.bands,
      svg(
        'text',
        { class: 'user-name', x: PLOT.left - 12, y: mid + 4, 'text-anchor': 'end', text: truncate(visible(user), 25) },
        svg('title', { text: visible(user) }),
      ),
      n.rule,
      n.marks,
    );
    laneNodes.set(user, n);
    return n;
  }

  /** A change's marker in SVG (few changes in view), in its lane's coordinates. */
  function marker(c, cx, tz, focusable) {
    const mid = ROW / 2;
    const s = settingOf(c.setting);
    const state = stateOf(c.to);
    const text = `${dateTimeZone(c.time, tz)}: ${s.label} ${visible(c.from) ?? '?'} → ${visible(c.to)} for ${visible(c.user)}, by ${visible(c.actor) ?? 'unknown'} (${c.outcome})`;
    const m = svg(
      'g',
      {
        class: `setting-change ${s.cls} ${state} ${c.outcome}`,
        testid: 'setting-change',
        'data-setting': c.setting,
        'data-to': c.to,
        'data-actor': c.actor ?? '',
        'data-event': c.event,
        tabindex: focusable ? '0' : '-1',
        role: 'button',
        'aria-label': text,
      },
      svg('title', { text }),
    );
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
    return m;
  }

  function render({ history, domain, width, tz, users }) {
    const x = timeScale(domain, width);
    const [r0, r1] = x.range;
    const all = lanesOf(history, users);
    const lanes = [];
    for (const lane of all) {
      const from = before(lane.changes, (c) => c.time >= x.domain[0]);
      const to = before(lane.changes, (c) => c.time > x.domain[1]);
      if (to > from) lanes.push({ ...lane, from, shown: lane.changes.slice(from, to) });
    }
    const bottom = TOP + Math.max(1, lanes.length) * ROW;
    // Markers are tab stops while there are few; past that the table is the keyboard path.
    const shown = lanes.reduce((n, l) => n + l.shown.length, 0);
    const focusable = shown <= 200;
    const nodes = shown <= MAX_MARKER_NODES;
    const height = bottom + AXIS;
    update(plot, { width, height, viewBox: `0 0 ${width} ${height}` });
    replace(grid, timeGrid(x, TOP, bottom, tz));
    const gs = lanes.map((lane, i) => {
      const n = laneNode(lane.user);
      update(n.g, { transform: `translate(0 ${TOP + i * ROW})` });
      update(n.stripe, { width, visibility: i % 2 === 1 ? 'visible' : 'hidden' });
      update(n.rule, { x1: r0, x2: r1 });
      const bands = [];
      for (const [t0, t1] of lane.off) {
        const [a, b] = clipBand(x, t0, t1);
        if (b > a)
          bands.push(
            svg(
              'rect',
              { class: 'band-2fa-off', x: px(a), y: 3, width: px(Math.max(1.5, b - a)), height: ROW - 6 },
              svg('title', { text: `2FA off for ${visible(lane.user)}` }),
            ),
          );
      }
      if (bands.length || n.bands.firstChild) replace(n.bands, ...bands);
      if (nodes || n.marks.firstChild) replace(n.marks, ...(nodes ? lane.shown.map((c) => marker(c, px(x(c.time)), tz, focusable)) : []));
      return n.g;
    });
    if (!lanes.length) {
      update(empty, {
        x: (r0 + r1) / 2,
        y: TOP + ROW / 2 + 4,
        text: history.length ? 'No user setting change in this window' : 'No user login setting changes in these files',
      });
      gs.push(empty);
    }
    if (gs.length !== rows.children.length || gs.some((g, k) => rows.children[k] !== g)) replace(rows, ...gs);
    if (nodes) {
      painted = null;
      view = null;
      canvas.remove();
      plot.style.cursor = '';
    } else {
      painted = lanes.map((lane) => ({ xs: Float64Array.from(lane.shown, (c) => x(c.time)), changes: lane.shown }));
      view = { lanes, width, height };
      paintMarks();
      if (!canvas.isConnected) stack.append(canvas);
    }
    const hidden = all.length - lanes.length;
    note.textContent = [
      nodes ? '' : `${shown.toLocaleString('en-US')} changes in view: click a marker to open it, or list them in the table (filter Action).`,
      hidden > 0 ? `${hidden} more user${hidden === 1 ? '' : 's'} changed settings outside this window.` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  return { render };
}

/** Up to this many identifiers shown by a name are listed in a line; more, in a disclosure. */
const ALIASES_INLINE = 3;

/**
 * Says which identifiers (IAM IDs, Verify user ids) the lanes and every other view show by the
 * name their own records give them (`aliases`: the summary's `[{id, name, other_names}]`); an
 * identifier given more than one name is said first, with each name's file and line.
 */
export function renderAliases(node, aliases) {
  const lead = 'Shown by the name their own records give them: ';
  const other = (o) => `${visible(o.name)} (${visible(o.file)} line ${o.line})`;
  const pair = (a) =>
    `${visible(a.id)} as ${visible(a.name)}${a.other_names?.length ? `, also named ${a.other_names.map(other).join(', ')} by other records` : ''}`;
  const renamed = aliases.filter((a) => a.other_names?.length);
  if (renamed.length > 0) {
    replace(
      node,
      el('p', {
        class: 'aliases-renamed',
        testid: 'aliases-renamed',
        role: 'note',
        text: `Renamed: ${renamed.length === 1 ? 'an identifier was' : `${renamed.length} identifiers were`} given more than one name: ${renamed.map(pair).join('; ')}.`,
      }),
      el('div', null, ...aliasList(aliases, lead, pair)),
    );
    return;
  }
  replace(node, ...aliasList(aliases, lead, pair));
}

function aliasList(aliases, lead, pair) {
  if (aliases.length <= ALIASES_INLINE) {
    return aliases.length ? [`${lead}${aliases.map(pair).join('; ')}.`] : [];
  }
  return [
    el(
      'details',
      null,
      el('summary', {
        text: `${aliases.length.toLocaleString('en-US')} identifiers (IAM IDs, Verify user ids) are shown by the name their own records give them`,
      }),
      el('ul', null, ...aliases.map((a) => el('li', { text: pair(a) }))),
    ),
  ];
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
