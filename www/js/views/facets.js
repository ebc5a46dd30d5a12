// Facet lists: counts per user, MFA method, result, country, source and action under the
// current filter. Clicking a value filters on it; clicking it again clears it.

import { el, reorder, replace, setText } from '../dom.js';
import { count, int, orNone } from '../format.js';
import { visible } from '../lib/visible.js';

export const FACETS = [
  { name: 'user', title: 'User' },
  { name: 'method', title: 'MFA / auth method' },
  { name: 'result', title: 'Result' },
  { name: 'country', title: 'Country' },
  { name: 'source', title: 'Source' },
  { name: 'action', title: 'Action' },
];

const SHORT = 8;

/**
 * @param {HTMLElement} container
 * @param {{onToggle: (facet: string, value: string) => void, onClear: (facet: string) => void}} opts
 */
export function createFacets(container, { onToggle, onClear }) {
  const boxes = new Map();
  const expanded = new Set();
  const last = new Map();
  for (const f of FACETS) {
    const list = el('ul', { class: 'facet-list' });
    const clear = el('button', {
      type: 'button',
      class: 'button ghost small',
      text: 'clear',
      hidden: true,
      'aria-label': `Clear the ${f.title} filter`,
      onclick: () => onClear(f.name),
    });
    const more = el('button', {
      type: 'button',
      class: 'button ghost small more',
      testid: 'facet-more',
      hidden: true,
      onclick: () => {
        if (expanded.has(f.name)) expanded.delete(f.name);
        else expanded.add(f.name);
        const prev = last.get(f.name);
        if (prev) draw(f.name, prev.counts, prev.selected);
      },
    });
    const box = el(
      'section',
      { class: 'facet', testid: `facet-${f.name}`, 'aria-label': f.title },
      el('div', { class: 'facet-head' }, el('h3', { text: f.title }), clear),
      list,
      more,
    );
    container.append(box);
    boxes.set(f.name, { list, clear, more, items: new Map() });
  }

  /** A value's list item, built once and updated in place by later draws. */
  function itemNode(name, items, value) {
    let node = items.get(value);
    if (node) return node;
    const bar = el('span', { class: 'facet-bar' });
    const countEl = el('span', { class: 'facet-count', testid: 'facet-count' });
    const button = el(
      'button',
      {
        type: 'button',
        class: `facet-item${value === '' ? ' none' : ''}`,
        testid: 'facet-item',
        'data-value': value,
        onclick: () => onToggle(name, value),
      },
      bar,
      el('span', { class: 'facet-label', text: orNone(visible(value)) }),
      countEl,
    );
    node = { li: el('li', {}, button), button, bar, countEl, shown: {} };
    items.set(value, node);
    return node;
  }

  /** Sets what changed since the node was last drawn (writes invalidate style and layout). */
  function update(node, key, value, write) {
    if (node.shown[key] === value) return;
    node.shown[key] = value;
    write(value);
  }

  function draw(name, counts, selected) {
    last.set(name, { counts, selected });
    const { list, clear, more, items: cache } = boxes.get(name);
    const items = counts.map(([value, n]) => ({ value, n }));
    for (const value of selected) {
      if (!items.some((i) => i.value === value)) items.push({ value, n: 0 });
    }
    const max = Math.max(1, ...items.map((i) => i.n));
    const open = expanded.has(name);
    // Every value is in the DOM (so a test or a screen reader sees them all); beyond the first
    // few, unselected ones are hidden until "show all". List items are reused from draw to draw
    // (a brush redraws every facet): only what changed is written, and only the items whose order
    // changed are moved.
    const lis = items.map(({ value, n }, k) => {
      const pressed = selected.includes(value);
      const node = itemNode(name, cache, value);
      update(node, 'hidden', !open && k >= SHORT && !pressed, (v) => {
        node.li.hidden = v;
      });
      update(node, 'pressed', pressed, (v) => node.button.setAttribute('aria-pressed', v ? 'true' : 'false'));
      update(node, 'n', n, (v) => {
        node.button.title = `${orNone(visible(value))}: ${count(v)} events`;
        setText(node.countEl, int(v));
      });
      update(node, 'width', `${(100 * n) / max}%`, (v) => {
        node.bar.style.width = v;
      });
      return node.li;
    });
    const current = list.children;
    if (lis.length !== current.length || lis.some((li, k) => current[k] !== li)) {
      if (lis.length) reorder(list, lis);
      else replace(list, el('li', { class: 'facet-empty', text: 'no events' }));
    }
    if (cache.size > 4 * Math.max(lis.length, 64)) {
      const keep = new Set(items.map((i) => i.value));
      for (const value of cache.keys()) if (!keep.has(value)) cache.delete(value);
    }
    clear.hidden = selected.length === 0;
    more.hidden = items.length <= SHORT;
    more.textContent = open ? 'show fewer' : `show ${items.length - SHORT} more`;
  }

  return { draw };
}
