// The authentication histogram: successes and failures stacked per time bin. Dragging across
// the plot selects a time window that every view follows; a click pins a moment (its MFA state
// is shown below the timeline).

import { el, px, replace, svg } from '../dom.js';
import { count, dateTime, int, zoneLabel } from '../format.js';
import { PLOT, linear, niceMax, timeScale } from '../scale.js';
import { timeGrid } from './timeaxis.js';

const HEIGHT = 156;
const TOP = 10;
const AXIS = 24;

const sum = (a) => a.reduce((s, v) => s + v, 0);

/**
 * @param {HTMLElement} container
 * @param {{onBrush: (from: number, to: number) => void, onPick: (time: number) => void}} opts
 */
export function createHistogram(container, { onBrush, onPick }) {
  const box = el('div', { class: 'histogram', testid: 'histogram', 'data-success': '0', 'data-failure': '0' });
  const readout = el('p', { class: 'readout', 'aria-live': 'polite' });
  container.append(box, readout);

  function render({ hist, domain, width, tz, moment }) {
    const x = timeScale(domain, width);
    const [r0, r1] = x.range;
    const bottom = HEIGHT - AXIS;
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
    const binMs = (domain[1] - domain[0]) / Math.max(1, n);

    const root = svg('svg', { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-label': `Authentications over time: ${totals.success} succeeded, ${totals.failure} failed` });
    root.append(timeGrid(x, TOP, bottom, tz));
    for (const v of Number.isInteger(top / 2) ? [top / 2, top] : [top]) {
      root.append(svg('line', { class: 'grid', x1: r0, x2: r1, y1: px(y(v)), y2: px(y(v)) }));
      root.append(svg('text', { class: 'count-label', x: PLOT.left - 10, y: px(y(v)) + 4, 'text-anchor': 'end', text: count(v) }));
    }
    root.append(svg('text', { class: 'count-label', x: PLOT.left - 10, y: bottom + 4, 'text-anchor': 'end', text: '0' }));

    const layers = [
      ['bar-success', success],
      ['bar-failure', failure],
      ['bar-other', other],
    ];
    const bars = svg('g', { class: 'bars' });
    const base = new Float64Array(n);
    for (const [cls, values] of layers) {
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
      if (d) bars.append(svg('path', { class: cls, d }));
    }
    root.append(bars);
    if (peak === 0) {
      root.append(svg('text', { class: 'empty-note', x: (r0 + r1) / 2, y: (TOP + bottom) / 2, 'text-anchor': 'middle', text: 'No authentication in this selection' }));
    }

    const brush = svg('rect', { class: 'brush', x: 0, y: TOP, width: 0, height: bottom - TOP, visibility: 'hidden' });
    const hover = svg('rect', { class: 'hover-bin', x: 0, y: TOP, width: Math.max(1, bw), height: bottom - TOP, visibility: 'hidden' });
    const area = svg('rect', { class: 'brush-area', x: r0, y: TOP, width: Math.max(0, r1 - r0), height: bottom - TOP });
    if (moment != null && moment >= domain[0] && moment <= domain[1]) {
      const mx = px(x(moment));
      root.append(svg('line', { class: 'moment-line', testid: 'moment-line', x1: mx, x2: mx, y1: TOP, y2: bottom }));
    }
    root.append(hover, brush, area);

    const idle = () => `${count(totals.success)} succeeded, ${count(totals.failure)} failed${totals.other ? `, ${count(totals.other)} pending or unknown` : ''}. Drag across the chart to select a time window.`;
    readout.textContent = idle();
    const localX = (e) => Math.max(r0, Math.min(r1, e.clientX - root.getBoundingClientRect().left));
    let start = null;
    area.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      area.setPointerCapture(e.pointerId);
      start = localX(e);
      brush.setAttribute('x', px(start));
      brush.setAttribute('width', '0');
      brush.setAttribute('visibility', 'visible');
      hover.setAttribute('visibility', 'hidden');
    });
    area.addEventListener('pointermove', (e) => {
      const at = localX(e);
      if (start != null) {
        brush.setAttribute('x', px(Math.min(start, at)));
        brush.setAttribute('width', px(Math.abs(at - start)));
        const [a, b] = [x.invert(Math.min(start, at)), x.invert(Math.max(start, at))];
        readout.textContent = `${dateTime(a, tz)} to ${dateTime(b, tz)} ${zoneLabel(tz, a)}`;
        return;
      }
      const i = Math.min(n - 1, Math.max(0, Math.floor((at - r0) / bw)));
      hover.setAttribute('x', px(r0 + i * bw));
      hover.setAttribute('visibility', 'visible');
      const t0 = domain[0] + i * binMs;
      readout.textContent = `${dateTime(t0, tz)} to ${dateTime(t0 + binMs, tz)} ${zoneLabel(tz, t0)}: ${count(success[i])} succeeded, ${count(failure[i])} failed${other[i] ? `, ${count(other[i])} other` : ''}`;
    });
    const end = (e) => {
      if (start == null) return;
      const at = localX(e);
      const [a, b] = [Math.min(start, at), Math.max(start, at)];
      start = null;
      if (b - a < 3) {
        brush.setAttribute('visibility', 'hidden');
        onPick(Math.round(x.invert(a)));
        return;
      }
      onBrush(Math.floor(x.invert(a)), Math.ceil(x.invert(b)));
    };
    area.addEventListener('pointerup', end);
    area.addEventListener('pointercancel', () => {
      start = null;
      brush.setAttribute('visibility', 'hidden');
    });
    area.addEventListener('pointerleave', () => {
      if (start == null) {
        hover.setAttribute('visibility', 'hidden');
        readout.textContent = idle();
      }
    });
    replace(box, root);
  }

  return { render };
}

/** The legend of the bar colours. */
export function histogramLegend() {
  const item = (cls, label) => el('span', { class: `key ${cls}` }, el('i', { class: 'swatch' }), label);
  return [item('bar-success', 'success'), item('bar-failure', 'failure'), item('bar-other', 'pending / unknown')];
}
