// The authentication histogram: successes and failures stacked per time bin. Dragging across
// the plot selects a time window that every view follows (the window under the pointer is told
// while dragging, so that its views can be asked for ahead); a click pins a moment (its MFA state
// is shown below the timeline).

import { el, px, replace, svg } from '../dom.js';
import { count, dateTime, int, zoneLabel } from '../format.js';
import { PLOT, linear, niceMax, timeScale } from '../scale.js';
import { timeGrid } from './timeaxis.js';

const HEIGHT = 156;
const TOP = 10;
const AXIS = 24;

const sum = (a) => a.reduce((s, v) => s + v, 0);

/** Narrower drags are a click: they pin a moment instead of selecting a window. */
const MIN_BRUSH_PX = 3;

/**
 * @param {HTMLElement} container
 * @param {{onBrush: (from: number, to: number) => void, onDrag: (from: number, to: number) => void, onPick: (time: number) => void}} opts
 *   onDrag: the window a release would select now, at each move of a drag
 */
export function createHistogram(container, { onBrush, onDrag, onPick }) {
  const box = el('div', { class: 'histogram', testid: 'histogram', 'data-success': '0', 'data-failure': '0' });
  const readout = el('p', { class: 'readout', 'aria-live': 'polite' });
  container.append(box, readout);
  // Built once and updated in place by each render: a brush rewrites attributes, not the plot.
  const bottom = HEIGHT - AXIS;
  const root = svg('svg', { height: HEIGHT, role: 'img' });
  const axes = svg('g');
  const bars = svg('g', { class: 'bars' });
  const paths = ['bar-success', 'bar-failure', 'bar-other'].map((cls) => svg('path', { class: cls }));
  const empty = svg('text', { class: 'empty-note', y: (TOP + bottom) / 2, 'text-anchor': 'middle', text: 'No authentication in this selection' });
  const momentLine = svg('line', { class: 'moment-line', testid: 'moment-line', y1: TOP, y2: bottom });
  const brush = svg('rect', { class: 'brush', x: 0, y: TOP, width: 0, height: bottom - TOP, visibility: 'hidden' });
  const hover = svg('rect', { class: 'hover-bin', x: 0, y: TOP, height: bottom - TOP, visibility: 'hidden' });
  const area = svg('rect', { class: 'brush-area', y: TOP, height: bottom - TOP });
  root.append(axes, bars, hover, brush, area);
  /** What the last render drew, for the pointer handlers. */
  let cur = null;

  const idle = () => {
    const { totals } = cur;
    return `${count(totals.success)} succeeded, ${count(totals.failure)} failed${totals.other ? `, ${count(totals.other)} pending or unknown` : ''}. Drag across the chart to select a time window.`;
  };
  const localX = (e) => Math.max(cur.r0, Math.min(cur.r1, e.clientX - root.getBoundingClientRect().left));
  /** The window between two x positions, in whole milliseconds that cover it. */
  const windowOf = (a, b) => [Math.floor(cur.x.invert(a)), Math.ceil(cur.x.invert(b))];
  let start = null;
  area.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || !cur) return;
    e.preventDefault();
    area.setPointerCapture(e.pointerId);
    start = localX(e);
    brush.setAttribute('x', px(start));
    brush.setAttribute('width', '0');
    brush.setAttribute('visibility', 'visible');
    hover.setAttribute('visibility', 'hidden');
  });
  area.addEventListener('pointermove', (e) => {
    if (!cur) return;
    const {
      x,
      tz,
      r0,
      n,
      bw,
      binMs,
      domain,
      hist: { success, failure, other },
    } = cur;
    const at = localX(e);
    if (start != null) {
      brush.setAttribute('x', px(Math.min(start, at)));
      brush.setAttribute('width', px(Math.abs(at - start)));
      const [a, b] = [x.invert(Math.min(start, at)), x.invert(Math.max(start, at))];
      readout.textContent = `${dateTime(a, tz)} to ${dateTime(b, tz)} ${zoneLabel(tz, a)}`;
      if (Math.abs(at - start) >= MIN_BRUSH_PX) onDrag(...windowOf(Math.min(start, at), Math.max(start, at)));
      return;
    }
    const i = Math.min(n - 1, Math.max(0, Math.floor((at - r0) / bw)));
    hover.setAttribute('x', px(r0 + i * bw));
    hover.setAttribute('visibility', 'visible');
    const t0 = domain[0] + i * binMs;
    readout.textContent = `${dateTime(t0, tz)} to ${dateTime(t0 + binMs, tz)} ${zoneLabel(tz, t0)}: ${count(success[i])} succeeded, ${count(failure[i])} failed${other[i] ? `, ${count(other[i])} other` : ''}`;
  });
  area.addEventListener('pointerup', (e) => {
    if (start == null) return;
    const at = localX(e);
    const [a, b] = [Math.min(start, at), Math.max(start, at)];
    start = null;
    if (b - a < MIN_BRUSH_PX) {
      brush.setAttribute('visibility', 'hidden');
      onPick(Math.round(cur.x.invert(a)));
      return;
    }
    onBrush(...windowOf(a, b));
  });
  area.addEventListener('pointercancel', () => {
    start = null;
    brush.setAttribute('visibility', 'hidden');
  });
  area.addEventListener('pointerleave', () => {
    if (start == null && cur) {
      hover.setAttribute('visibility', 'hidden');
      readout.textContent = idle();
    }
  });

  function render({ hist, domain, width, tz, moment }) {
    const x = timeScale(domain, width);
    const [r0, r1] = x.range;
    const { success, failure, other } = hist;
    const n = success.length;
    const totals = { success: sum(success), failure: sum(failure), other: sum(other) };
    box.dataset.success = int(totals.success);
    box.dataset.failure = int(totals.failure);
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, success[i] + failure[i] + other[i]);
    const top = niceMax(peak);
    const y = linear([0, top], [bottom, TOP]);
    const bw = (r1 - r0) / Math.max(1, n);
    cur = { x, tz, r0, r1, n, bw, binMs: (domain[1] - domain[0]) / Math.max(1, n), domain, hist, totals };

    root.setAttribute('width', width);
    root.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    root.setAttribute('aria-label', `Authentications over time: ${totals.success} succeeded, ${totals.failure} failed`);
    const counts = [];
    for (const v of Number.isInteger(top / 2) ? [top / 2, top] : [top]) {
      counts.push(svg('line', { class: 'grid', x1: r0, x2: r1, y1: px(y(v)), y2: px(y(v)) }));
      counts.push(svg('text', { class: 'count-label', x: PLOT.left - 10, y: px(y(v)) + 4, 'text-anchor': 'end', text: count(v) }));
    }
    counts.push(svg('text', { class: 'count-label', x: PLOT.left - 10, y: bottom + 4, 'text-anchor': 'end', text: '0' }));
    replace(axes, timeGrid(x, TOP, bottom, tz), ...counts);

    const base = new Float64Array(n);
    const drawn = [];
    [success, failure, other].forEach((values, k) => {
      let d = '';
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (!v) continue;
        const y0 = y(base[i]);
        const y1 = y(base[i] + v);
        base[i] += v;
        const x0 = r0 + i * bw;
        const w = Math.max(1, bw - (bw > 4 ? 1 : 0));
        d += `M${px(x0)} ${px(y0)}V${px(Math.min(y1, y0 - 1))}h${px(w)}V${px(y0)}z`;
      }
      if (!d) return;
      paths[k].setAttribute('d', d);
      drawn.push(paths[k]);
    });
    if (drawn.length !== bars.children.length || drawn.some((p, k) => bars.children[k] !== p)) replace(bars, ...drawn);
    empty.setAttribute('x', (r0 + r1) / 2);
    if (peak > 0) empty.remove();
    else if (!empty.isConnected) bars.after(empty);
    if (moment != null && moment >= domain[0] && moment <= domain[1]) {
      const mx = px(x(moment));
      momentLine.setAttribute('x1', mx);
      momentLine.setAttribute('x2', mx);
      if (!momentLine.isConnected) (empty.isConnected ? empty : bars).after(momentLine);
    } else momentLine.remove();
    hover.setAttribute('visibility', 'hidden');
    hover.setAttribute('width', Math.max(1, bw));
    area.setAttribute('x', r0);
    area.setAttribute('width', Math.max(0, r1 - r0));
    // A redraw in the middle of a drag (a resize) keeps the brush being drawn.
    if (start == null) {
      brush.setAttribute('visibility', 'hidden');
      readout.textContent = idle();
    }
    if (!root.isConnected) box.append(root);
  }

  return { render };
}

/** The legend of the bar colours. */
export function histogramLegend() {
  const item = (cls, label) => el('span', { class: `key ${cls}` }, el('i', { class: 'swatch' }), label);
  return [item('bar-success', 'success'), item('bar-failure', 'failure'), item('bar-other', 'pending / unknown')];
}
