// The account MFA lane: the account's MFA level as a step line over time, every change (and
// attempted change) marked, periods without required MFA shaded.

import { el, px, replace, svg, update } from '../dom.js';
import { dateTimeZone, span } from '../format.js';
import { visible } from '../lib/visible.js';
import { PLOT, clipBand, timeScale } from '../scale.js';
import { timeGrid } from './timeaxis.js';

const ROW = 24;
const TOP = 12;
const AXIS = 24;
const NO_MFA = new Set(['NONE', 'NONE_NO_ROPC']);

/** Orders levels weakest first as the core ranks them; levels it does not know go last. */
function rankOf(levels) {
  const order = levels.map((l) => l.level);
  return (level) => {
    const i = order.indexOf(level);
    return i < 0 ? order.length : i;
  };
}

/** Periods at one level: [{from, to, level}] with level null while unknown. */
function periods(history) {
  const out = [];
  let level = history.length ? (history[0].from ?? null) : null;
  let since = -Infinity;
  for (const c of history) {
    if (c.outcome !== 'success' || !c.to) continue;
    out.push({ from: since, to: c.time, level });
    level = c.to;
    since = c.time;
  }
  out.push({ from: since, to: Infinity, level });
  return out.filter((p) => p.to > p.from);
}

/** Who made a change, from where (invisible characters shown). */
const who = (c) => `${visible(c.actor) ?? 'unknown'}${c.ip ? ` from ${visible(c.ip)}` : ''}`;

function describe(c, explain, tz) {
  const from = visible(c.from) ?? 'unknown';
  const to = visible(c.to) ?? '(no level named)';
  return [dateTimeZone(c.time, tz), `${from} → ${to}${c.to ? ` (${explain(c.to)})` : ''}`, `by ${who(c)}`, `${c.outcome} · ${visible(c.action)}`];
}

/**
 * @param {HTMLElement} container
 * @param {{onSelect: (eventIndex: number) => void}} opts
 */
