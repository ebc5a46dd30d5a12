// Permalinks: the view (time window, facet filters, search text, selected finding, sort order, time
// zone) lives in the URL fragment, and never any log content. Times are ms numbers; facet values and
// the search text are the first 12 hex digits of their SHA-256 (computed by the worker, sha2 in wasm:
// crypto.subtle is missing outside secure contexts), the finding is its rule, its time span and the
// hash of its title. Opening such a link and reading the same files maps the hashes back by hashing
// the values the core holds, and re-applies the view.
//
// Fragment: #tz=local&from=MS&to=MS&sort=desc&user=H,H&country=H&q=H&finding=RULE.MS.MS.H

import { FACETS } from './views/facets.js';
import { parseFragment } from './lib/fragment.js';

/** Facets whose values the search text is looked for among when a link is restored. */
const TEXT_FACETS = ['user', 'ip', 'action', 'method', 'country', 'result', 'source'];
/** More than any facet holds: every value. */
const ALL = 1 << 30;
const DEBOUNCE = 250;

/** A finding's key: rule, time span (ms) and the hash of its title (which names users). */
const findingKey = (f, titleHash) => `${f.rule}.${Date.parse(f.from)}.${Date.parse(f.to)}.${titleHash}`;

/** What of a link was ignored, as a sentence ('' when nothing was). */
const ignoredText = (ignored) => (ignored.length ? `Ignored in this link: ${ignored.join('; ')}.` : '');

/** The fragment of a UI state ('' for the default view); `shorts` hashes a list of texts. */
async function fragmentOf(s, findings, shorts) {
  const finding = s.finding != null ? findings[s.finding] : null;
  const selected = FACETS.map((f) => s.facets[f.name] ?? []);
  const text = s.text.trim();
  const hashes = await shorts([...selected.flat(), text, finding ? finding.title : '']);
  const p = [];
  if (s.tz === 'local') p.push('tz=local');
  if (s.window) p.push(`from=${Math.round(s.window.from)}`, `to=${Math.round(s.window.to)}`);
  if (s.desc) p.push('sort=desc');
  let k = 0;
  FACETS.forEach((f, i) => {
    const n = selected[i].length;
    if (n)
      p.push(
        `${f.name}=${hashes
          .slice(k, k + n)
          .sort()
          .join(',')}`,
      );
    k += n;
  });
  if (text) p.push(`q=${hashes[k]}`);
  if (finding) p.push(`finding=${findingKey(finding, hashes[k + 1])}`);
  return p.join('&');
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * @param {{ui: object, ask: (method: string, ...args: any[]) => Promise<any>, findings: () => object[],
 *   loaded: () => boolean, track: (f: () => Promise<void>) => Promise<void>}} opts
 */
export function createPermalink({ ui, ask, findings, loaded, track }) {
  const shorts = (texts) => (texts.length ? ask('shortHashes', texts) : Promise.resolve([]));
  const note = document.getElementById('permalink-note');
  const search = document.getElementById('search-input');
  const copy = document.getElementById('copy-link');
  /** A link's view waiting for files; while it waits the fragment is left as it came. */
  let pending = null;
  /** What of that link was ignored (parseFragment), said with its view. */
  let ignored = [];
  let timer = 0;
  /** True while a link's view is being applied (its own changes keep the note). */
  let applying = false;

  const say = (text) => {
    note.textContent = text;
    note.hidden = !text;
  };

  /** Writes the view into the fragment (the latest call wins). */
  let writes = 0;
  async function write() {
    clearTimeout(timer);
    timer = 0;
    const mine = ++writes;
    let fragment;
    if (pending) {
      const p = location.hash
        .replace(/^#/, '')
        .split('&')
        .filter((x) => x && !x.startsWith('tz='));
      if (ui.get().tz === 'local') p.unshift('tz=local');
      fragment = p.join('&');
    } else {
      fragment = await fragmentOf(ui.get(), findings(), shorts);
      if (mine !== writes) return;
    }
    history.replaceState(history.state, '', fragment ? `#${fragment}` : location.pathname + location.search);
  }

  ui.subscribe((_state, changed) => {
    if (!['window', 'facets', 'text', 'finding', 'tz', 'desc'].some((k) => changed.has(k))) return;
    // The note about a restored link goes with the first change made after it.
    if (!pending && !applying) say('');
    clearTimeout(timer);
    timer = setTimeout(() => track(write), DEBOUNCE);
  });

  /** Maps the link's hashes back to this data's values and applies the view. */
  async function restore() {
    if (!pending || !loaded()) return;
    const link = pending;
    pending = null;
    const facets = {};
    let missing = 0;
    for (const [name, hashes] of Object.entries(link.facets)) {
      const values = (await ask('facets', name, null, ALL)).map(([v]) => v);
      const hashed = await shorts(values);
      const byHash = new Map(values.map((v, i) => [hashed[i], v]));
      const found = hashes.filter((h) => byHash.has(h)).map((h) => byHash.get(h));
      missing += hashes.length - found.length;
      if (found.length) facets[name] = found;
    }
    let text = '';
    if (link.q) {
      for (const name of TEXT_FACETS) {
        const values = (await ask('facets', name, null, ALL)).flatMap(([v]) => [v, v.toLowerCase()]);
        const hit = (await shorts(values)).indexOf(link.q);
        if (hit >= 0) {
          text = values[hit];
          break;
        }
      }
    }
    let finding = null;
    if (link.finding) {
      const list = findings();
      const titles = await shorts(list.map((f) => f.title));
      const keys = list.map((f, i) => findingKey(f, titles[i]));
      const span = link.finding.split('.').slice(0, 3).join('.');
      finding = keys.indexOf(link.finding);
      if (finding < 0) finding = keys.findIndex((key) => key.startsWith(`${span}.`));
      if (finding < 0) finding = null;
    }
    search.value = text;
    applying = true;
    try {
      ui.set({ tz: link.tz, window: link.window, desc: link.desc, facets, text, finding });
    } finally {
      applying = false;
    }
    const problems = [];
    if (missing) problems.push(`${plural(missing, 'filter', 'filters')} of this link match${missing === 1 ? 'es' : ''} no value in these files.`);
    if (link.q && !text) problems.push('Its search text matches no single value in these files (the link holds only a hash of it): type it again.');
    if (link.finding && finding == null) problems.push('Its finding is not among the findings of these files.');
    const note = ignoredText(ignored);
    if (note) problems.push(note);
    say(problems.length ? `View restored from the link, in part. ${problems.join(' ')}` : 'View restored from the link.');
    await write();
  }

  function arrive() {
    ({ link: pending, ignored } = parseFragment(
      location.hash,
      FACETS.map((f) => f.name),
    ));
    if (!pending) {
      if (ignored.length) say(`This link holds no view the page can restore. ${ignoredText(ignored)}`);
      return;
    }
    if (loaded()) track(restore);
    else say(`This link restores a view: drop the same files.${ignored.length ? ` ${ignoredText(ignored)}` : ''}`);
  }

  window.addEventListener('hashchange', () => {
    ui.set({ tz: /(^|[#&])tz=local\b/.test(location.hash) ? 'local' : 'utc' });
    arrive();
  });
  arrive();

  copy.addEventListener('click', async () => {
    await track(write);
    const done = (text) => {
      copy.textContent = text;
      setTimeout(() => {
        copy.textContent = 'Copy link';
      }, 1500);
    };
    if (!navigator.clipboard) {
      done('Copy the address bar');
      return;
    }
    navigator.clipboard.writeText(location.href).then(
      () => done('Link copied'),
      () => done('Copy the address bar'),
    );
  });

  return { restore };
}
