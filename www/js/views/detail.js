// The detail pane: one event's normalized fields and its original JSON, as text, invisible
// characters shown. A long original (the worker sends the first part of it) is shown cut; Copy
// asks the worker for the whole of it.

import { el, replace } from '../dom.js';
import { bytes, count, dateTimeZone, orNone } from '../format.js';
import { utf8Length } from '../lib/bounded.js';
import { visible, visibleBlock } from '../lib/visible.js';

/** The fields shown: [label, text], their log values with invisible characters shown. */
function fields(event, tz) {
  const v = visible;
  const out = [
    ['time', `${dateTimeZone(Date.parse(event.time), tz, { millis: true })}`],
    ['source', event.family],
    ['kind', event.kind],
    ['outcome', event.outcome],
    ['action', v(event.action)],
    ['id', v(event.id)],
    ['user', v(event.user)],
    ['actor', v(event.actor)],
    ['ip', v(event.ip)],
    ['method', v(event.method)],
    ['user agent', v(event.user_agent)],
    ['country', [event.geo?.country, event.geo?.country_name].filter(Boolean).map(v).join(' ')],
    ['city', v(event.geo?.city)],
    ['coordinates', event.geo?.lat != null && event.geo?.lon != null ? `${event.geo.lat.toFixed(4)}, ${event.geo.lon.toFixed(4)}` : null],
  ];
  const d = event.detail ?? {};
  switch (d.type) {
    case 'account_mfa':
      out.push(['MFA level', `${v(d.from) ?? '?'} → ${v(d.to) ?? '(not named)'}`]);
      if (d.companion) out.push(['companion', 'set-on / set-off companion of a level change']);
      break;
    case 'user_setting':
      for (const c of d.values ?? []) out.push([`setting ${v(c.setting)}`, `${v(c.from) ?? '?'} → ${v(c.to)}`]);
      break;
    default:
      for (const [k, value] of Object.entries(d)) {
        if (k !== 'type' && value != null) out.push([k, v(String(value))]);
      }
  }
  return out.filter(([, v]) => v != null && v !== '');
}

/**
 * @param {HTMLElement} pane
 * @param {{files: () => {name: string}[], onClose: () => void, whole: (index: number) => Promise<Blob>}} opts
 *   `whole`: the whole original text of an event, asked of the worker when a cut one is copied
 */
export function createDetail(pane, { files, onClose, whole }) {
  const title = el('h3', { id: 'detail-title', text: 'Event detail' });
  const close = el('button', { type: 'button', class: 'button ghost small', text: 'Close', onclick: onClose });
  const list = el('dl', { class: 'detail-fields', testid: 'detail-fields' });
  const where = el('p', { class: 'detail-where' });
  const indent = el('button', { type: 'button', class: 'button ghost small', text: 'Indent', 'aria-pressed': 'false' });
  const copy = el('button', { type: 'button', class: 'button ghost small', text: 'Copy', testid: 'detail-copy' });
  const json = el('pre', { class: 'detail-json', testid: 'detail-json', tabindex: '0', 'aria-label': 'Original JSON' });
  const cutNote = el('p', { class: 'detail-cut', testid: 'detail-cut', hidden: true });
  const hint = el('p', {
    class: 'detail-hint',
    text: 'Select an event (click a row, or use the arrow keys and Enter) to see its normalized fields and the original JSON from the file.',
  });
  const body = el(
    'div',
    { class: 'detail-body', hidden: true },
    el('div', { class: 'detail-col' }, el('h4', { text: 'Normalized fields' }), list),
    el('div', { class: 'detail-col' }, el('div', { class: 'json-head' }, el('h4', { text: 'Original JSON' }), indent, copy), where, json, cutNote),
  );
  pane.append(el('div', { class: 'detail-head' }, title, close), hint, body);
  /** The original text shown (all of it, or its first part when `cut`), and the event it is of. */
  let raw = '';
  let cut = false;
  let index = null;
  let pretty = false;

  function showJson() {
    if (pretty && !cut) {
      try {
        json.textContent = visibleBlock(JSON.stringify(JSON.parse(raw), null, 2));
        return;
      } catch {
        // Not parseable as one value (a text line, or invalid JSON): show it as it is.
      }
    }
    json.textContent = visibleBlock(raw);
  }
  indent.addEventListener('click', () => {
    pretty = !pretty;
    indent.setAttribute('aria-pressed', String(pretty));
    showJson();
  });
  const copied = (text) => {
    copy.textContent = text;
    setTimeout(() => {
      copy.textContent = 'Copy';
    }, 1200);
  };
  copy.addEventListener('click', () => {
    if (!navigator.clipboard) return;
    // A cut text is copied whole, read again from the file by the worker: it comes as a Blob,
    // which the clipboard takes without the page ever holding the text.
    const done = cut ? navigator.clipboard.write([new ClipboardItem({ 'text/plain': whole(index) })]) : navigator.clipboard.writeText(raw);
    done.then(
      () => copied('Copied'),
      () => copied('Not copied'),
    );
  });

  return {
    /** `detail` is null (nothing selected), 'loading', or the worker's {index, event, at, json, whole, jsonError}. */
    render(detail, tz) {
      close.hidden = detail == null;
      hint.hidden = detail != null;
      body.hidden = detail == null;
      pane.classList.toggle('loading', detail === 'loading');
      if (detail == null || detail === 'loading') return;
      title.textContent = `Event ${detail.index}`;
      replace(list, ...fields(detail.event, tz).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: orNone(v) })]));
      const file = files()[detail.at.file]?.name ?? `file ${detail.at.file}`;
      where.textContent = `${file}, byte ${detail.at.offset} of the ${files()[detail.at.file]?.format?.startsWith('gzip') ? 'decompressed ' : ''}text, ${detail.at.len} bytes`;
      raw = detail.jsonError ? '' : detail.json;
      cut = !detail.jsonError && !detail.whole;
      index = detail.index;
      if (detail.jsonError) where.textContent += ` (could not be read back: ${detail.jsonError})`;
      indent.disabled = cut;
      cutNote.hidden = !cut;
      cutNote.textContent = cut ? `Cut: the first ${bytes(utf8Length(raw))} of ${count(detail.at.len)} bytes are shown. Copy copies the whole record.` : '';
      showJson();
    },
  };
}
