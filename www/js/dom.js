// DOM building helpers. Every string goes in through textContent or setAttribute, never as HTML:
// log fields are attacker-controlled text.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(node, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'class') node.setAttribute('class', v);
    else if (k === 'testid') node.dataset.testid = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** An HTML element: el('button', {class: 'x', text: 'Go', onclick: f}, ...children). */
export function el(tag, attrs, ...children) {
  return apply(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention as `el`. */
export function svg(tag, attrs, ...children) {
  return apply(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces a node's children. */
export function replace(node, ...children) {
  node.replaceChildren(...children.filter((c) => c != null && c !== false));
}

/**
 * Makes `parent`'s children exactly `nodes`, moving as few as it can: the children that keep their
 * relative order (a longest increasing run of their old positions) stay; the others are inserted
 * where they go. A moved node is laid out again; one left in place is not.
 */
export function reorder(parent, nodes) {
  const wanted = new Set(nodes);
  for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
  const old = new Map(Array.from(parent.children, (child, i) => [child, i]));
  const stay = new Set();
  // Patience sorting over the old positions of the nodes that were already there.
  const tails = [];
  const prev = new Array(nodes.length).fill(-1);
  nodes.forEach((node, k) => {
    const at = old.get(node);
    if (at === undefined) return;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (old.get(nodes[tails[mid]]) < at) lo = mid + 1;
      else hi = mid;
    }
    prev[k] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = k;
  });
  for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = prev[k]) stay.add(k);
  let next = null;
  for (let k = nodes.length - 1; k >= 0; k--) {
    if (!stay.has(k)) parent.insertBefore(nodes[k], next);
    next = nodes[k];
  }
}

/**
 * Sets a node's text: in its one text node when it has one (changing a text node's data costs the
 * layout less than replacing the node, which `textContent` does).
 */
export function setText(node, text) {
  const t = node.firstChild;
  if (t && t === node.lastChild && t.nodeType === Node.TEXT_NODE) t.data = text;
  else node.textContent = text;
}

const written = new WeakMap();

/**
 * Updates a node drawn again and again: sets each attribute (`text`: the text content; null or
 * false: removes it) only when it differs from what this function last wrote there (a write, even of
 * the same value, can invalidate style and layout). Only for attributes nothing else writes.
 */
export function update(node, attrs) {
  let last = written.get(node);
  if (!last) {
    last = new Map();
    written.set(node, last);
  }
  for (const [k, v] of Object.entries(attrs)) {
    const value = v == null || v === false ? null : String(v);
    if (last.get(k) === value) continue;
    last.set(k, value);
    if (k === 'text') setText(node, value ?? '');
    else if (value == null) node.removeAttribute(k);
    else node.setAttribute(k, value);
  }
}

/** Rounds a pixel coordinate for crisp SVG attributes. */
export const px = (v) => Math.round(v * 10) / 10;
