// The event table: virtualised (only the visible rows exist in the DOM), rows fetched from the
// worker a page at a time, sorted by time, keyboard navigable.

import { el, update } from '../dom.js';
import { dateTime, orNone } from '../format.js';
import { visible } from '../lib/visible.js';

const ROW = 30;
const PAGE = 200;
/** Browsers cap element heights; past this the scrollbar maps proportionally to rows. */
const MAX_HEIGHT = 4_000_000;
const MAX_PAGES = 60;
/** The table's height: up to this many rows, fewer when fewer match. */
const MAX_VISIBLE_ROWS = 17;

const COLUMNS = [
  { key: 'time', title: 'Time' },
  { key: 'outcome', title: 'Result' },
  { key: 'kind', title: 'Kind' },
  { key: 'action', title: 'Action' },
  { key: 'user', title: 'User' },
  { key: 'actor', title: 'By' },
  { key: 'method', title: 'Method' },
  { key: 'ip', title: 'IP' },
  { key: 'country', title: 'Country' },
];

/** A cell's text (invisible characters shown): the actor only when someone else acted for the user. */
function cellText(row, key, tz) {
  if (key === 'time') return dateTime(row.time, tz);
  if (key === 'actor') return row.actor && row.actor !== row.user ? visible(row.actor) : '';
  return orNone(visible(row[key]));
}

/**
 * @param {HTMLElement} container
 * @param {{fetchRows: (offset: number, limit: number) => Promise<object[]>, onOpen: (index: number) => void}} opts
 */
