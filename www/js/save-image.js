// Saving the timeline (account lane, authentications chart, user lanes) or the authentications chart
// alone as a standalone SVG or PNG. The page's SVG is copied into a detached SVG document with each
// element's computed style written as presentation attributes (no <style>, no style attribute: the
// page's CSP allows neither, and the file must render the same outside the page), fonts reduced to
// generic families, under a title naming the time range and zone. Log text (user names, actors) stays
// text nodes and attribute values of that DOM, so XMLSerializer escapes it. The PNG is that SVG drawn
// on a canvas at twice its size.

import { el } from './dom.js';
import { dateTime, span, zoneLabel } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SCALE = 2;
/** Canvases much larger than this fail to encode: very tall timelines are drawn at a lower scale. */
const MAX_SIDE = 16_000;
const PAD = 16;

/** Computed properties written as presentation attributes, per element. */
const PAINT = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'stroke-linejoin', 'opacity'];
const FONT = ['font-size', 'font-weight', 'font-style'];
/** Interaction-only shapes: hit areas, the brush and the hovered bin. */
const SKIP = new Set(['hit', 'brush', 'brush-area', 'hover-bin']);
/** Attributes that only make sense in the page. */
const PAGE_ONLY = /^(data-|tabindex$|aria-describedby$|role$)/;

/** `20240501T093000Z`: UTC, no characters file systems object to. */
const stamp = () =>
  new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

const genericFont = (family) => (/mono/i.test(family) ? 'monospace' : 'sans-serif');
const unitless = (v) => v.replace(/px/g, '');

/** Writes the computed style of `src` (a page element) onto `dst` (its copy); false to drop it. */
function inlineStyle(src, dst) {
  const cs = getComputedStyle(src);
  if (cs.display === 'none' || cs.visibility === 'hidden') return false;
  if ([...src.classList].some((c) => SKIP.has(c))) return false;
  for (const name of [...dst.getAttributeNames()]) if (PAGE_ONLY.test(name)) dst.removeAttribute(name);
  const tag = src.localName;
  if (tag === 'title') return true;
  if (tag !== 'g' && tag !== 'svg') {
    for (const p of PAINT) dst.setAttribute(p, p === 'stroke-dasharray' || p === 'stroke-width' ? unitless(cs.getPropertyValue(p)) : cs.getPropertyValue(p));
  }
  if (tag === 'text') {
    for (const p of FONT) dst.setAttribute(p, cs.getPropertyValue(p));
    dst.setAttribute('font-family', genericFont(cs.fontFamily));
  }
  return true;
}

/** A copy of a page <svg> in `doc`, styles inlined, interaction shapes left out. */
function copySvg(doc, source) {
  const copy = doc.importNode(source, true);
  const drop = [];
  const walk = (s, d) => {
    if (!inlineStyle(s, d)) {
      drop.push(d);
      return;
    }
    const sc = s.children;
    const dc = d.children;
    for (let i = 0; i < sc.length; i++) walk(sc[i], dc[i]);
  };
  walk(source, copy);
  for (const d of drop) d.remove();
  return copy;
}

/** A legend key's swatch as rect attributes: filled, or outlined like the page draws it. */
function swatch(key) {
  const cs = getComputedStyle(key.querySelector('.swatch'));
  const round = cs.borderTopLeftRadius === '50%' ? 5 : 2;
  const border = parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== 'none';
  return {
    rx: round,
    fill: cs.backgroundColor,
    stroke: border ? cs.borderTopColor : 'none',
    'stroke-width': border ? unitless(cs.borderTopWidth) : 0,
    'stroke-dasharray': border && cs.borderTopStyle === 'dashed' ? '2 1.5' : 'none',
  };
}

/** The width of `text` at `font`, as a canvas measures it. */
const measure = (() => {
  let ctx = null;
  return (text, font) => {
    ctx ??= document.createElement('canvas').getContext('2d');
    ctx.font = font;
    return ctx.measureText(text).width;
  };
})();

/**
 * Builds the standalone SVG document of `blocks` ([{title, legend, svg}]: a heading, an optional
 * HTML legend element, a page <svg>) under `heading`.
 */
