// The time grid and axis every timeline plot draws, so they line up.

import { svg, px } from '../dom.js';
import { timeTicks } from '../scale.js';
import { tick as tickLabel } from '../format.js';

/** Vertical grid lines over [top, bottom] and, when `labels`, tick labels under `bottom`. */
export function timeGrid(x, top, bottom, tz, { labels = true } = {}) {
  const [r0, r1] = x.range;
  const max = Math.max(2, Math.floor((r1 - r0) / 90));
  const { step, ticks } = timeTicks(x.domain[0], x.domain[1], max, tz);
  const g = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const t of ticks) {
    const xx = px(x(t));
    g.append(svg('line', { class: 'grid', x1: xx, x2: xx, y1: top, y2: bottom }));
    if (labels) {
      g.append(svg('text', { x: xx, y: bottom + 14, 'text-anchor': 'middle', text: tickLabel(t, step, tz) }));
    }
  }
  g.append(svg('line', { class: 'baseline', x1: r0, x2: r1, y1: bottom, y2: bottom }));
  return g;
}