export function createTable(container, { fetchRows, onOpen }) {
  const head = el(
    'div',
    { class: 'table-head', role: 'row' },
    ...COLUMNS.map((c) => el('div', { class: `cell c-${c.key}`, role: 'columnheader', text: c.title })),
  );
  const rowsEl = el('div', { class: 'table-rows', role: 'rowgroup' });
  const space = el('div', { class: 'table-space' }, rowsEl);
  const empty = el('p', { class: 'table-empty', hidden: true });
  const scroll = el(
    'div',
    { class: 'table-scroll', testid: 'event-table', tabindex: '0', role: 'grid', 'aria-label': 'Events', 'aria-rowcount': '0' },
    space,
    empty,
  );
  container.append(head, scroll);

  let total = 0;
  let gen = 0;
  let desc = false;
  let tz = 'utc';
  let cursor = -1;
  let opened = null;
  let frame = 0;
  /** The scroll position, kept from scroll events: reading it after a DOM change forces a layout. */
  let scrollTop = 0;
  const pages = new Map();
  const loading = new Map();
  /** The rows a reset was given (`{offset, rows}`: from `offset` on, in time order) until their page loads. */
  let given = { offset: 0, rows: [] };

  const actual = (pos) => (desc ? total - 1 - pos : pos);
  /** The viewport's height, which draw() sets (no border, no horizontal scrollbar). */
  const viewHeight = () => Math.max(4, Math.min(MAX_VISIBLE_ROWS, total)) * ROW + 2;
  /** How many rows draw() shows at most for a view `viewH` high (partly visible ones included). */
  const drawnRows = (viewH) => Math.ceil(viewH / ROW) + 2;
  /** Scrolls to `top` and keeps the position the browser settled on (it clamps). */
  function scrollTo(top) {
    scroll.scrollTop = top;
    scrollTop = scroll.scrollTop;
  }

  function page(p) {
    if (pages.has(p)) return Promise.resolve(pages.get(p));
    if (loading.has(p)) return loading.get(p);
    const g = gen;
    const promise = fetchRows(p * PAGE, PAGE).then(
      (rows) => {
        loading.delete(p);
        if (g !== gen) return null;
        pages.set(p, rows);
        if (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value);
        schedule();
        return rows;
      },
      (e) => {
        loading.delete(p);
        throw e;
      },
    );
    loading.set(p, promise);
    return promise;
  }

  function rowAt(pos) {
    const a = actual(pos);
    const rows = pages.get(Math.floor(a / PAGE));
    if (rows) return rows[a % PAGE];
    return given.rows[a - given.offset] ?? null;
  }

  function geometry() {
    const viewH = viewHeight();
    const visible = drawnRows(viewH) - 1;
    const full = total * ROW;
    const virtual = Math.min(full, MAX_HEIGHT);
    const st = scrollTop;
    if (virtual === full) {
      const first = Math.floor(st / ROW);
      return { first, top: first * ROW, visible, virtual, viewH, compressed: false };
    }
    const ratio = st / Math.max(1, virtual - viewH);
    const first = Math.round(ratio * Math.max(0, total - visible + 1));
    return { first, top: st, visible, virtual, viewH, compressed: true };
  }

  /** The pages of the rows in view that are not at hand. */
  function missingPages() {
    const { first: top, visible } = geometry();
    const need = new Set();
    for (let pos = top; pos < Math.min(total, top + visible + 1); pos++) {
      if (!rowAt(pos)) need.add(Math.floor(actual(pos) / PAGE));
    }
    return [...need];
  }

  /** The row nodes, reused from draw to draw (k-th visible row in the k-th node): only what changed is written. */
  const pool = [];
  function rowNode(k) {
    if (!pool[k]) {
      const cells = COLUMNS.map((c) => el('div', { class: `cell c-${c.key}`, role: 'gridcell' }));
      pool[k] = { node: el('div', { role: 'row' }, ...cells), cells };
    }
    return pool[k];
  }

  function draw() {
    frame = 0;
    const height = `${viewHeight()}px`;
    if (scroll.style.height !== height) scroll.style.height = height;
    const { first, top, visible, virtual } = geometry();
    space.style.height = `${virtual}px`;
    rowsEl.style.transform = `translateY(${top}px)`;
    const hadFocus = scroll.contains(document.activeElement) && document.activeElement !== scroll;
    const n = Math.max(0, Math.min(total, first + visible + 1) - first);
    for (let k = 0; k < n; k++) {
      const pos = first + k;
      const row = rowAt(pos);
      if (!row) page(Math.floor(actual(pos) / PAGE)).catch(() => {});
      const { node, cells } = rowNode(k);
      update(node, {
        class: row ? `row ${row.outcome}${pos === cursor ? ' cursor' : ''}${row.index === opened ? ' opened' : ''}` : 'row placeholder',
        'data-testid': row && 'event-row',
        tabindex: row && (pos === cursor ? '0' : '-1'),
        'aria-rowindex': pos + 1,
        'aria-selected': row && String(row.index === opened),
        'data-index': row?.index,
        'data-pos': row && pos,
      });
      COLUMNS.forEach((c, i) => {
        const text = row ? cellText(row, c.key, tz) : i === 0 ? '…' : '';
        update(cells[i], { text, title: row && text });
      });
      if (rowsEl.children[k] !== node) rowsEl.append(node);
    }
    while (rowsEl.children.length > n) rowsEl.lastChild.remove();
    empty.hidden = total > 0;
    if (hadFocus || (document.activeElement === scroll && cursor >= 0)) focusCursor();
  }

  function focusCursor() {
    const node = rowsEl.querySelector(`[data-pos="${cursor}"]`);
    if (node && document.activeElement !== node) node.focus({ preventScroll: true });
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function ensureVisible(pos) {
    const g = geometry();
    let first = g.first;
    const fit = Math.max(1, Math.floor(g.viewH / ROW) - 1);
    if (pos < first) first = pos;
    else if (pos > first + fit - 1) first = pos - fit + 1;
    else return;
    if (!g.compressed) scrollTo(first * ROW);
    else scrollTo((first / Math.max(1, total - g.visible + 1)) * (g.virtual - g.viewH));
  }

  function move(pos) {
    if (total === 0) return;
    cursor = Math.max(0, Math.min(total - 1, pos));
    ensureVisible(cursor);
    draw();
    focusCursor();
  }

  scroll.addEventListener(
    'scroll',
    () => {
      scrollTop = scroll.scrollTop;
      schedule();
    },
    { passive: true },
  );
  scroll.addEventListener('click', (e) => {
    const node = e.target.closest('[data-testid="event-row"]');
    if (!node) return;
    cursor = Number(node.dataset.pos);
    opened = Number(node.dataset.index);
    onOpen(opened);
    draw();
    focusCursor();
  });
  scroll.addEventListener('keydown', (e) => {
    const { viewH } = geometry();
    const pageRows = Math.max(1, Math.floor(viewH / ROW) - 1);
    const keys = {
      ArrowDown: () => move(cursor < 0 ? 0 : cursor + 1),
      ArrowUp: () => move(cursor < 0 ? 0 : cursor - 1),
      PageDown: () => move(Math.max(cursor, 0) + pageRows),
      PageUp: () => move(Math.max(cursor, 0) - pageRows),
      Home: () => move(0),
      End: () => move(total - 1),
      Enter: () => {
        const row = cursor >= 0 ? rowAt(cursor) : null;
        if (row) {
          opened = row.index;
          onOpen(row.index);
          draw();
        }
      },
    };
    const f = keys[e.key];
    if (!f) return;
    e.preventDefault();
    f();
  });

  return {
    /**
     * What a reset shows first (rows 0 to count - 1 in the current order), for the worker to send
     * with the selection (engine `refresh` request's `rows`): one round trip, not two.
     */
    firstRows: () => ({ count: drawnRows(MAX_VISIBLE_ROWS * ROW + 2), desc }),
    /**
     * A new selection of `count` rows: clears the pages, keeps `first` (`{offset, rows}`, as the
     * worker answers `firstRows()`) and loads whatever else the rows in view need.
     */
    reset(count, first = { offset: 0, rows: [] }) {
      gen += 1;
      total = count;
      pages.clear();
      loading.clear();
      given = first;
      cursor = -1;
      // Writing scrollTop forces a layout, even when it is already 0.
      if (scrollTop !== 0) {
        scroll.scrollTop = 0;
        scrollTop = 0;
      }
      scroll.setAttribute('aria-rowcount', String(count));
      empty.textContent = 'No event matches the current filter.';
      draw();
      const missing = missingPages();
      return missing.length ? Promise.all(missing.map(page)).then(() => draw()) : Promise.resolve();
    },
    setSort(descending) {
      desc = descending;
      if (scrollTop !== 0) {
        scroll.scrollTop = 0;
        scrollTop = 0;
      }
      cursor = -1;
      draw();
      return Promise.all(missingPages().map(page)).then(() => draw());
    },
    setTz(zone) {
      tz = zone;
      draw();
    },
    setOpened(index) {
      opened = index;
      draw();
    },
  };
}