export function createAccountLane(container, { onSelect }) {
  const headline = el('p', { class: 'lane-headline' });
  const plot = el('div', { class: 'plot' });
  const tooltip = el('div', { class: 'tooltip', testid: 'account-tooltip', role: 'tooltip', id: 'account-tooltip', hidden: true });
  const legend = el('ul', { class: 'level-legend' });
  const changes = el('ol', { class: 'change-list' });
  container.append(headline, plot, legend, changes, tooltip);
  let pinned = null;
  /** What the headline and the legend were drawn from. */
  let told = {};
  // The plot is built once; the level rows are kept while the levels and the width stay, the rest
  // (the time grid, bands, step line and markers) is drawn again by each render.
  const root = svg('svg', { class: 'lane account-lane', testid: 'account-lane', role: 'group', 'aria-label': 'Account MFA level over time' });
  const levelRows = svg('g');
  const rest = svg('g');
  root.append(levelRows, rest);
  plot.append(root);
  let drawnRows = {};

  function showTip(lines, x, y, outcome) {
    replace(tooltip, ...lines.map((t, i) => el('div', { class: i === 1 ? 'tip-strong' : 'tip-line', text: t })));
    tooltip.dataset.outcome = outcome;
    tooltip.hidden = false;
    const w = container.clientWidth;
    const left = x + 14 + 300 > w ? Math.max(4, x - 14 - 300) : x + 14;
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${Math.max(0, y - 12)}px`;
  }

  function hideTip() {
    if (pinned) return;
    tooltip.hidden = true;
  }

  container.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !tooltip.hidden) {
      pinned = null;
      tooltip.hidden = true;
    }
  });

  function render({ history, levels, domain, width, tz }) {
    const explain = (level) => levels.find((l) => l.level === level)?.explanation ?? 'level not documented by IBM';
    const rank = rankOf(levels);
    const present = new Set(['NONE']);
    for (const c of history) {
      if (c.from) present.add(c.from);
      if (c.to) present.add(c.to);
    }
    const rows = [...present].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const height = TOP + rows.length * ROW + AXIS;
    const bottom = TOP + rows.length * ROW;
    const y = (level) => {
      const i = rows.indexOf(level);
      return TOP + (rows.length - 1 - Math.max(i, 0)) * ROW + ROW / 2;
    };
    const x = timeScale(domain, width);
    const [r0, r1] = x.range;
    update(root, { width, height, viewBox: `0 0 ${width} ${height}` });

    // Level rows and their names: drawn again only when the levels or the width change.
    const rowsKey = JSON.stringify([rows, r0, r1]);
    if (rowsKey !== drawnRows.key || levels !== drawnRows.levels) {
      drawnRows = { key: rowsKey, levels };
      replace(
        levelRows,
        ...rows.flatMap((level) => {
          const yy = y(level);
          return [
            svg('line', { class: 'level-rule', x1: r0, x2: r1, y1: yy, y2: yy }),
            svg(
              'text',
              { class: `level-name${NO_MFA.has(level) ? ' none' : ''}`, x: PLOT.left - 12, y: yy + 4, 'text-anchor': 'end', text: visible(level) },
              svg('title', { text: `${visible(level)}: ${explain(level)}` }),
            ),
          ];
        }),
      );
    }
    const out = [timeGrid(x, TOP - 4, bottom, tz)];

    // Periods without required MFA, and the step line of the level.
    const spans = periods(history);
    let d = '';
    let prevY = null;
    for (const p of spans) {
      const [a, b] = clipBand(x, p.from, p.to);
      if (p.level && NO_MFA.has(p.level) && b - a > 0) {
        out.push(
          svg(
            'rect',
            { class: 'band-none', x: px(a), y: TOP - 4, width: px(Math.max(1.5, b - a)), height: bottom - TOP + 4 },
            svg('title', {
              text: `No MFA required (${visible(p.level)}) for ${span(Math.min(p.to, x.domain[1]) - Math.max(p.from, x.domain[0]))} in this window`,
            }),
          ),
        );
        if (b - a > 120) out.push(svg('text', { class: 'band-label', x: px(a + 6), y: TOP + 8, text: 'MFA not required' }));
      }
      if (b <= a && !(p.from <= x.domain[0] && p.to >= x.domain[1])) {
        prevY = p.level ? y(p.level) : null;
        continue;
      }
      if (!p.level) {
        if (b - a > 140 && history.length)
          out.push(svg('text', { class: 'unknown-label', x: px(a + 6), y: bottom - 6, text: 'level unknown before the first change' }));
        prevY = null;
        continue;
      }
      const yy = y(p.level);
      d += prevY == null || a <= r0 ? `M${px(a)} ${yy}` : `V${yy}`;
      d += `H${px(b)}`;
      prevY = yy;
    }
    if (d) out.push(svg('path', { class: 'step', d }));

    // One marker per change (or attempt) in the window.
    const shown = history.filter((c) => c.time >= x.domain[0] && c.time <= x.domain[1]);
    let current = history.length ? (history[0].from ?? null) : null;
    for (const c of history) {
      const before = current;
      if (c.outcome === 'success' && c.to) current = c.to;
      if (!shown.includes(c)) continue;
      const cx = px(x(c.time));
      const fromLevel = c.from ?? before;
      const cy = c.to ? y(c.to) : fromLevel ? y(fromLevel) : (TOP + bottom) / 2;
      const weaker = c.to && fromLevel && rank(c.to) < rank(fromLevel);
      const lines = describe(c, explain, tz);
      const g = svg('g', {
        class: `account-change ${c.outcome}${weaker ? ' weaker' : ''}`,
        testid: 'account-change',
        'data-outcome': c.outcome,
        'data-from': c.from ?? '',
        'data-to': c.to ?? '',
        'data-actor': c.actor ?? '',
        'data-event': c.event,
        tabindex: '0',
        role: 'button',
        'aria-label': lines.join(', '),
        'aria-describedby': 'account-tooltip',
      });
      if (c.outcome !== 'success' && fromLevel && c.to) {
        g.append(svg('line', { class: 'attempt', x1: cx, x2: cx, y1: y(fromLevel), y2: cy }));
      }
      g.append(svg('circle', { class: 'hit', cx, cy, r: 11 }));
      if (c.outcome === 'success' || c.outcome === 'failure') {
        g.append(svg('circle', { class: 'mark', cx, cy, r: 5.5 }));
      } else {
        g.append(svg('rect', { class: 'mark', x: cx - 4.5, y: cy - 4.5, width: 9, height: 9, transform: `rotate(45 ${cx} ${cy})` }));
      }
      const show = () => showTip(lines, cx, cy, c.outcome);
      g.addEventListener('pointerenter', () => {
        if (!pinned) show();
      });
      g.addEventListener('pointerleave', hideTip);
      g.addEventListener('focus', () => {
        if (!pinned) show();
      });
      g.addEventListener('blur', hideTip);
      const activate = () => {
        pinned = pinned === c ? null : c;
        show();
        onSelect(c.event);
      };
      g.addEventListener('click', activate);
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          activate();
        }
      });
      out.push(g);
    }
    if (!history.length) {
      out.push(
        svg('text', {
          class: 'empty-note',
          x: (r0 + r1) / 2,
          y: TOP + ROW / 2 + 4,
          'text-anchor': 'middle',
          text: 'No account MFA level changes in these files',
        }),
      );
    }
    replace(rest, ...out);
    pinned = null;
    tooltip.hidden = true;

    // The changes in the window as text; the level now and the legend of level names only when the
    // history or the time zone changed (a brush keeps them).
    replace(
      changes,
      ...shown.map((c) => {
        const weaker = c.to && c.from && rank(c.to) < rank(c.from);
        return el(
          'li',
          { class: `change ${c.outcome}${weaker ? ' weaker' : ''}` },
          el(
            'button',
            { type: 'button', class: 'link', onclick: () => onSelect(c.event) },
            el('span', { class: 'when', text: dateTimeZone(c.time, tz) }),
            el('span', { class: 'what', text: `${visible(c.from) ?? '?'} → ${visible(c.to) ?? '(set-on, no level)'}` }),
            el('span', { class: 'who', text: who(c) }),
            el('span', { class: `outcome ${c.outcome}`, text: c.outcome }),
            el('span', { class: 'action', text: visible(c.action) }),
          ),
        );
      }),
    );
    if (told.history === history && told.levels === levels && told.tz === tz) return;
    told = { history, levels, tz };
    const last = [...history].reverse().find((c) => c.outcome === 'success' && c.to);
    replace(
      headline,
      last
        ? el(
            'span',
            {},
            'Latest level ',
            el('strong', { class: NO_MFA.has(last.to) ? 'level-none' : '', text: visible(last.to) }),
            ` (${explain(last.to)}), set ${dateTimeZone(last.time, tz)} by `,
            el('bdi', { text: visible(last.actor) ?? 'unknown' }),
          )
        : el('span', { text: history.length ? 'No successful level change in these files.' : 'The files hold no account MFA level change.' }),
    );
    replace(
      legend,
      ...rows.map((level) => el('li', {}, el('strong', { class: NO_MFA.has(level) ? 'level-none' : '', text: visible(level) }), ` ${explain(level)}`)),
    );
  }

  return { render };
}