function compose(blocks, heading) {
  const doc = document.implementation.createDocument(SVG_NS, 'svg', null);
  const root = doc.documentElement;
  const node = (tag, attrs, text) => {
    const n = doc.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text != null) n.textContent = text;
    return n;
  };
  const panel = getComputedStyle(document.querySelector('.panel.timeline'));
  const muted = getComputedStyle(document.querySelector('.lane-title')).color;
  const width = Math.max(...blocks.map((b) => b.svg.width.baseVal.value)) + 2 * PAD;
  const background = node('rect', { fill: panel.backgroundColor });
  root.append(node('title', {}, heading), background);
  const body = node('g', { 'font-family': 'sans-serif' });
  body.append(node('text', { x: PAD, y: PAD + 14, 'font-size': '15px', 'font-weight': '600', fill: panel.color }, heading));
  let y = PAD + 34;
  for (const b of blocks) {
    y += 14;
    body.append(node('text', { x: PAD, y, 'font-size': '13px', 'font-weight': '600', fill: panel.color }, b.title));
    let x = PAD + measure(b.title, '600 13px sans-serif') + 18;
    for (const key of b.legend ? b.legend.querySelectorAll('.key') : []) {
      const label = key.textContent.trim();
      const w = 14 + measure(label, '11.5px sans-serif');
      if (x + w > width - PAD) {
        x = PAD + 18;
        y += 18;
      }
      body.append(node('rect', { x, y: y - 9, width: 10, height: 10, ...swatch(key) }));
      body.append(node('text', { x: x + 14, y, 'font-size': '11.5px', fill: muted }, label));
      x += w + 14;
    }
    y += 8;
    const copy = copySvg(doc, b.svg);
    copy.setAttribute('x', PAD);
    copy.setAttribute('y', y);
    body.append(copy);
    y += b.svg.height.baseVal.value + 10;
  }
  const height = Math.ceil(y + PAD);
  root.setAttribute('width', width);
  root.setAttribute('height', height);
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  background.setAttribute('width', width);
  background.setAttribute('height', height);
  root.append(body);
  return { text: new XMLSerializer().serializeToString(doc), width, height };
}

/** Renders SVG text onto a canvas at SCALE times its size (less past MAX_SIDE); resolves with the PNG Blob. */
async function toPng({ text, width, height }) {
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const scale = Math.min(SCALE, MAX_SIDE / Math.max(width, height));
    const canvas = el('canvas', { width: Math.round(width * scale), height: Math.round(height * scale) });
    const ctx = canvas.getContext('2d');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    const png = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!png) throw new Error('The browser could not encode the PNG.');
    return png;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  el('a', { href: url, download: name }).click();
  // The download reads the Blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const blockOf = (titleId, legendId, svgEl) => {
  const h3 = document.getElementById(titleId);
  return { title: h3.firstChild.textContent.trim(), legend: legendId ? document.getElementById(legendId) : null, svg: svgEl };
};

/**
 * Wires the save buttons. `view()` returns the shown time span and zone: {domain: [from, to], tz};
 * `track(f)` runs work counted as busy and reports its errors.
 */
export function setupSaveImages({ view, track }) {
  const $ = (id) => document.getElementById(id);
  const parts = {
    timeline: {
      label: 'Timeline',
      blocks: () => [
        blockOf('account-title', null, $('account').querySelector('svg')),
        blockOf('histogram-title', 'histogram-legend', $('histogram-wrap').querySelector('svg')),
        blockOf('users-title', 'user-legend', $('users').querySelector('svg')),
      ],
    },
    histogram: { label: 'Authentications', blocks: () => [blockOf('histogram-title', 'histogram-legend', $('histogram-wrap').querySelector('svg'))] },
  };

  function build(what) {
    const {
      domain: [a, b],
      tz,
    } = view();
    const heading = `authtrail · ${parts[what].label}: ${dateTime(a, tz)} to ${dateTime(b, tz)} ${zoneLabel(tz, a)} (${span(b - a)})`;
    return compose(
      parts[what].blocks().filter((x) => x.svg),
      heading,
    );
  }

  for (const what of Object.keys(parts)) {
    $(`save-${what}-svg`).addEventListener('click', () =>
      track(async () => {
        download(new Blob([build(what).text], { type: 'image/svg+xml' }), `authtrail-${what}-${stamp()}.svg`);
      }),
    );
    $(`save-${what}-png`).addEventListener('click', () =>
      track(async () => {
        download(await toPng(build(what)), `authtrail-${what}-${stamp()}.png`);
      }),
    );
  }
}
