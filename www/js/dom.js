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

/** Rounds a pixel coordinate for crisp SVG attributes. */
export const px = (v) => Math.round(v * 10) / 10;
