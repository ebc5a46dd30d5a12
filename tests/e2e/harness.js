// Shared harness of the authtrail end-to-end tests.
//
// How to run (from the repository root):
//     trunk build --release --offline --public-url ./      # the tests never build dist/ themselves
//     cargo xtask dist                                      # sw.js's precache list, dist/authtrail.html
//     cargo build --release -p authtrail-cli                # the CLI is the oracle for expected numbers
//     cd tests/e2e && npm ci && npm test                    # Node 20, system Chromium at /usr/bin/chromium
// One file: `node --test demo.test.js`. Screenshots go to tests/artifacts/ (gitignored), one per key
// moment and one named *-FAILED.png when a test fails.
//
// Files: server.js (static server), harness.js (this), checks.js (shared checks), inert.js (checks that
// hostile text stayed text), bench/ (the page half of `cargo xtask bench`), *.test.js (the tests).
//
// - paths: the repository, dist/ (built by the caller), tests/fixtures/, tests/artifacts/ (screenshots);
// - the authtrail CLI (target/{release,debug}/authtrail), used as the oracle for expected numbers;
// - launching the system Chromium through playwright-core (no browser download);
// - `openApp()`: a page on the test server with guards that make every test fail on a console error, a page
//   error, a CSP violation, a request to another origin, or a request after data was given to the page
//   that is not one of the page's own code assets in dist/;
// - `settle()` / `eventually()`: waiting for `body[data-state=ready]` after a real state change, and for
//   specific values, never sleeping a fixed time.
//
// Environment overrides: AUTHTRAIL_DIST (default <repo>/dist), AUTHTRAIL_FIXTURES (default
// <repo>/tests/fixtures), AUTHTRAIL_CLI (default: the newer of target/release/authtrail and
// target/debug/authtrail), CHROMIUM (default /usr/bin/chromium).

import { before, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
export const DIST = path.resolve(process.env.AUTHTRAIL_DIST || path.join(REPO, 'dist'));
export const FIXTURES = path.resolve(process.env.AUTHTRAIL_FIXTURES || path.join(REPO, 'tests/fixtures'));
export const ARTIFACTS = path.join(REPO, 'tests/artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Generous: CI has 2 cores and loads wasm, a worker and up to 60 MB of input.
export const TIMEOUT = 120_000;

// ---------------------------------------------------------------------------------------------------------
// Preconditions

export const SINGLE_FILE = path.join(DIST, 'authtrail.html');

/** dist/sw.js's precache list (`cargo xtask dist`): { version, files (relative to dist/) }. */
export function precache() {
  const line = fs
    .readFileSync(path.join(DIST, 'sw.js'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('const PRECACHE = '));
  assert.ok(line, 'dist/sw.js has no PRECACHE line');
  return JSON.parse(line.slice('const PRECACHE = '.length).replace(/;\s*$/, ''));
}

/** What the page's origin keeps (runs in the page): service worker scopes and each cache's URLs. */
export function storedInPage() {
  return (async () => {
    const cached = {};
    for (const key of await caches.keys()) cached[key] = (await (await caches.open(key)).keys()).map((r) => r.url).sort();
    return {
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).map((d) => d.name),
      cached,
      sw: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope) : [],
      cookie: document.cookie,
    };
  })();
}

/** storedInPage() of a page served at `url` that keeps nothing but its service worker and its files. */
export function onlyOwnFiles(url) {
  const { version, files } = precache();
  return { local: 0, session: 0, idb: [], cached: { [`authtrail-${version}`]: files.map((f) => url + f).sort() }, sw: [url], cookie: '' };
}

export function requireDist() {
  const index = path.join(DIST, 'index.html');
  const build =
    `Build the page first, from the repository root:\n` +
    `    trunk build --release --offline --public-url ./ && cargo xtask dist\n` +
    `(the end-to-end tests serve dist/ as built; they never build it themselves)`;
  if (!fs.existsSync(index)) throw new Error(`${index} does not exist. ${build}`);
  const sw = path.join(DIST, 'sw.js');
  if (!fs.existsSync(SINGLE_FILE) || !fs.existsSync(sw) || fs.readFileSync(sw, 'utf8').includes("version: 'unbuilt'")) {
    throw new Error(`dist/ is not finished: ${SINGLE_FILE} is missing or ${sw} has no precache list. ${build}`);
  }
}

/**
 * The fixture files the tests read, relative to tests/fixtures/ (see tests/fixtures/README.md: the
 * top-level files are built from the shapes of the real samples; samples/ holds the real payloads verbatim).
 */
export const FIX = {
  logdna: 'at_logdna-export_mfa-story.ndjson', // LogDNA export lines: the account MFA story, a duplicate line
  gz: 'at_archive_2019-2020.ndjson.gz', // gzip of NDJSON, legacy payload wrapper, pending outcome
  verifyPages: 'verify_events-api_two-pages.json', // two Verify Events API pages, one event in both
  broken: 'broken_mixed.ndjson', // good lines around a truncated line, a trailing comma, text, no time
  sampleJsonl: 'samples/at_jsonl_iam-groups-read-and-member-add_2019.jsonl', // real, valid NDJSON
  sampleWebhook: 'samples/verify_webhook-body_authentication_user-password_2022.json', // real, valid
  sampleTruncated: 'samples/at_logdna-kafka-stream_source-line-wrapper_security-advisor_TRUNCATED.txt', // real, invalid
};

/** Absolute path of a fixture; fails clearly (with how to create it) when it is missing. */
export function fixture(key) {
  const f = FIX[key];
  assert.ok(f, `unknown fixture key ${key}`);
  const p = path.join(FIXTURES, f);
  if (!fs.existsSync(p)) throw new Error(`missing fixture tests/fixtures/${f} (looked in ${FIXTURES})`);
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// The CLI: the same core, used as the oracle

export function cliPath() {
  if (process.env.AUTHTRAIL_CLI) return process.env.AUTHTRAIL_CLI;
  const found = ['release', 'debug']
    .map((p) => path.join(REPO, 'target', p, 'authtrail'))
    .filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (found.length === 0) {
    throw new Error(
      'no authtrail CLI binary: neither target/release/authtrail nor target/debug/authtrail exists. ' +
        'Build it first: cargo build --release -p authtrail-cli',
    );
  }
  return found[0];
}

/**
 * `authtrail summary --json` on files. File names in the output are reduced to base names, the names the
 * page shows (File.name).
 */
export function cliSummary(files) {
  let stdout;
  try {
    stdout = execFileSync(cliPath(), ['summary', '--json', ...files], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    // Exit code 2 means "nothing could be read"; the JSON is still printed and still the oracle.
    if (e.status === 2 && e.stdout) stdout = e.stdout;
    else throw new Error(`authtrail summary failed (${e.status}): ${e.stderr || e.message}`);
  }
  const out = JSON.parse(stdout);
  for (const f of out.files) f.name = path.basename(f.name);
  for (const d of out.errors) d.file = path.basename(d.file);
  return out;
}

/** Writes `authtrail generate --size SIZE` to DIR/NAME and returns the path. */
export function generateExport(size, dir, name = `generated-${size}.ndjson`) {
  const out = path.join(dir, name);
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(out, 'w');
    const child = spawn(cliPath(), ['generate', '--size', size], { stdio: ['ignore', fd, 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(fd);
      if (code === 0) resolve(out);
      else reject(new Error(`authtrail generate --size ${size} failed (${code}): ${err}`));
    });
  });
}

export function tempDir(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `authtrail-e2e-${label}-`));
}

// ---------------------------------------------------------------------------------------------------------
// Browser

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export { startServer };

/**
 * The stand-in for startServer() when a page is opened from disk (the single file): no server, so
 * nothing in `log`; file:// pages have the opaque origin "null" (their blob: URLs are blob:null/...),
 * and `base` is the folder of the file, so distFile() maps its URL to dist/.
 */
export function fileSite(file) {
  const url = pathToFileURL(file).href;
  return { origin: 'null', base: `${path.dirname(path.resolve(file))}/`, url, log: [] };
}

/**
 * Registers a test file's `before` / `after`: Chromium, the static server on dist/ (under `base`), and,
 * when `generate` names a size, a generated export in a temporary folder. Returns the live context:
 * `browser`, `server`, `generated` (the export's path) and `withApp(label, body)`.
 */
export function suite({ label, base = '/', generate } = {}) {
  const ctx = {
    withApp: (appLabel, body) => withApp(ctx.browser, ctx.server, appLabel, body),
  };
  let tmp;
  before(async () => {
    requireDist();
    if (generate) {
      tmp = tempDir(label);
      ctx.generated = await generateExport(generate, tmp);
    }
    ctx.browser = await launch();
    ctx.server = await startServer({ root: DIST, base });
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  return ctx;
}

/** Extensions of the page's own code assets: the only files it may fetch once it has data. */
const CODE_EXTS = new Set(['.js', '.mjs', '.wasm', '.css', '.ico', '.svg', '.png', '.woff2']);

// Runs in the page before any of its scripts: CSP violations and a log of body[data-state] transitions.
function initScript() {
  window.__e2eCsp = [];
  document.addEventListener(
    'securitypolicyviolation',
    (e) => {
      const v = `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`;
      window.__e2eCsp.push(v);
      try {
        window.__e2eReportCsp(v);
      } catch {
        /* binding not there yet */
      }
    },
    true,
  );
  // Every change of body[data-state], with its old value: a fast busy -> ready flip is still seen.
  window.__e2eStateLog = [];
  new MutationObserver((recs) => {
    for (const r of recs) {
      if (r.target === document.body) window.__e2eStateLog.push({ old: r.oldValue, now: r.target.getAttribute('data-state') });
    }
  }).observe(document, { attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ['data-state'] });
}

// Reads everything the tests look at in one round trip. Runs in the page.
function snapshotInPage() {
  const q = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);
  const qa = (id, root = document) => [...root.querySelectorAll(`[data-testid="${id}"]`)];
  const txt = (el) => (el ? el.textContent.trim() : null);
  const facet = (name) => {
    const box = q(`facet-${name}`);
    if (!box) return null;
    return qa('facet-item', box).map((i) => ({
      value: i.getAttribute('data-value'),
      pressed: i.getAttribute('aria-pressed'),
      count: txt(q('facet-count', i)),
    }));
  };
  const hist = q('histogram');
  const banner = q('error-banner');
  const bannerShown = !!banner && !banner.hidden && banner.getClientRects().length > 0 && getComputedStyle(banner).visibility !== 'hidden';
  return {
    state: document.body.dataset.state,
    events: txt(q('summary-events')),
    duplicates: txt(q('summary-duplicates')),
    diagnostics: txt(q('summary-diagnostics')),
    files: qa('file-row').map((r) => {
      const p = q('file-progress', r);
      return {
        name: txt(q('file-name', r)),
        format: txt(q('file-format', r)),
        events: txt(q('file-events', r)),
        duplicates: txt(q('file-duplicates', r)),
        errors: txt(q('file-errors', r)),
        progress: p ? { value: p.value, max: p.max, determinate: p.hasAttribute('value') } : null,
      };
    }),
    diagnosticRows: qa('diagnostic-row').map(txt),
    account: qa('account-change').map((e) => ({
      outcome: e.getAttribute('data-outcome'),
      from: e.getAttribute('data-from'),
      to: e.getAttribute('data-to'),
      actor: e.getAttribute('data-actor'),
    })),
    lanes: qa('user-lane').map((l) => ({
      user: l.getAttribute('data-user'),
      changes: qa('setting-change', l).map((c) => ({
        setting: c.getAttribute('data-setting'),
        to: c.getAttribute('data-to'),
        actor: c.getAttribute('data-actor'),
      })),
    })),
    histogram: hist ? { success: hist.getAttribute('data-success'), failure: hist.getAttribute('data-failure') } : null,
    tableCount: txt(q('table-count')),
    rows: qa('event-row').length,
    facets: Object.fromEntries(['user', 'method', 'result', 'country', 'source', 'action'].map((f) => [f, facet(f)])),
    errorBanner: bannerShown ? txt(banner) : null,
    url: location.href,
  };
}

/** deepStrictEqual whose failure message always shows both values (a custom message hides the diff). */
export function same(actual, expected, label) {
  const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 1)?.replace(/\n\s*/g, ' '));
  assert.deepStrictEqual(actual, expected, `${label}\n  got:      ${show(actual)}\n  expected: ${show(expected)}`);
}

/** Parses integer text ("1234", also "1,234" or "1 234"); fails on anything else. */
export function toInt(text, label) {
  assert.notEqual(text, null, `${label}: element missing`);
  const s = String(text)
    .trim()
    .replace(/[\s,_\u00a0\u202f]/g, '');
  assert.match(s, /^-?\d+$/, `${label}: expected integer text, got ${JSON.stringify(text)}`);
  return Number(s);
}

/** Sum of the facet counts of one facet in a snapshot. */
export function facetMap(snap, name) {
  const items = snap.facets[name];
  assert.ok(items, `facet-${name} missing`);
  return Object.fromEntries(items.map((i) => [i.value, toInt(i.count, `facet-${name}[${i.value}] count`)]));
}

/** Polls `read()` until `ok(value)`; fails with the last value and `message` after `timeout`. */
export async function eventually(read, ok, message, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await read();
      lastErr = undefined;
      if (ok(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > end) {
      assert.fail(
        `timed out after ${timeout} ms waiting for: ${message}\nlast value: ${JSON.stringify(last)?.slice(0, 2000)}` +
          (lastErr ? `\nlast error: ${lastErr.message}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

let shotCounter = 0;

/**
 * Opens the page on a server and installs the guards. `server` comes from startServer().
 * Returns an App with helpers; call `app.finish()` at the end of every test (it asserts the guards).
 */
export async function openApp(browser, server, label) {
  // A zone that is not UTC and has a half-hour offset, so that the UTC/local toggle visibly changes times.
  // Screenshots of an earlier run of this test go; the others stay.
  if (fs.existsSync(ARTIFACTS)) {
    for (const f of fs.readdirSync(ARTIFACTS)) if (f.startsWith(`${label}-`)) fs.rmSync(path.join(ARTIFACTS, f), { force: true });
  }
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    acceptDownloads: false,
    timezoneId: 'Asia/Kolkata',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
  const app = {
    context,
    page,
    server,
    label,
    errors: [],
    requests: [],
    actions: [], // { label, kind: 'data' | 'demo' | 'ui', t, index (into requests), serverIndex }
  };

  const phase = () => (app.actions.length ? app.actions[app.actions.length - 1] : null);
  context.on('request', (req) => {
    let postData = null;
    try {
      postData = req.postData();
    } catch {
      /* not available */
    }
    app.requests.push({ url: req.url(), method: req.method(), type: req.resourceType(), post: postData != null, action: phase()?.label ?? null });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') {
      const loc = m.location();
      app.errors.push(`console error: ${m.text()}${loc?.url ? ` (at ${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (e) => app.errors.push(`page error: ${e.stack || e.message}`));
  page.on('crash', () => app.errors.push('page crashed'));
  context.on('weberror', (e) => {
    const msg = `web error: ${e.error()?.stack || e.error()?.message}`;
    if (!app.errors.some((x) => x.startsWith('page error:') && msg.includes(x.slice(12, 80)))) app.errors.push(msg);
  });
  await page.exposeBinding('__e2eReportCsp', (_src, v) => app.errors.push(`CSP violation: ${v}`));
  await page.addInitScript(initScript);

  /** Marks the start of an action; requests after it are checked against what that kind of action may fetch. */
  app.markAction = (actionLabel, kind) => {
    app.actions.push({ label: actionLabel, kind, t: Date.now(), index: app.requests.length, serverIndex: server.log.length });
  };

  app.snapshot = () => page.evaluate(snapshotInPage);
  app.tid = (id) => page.locator(`[data-testid="${id}"]`);

  app.shot = async (name) => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${label}-${String(++shotCounter).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch((e) => app.errors.push(`screenshot failed: ${e.message}`));
    return file;
  };

  /** Waits for body[data-state=ready]. */
  app.ready = () => page.waitForFunction(() => document.body && document.body.dataset.state === 'ready', null, { timeout: TIMEOUT });

  /**
   * Runs `action` and waits until the page went busy and came back to ready (seen through the state log,
   * so a fast busy -> ready flip is not missed), then until `until(snapshot)` holds when given.
   */
  app.settle = async (action, until, what = 'the page to settle') => {
    const n = await page.evaluate(() => window.__e2eStateLog.length);
    await action();
    try {
      await page.waitForFunction((n) => window.__e2eStateLog.slice(n).some((e) => e.old === 'busy') && document.body.dataset.state === 'ready', n, {
        timeout: TIMEOUT,
      });
    } catch (e) {
      const s = await app.snapshot().catch(() => null);
      assert.fail(`waiting for busy -> ready after ${what}: ${e.message.split('\n')[0]}; state now ${s?.state}; errors: ${app.errors.join(' | ')}`);
    }
    if (until) return eventually(app.snapshot, (s) => s.state === 'ready' && until(s), what);
    return app.snapshot();
  };

  /**
   * Runs a UI action (which may or may not go busy) and waits until `base(snapshot)` holds while ready (a
   * hard failure after TIMEOUT), then up to `grace` ms more for `full(snapshot)`; returns the last snapshot
   * either way, so that the test's own assertions report the actual values.
   */
  app.settleUi = async (action, base, what, full = null, grace = 20_000) => {
    await action();
    let s = await eventually(app.snapshot, (x) => x.state === 'ready' && base(x), what);
    if (!full) return s;
    const end = Date.now() + grace;
    while (!(s.state === 'ready' && base(s) && full(s)) && Date.now() < end) {
      await page.waitForTimeout(100);
      s = await app.snapshot();
    }
    return s;
  };

  app.goto = async (url = server.url) => {
    await page.goto(url, { waitUntil: 'load' });
    await app.ready();
    // Served over http, the page registers its service worker (js/offline.js), which fetches the
    // page's files once to cache them: wait until it controls the page, so those requests are over
    // before any data action. From file:// there is none.
    if (url.startsWith('http')) {
      await page
        .waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: TIMEOUT })
        .catch(() => {
          assert.fail(`the service worker (sw.js) never took control of ${url}; errors: ${app.errors.join(' | ')}`);
        });
    }
    // Let the page's own asset loading finish before any data action: no request still in flight.
    await page.waitForLoadState('networkidle').catch(() => {});
    await eventually(app.snapshot, (s) => s.state === 'ready', 'initial ready');
  };

  /** Loads files through the file input and waits for one row per file (in addition to `before` rows). */
  app.loadFiles = async (files, before = 0) => {
    app.markAction(`load ${files.map((f) => path.basename(f)).join(', ')}`, 'data');
    return app.settle(
      () => app.tid('file-input').setInputFiles(files),
      (s) => s.files.length >= before + files.length && s.events !== null,
      `rows for ${files.length} loaded file(s)`,
    );
  };

  /** Drops files on the drop zone with a DataTransfer built in the page from the files' bytes. */
  app.dropFiles = async (files, before = 0) => {
    app.markAction(`drop ${files.map((f) => path.basename(f)).join(', ')}`, 'data');
    const payload = files.map((f) => ({ name: path.basename(f), b64: fs.readFileSync(f).toString('base64') }));
    return app.settle(
      async () => {
        const dt = await page.evaluateHandle((items) => {
          const dt = new DataTransfer();
          for (const { name, b64 } of items) {
            const bin = atob(b64);
            const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            dt.items.add(new File([bytes], name, { type: name.endsWith('.gz') ? 'application/gzip' : 'application/json' }));
          }
          return dt;
        }, payload);
        const zone = app.tid('drop-zone');
        await zone.dispatchEvent('dragenter', { dataTransfer: dt });
        await zone.dispatchEvent('dragover', { dataTransfer: dt });
        await zone.dispatchEvent('drop', { dataTransfer: dt });
        await dt.dispose();
      },
      (s) => s.files.length >= before + files.length && s.events !== null,
      `rows for ${files.length} dropped file(s)`,
    );
  };

  /** Clicks the demo button and waits for the demo data. */
  app.demo = async () => {
    app.markAction('demo', 'demo');
    return app.settle(
      () => app.tid('demo-button').click(),
      (s) => s.events !== null && toIntSafe(s.events) > 0 && s.rows > 0,
      'demo data to load',
    );
  };

  /** Asserts the guards: no error of any kind, and the network rules. Closes the context. */
  app.finish = async () => {
    // Let in-flight page work surface its errors before judging.
    await app.ready().catch(() => {});
    const csp = await page.evaluate(() => window.__e2eCsp || []).catch(() => []);
    for (const v of csp) if (!app.errors.some((e) => e.includes(v))) app.errors.push(`CSP violation: ${v}`);
    try {
      same(app.errors, [], `console errors, page errors or CSP violations in ${label}`);
      assertNetwork(app);
    } finally {
      await context.close().catch(() => {});
    }
  };

  return app;
}

function toIntSafe(t) {
  const s = String(t ?? '').replace(/[\s,_\u00a0\u202f]/g, '');
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

/** Which dist/ file a same-origin URL maps to, or null. */
function distFile(server, url) {
  const u = new URL(url);
  let p = decodeURIComponent(u.pathname);
  if (!p.startsWith(server.base)) return null;
  p = p.slice(server.base.length) || 'index.html';
  if (p.endsWith('/')) p += 'index.html';
  const f = path.resolve(DIST, p);
  if (!f.startsWith(DIST + path.sep) || !fs.existsSync(f) || !fs.statSync(f).isFile()) return null;
  return f;
}

/** The network rules, on what the browser reported and on what the server received. */
export function assertNetwork(app) {
  const { server } = app;
  const problems = [];
  for (const r of app.requests) {
    const u = r.url;
    if (u.startsWith('data:')) continue; // no network
    if (u.startsWith('blob:')) {
      if (!u.startsWith(`blob:${server.origin}/`)) problems.push(`blob URL of another origin: ${u}`);
      continue;
    }
    let origin;
    try {
      origin = new URL(u).origin;
    } catch {
      problems.push(`unparsable request URL ${u}`);
      continue;
    }
    if (origin !== server.origin) problems.push(`request to another origin: ${r.method} ${u}`);
    if (r.method !== 'GET') problems.push(`non-GET request: ${r.method} ${u}`);
    if (r.post) problems.push(`request with a body: ${r.method} ${u}`);
  }
  // After data was given to the page: only the page's own code assets in dist/ (lazily loaded worker/wasm).
  // After the demo button: any file shipped in dist/. Never anything that is not a dist/ file.
  for (const a of app.actions) {
    const next = app.actions[app.actions.indexOf(a) + 1];
    const slice = app.requests.slice(a.index, next ? next.index : undefined);
    for (const r of slice) {
      if (r.url.startsWith('data:') || r.url.startsWith('blob:')) continue;
      const f = distFile(server, r.url);
      if (!f) problems.push(`after "${a.label}": request for something that is not a dist/ file: ${r.url}`);
      else if (a.kind !== 'demo' && !CODE_EXTS.has(path.extname(f).toLowerCase())) problems.push(`after "${a.label}": request for a non-code file: ${r.url}`);
    }
  }
  for (const e of server.log) {
    if (e.status !== 200) problems.push(`server answered ${e.status} to ${e.method} ${e.path}`);
  }
  same(
    problems,
    [],
    `network rules broken in ${app.label}; requests seen:\n${app.requests.map((r) => `  [${r.action ?? 'page load'}] ${r.method} ${r.url}`).join('\n')}`,
  );
}

/**
 * Runs `body(app)` on a fresh page, screenshots on failure, and always checks the guards.
 */
export async function withApp(browser, server, label, body) {
  const app = await openApp(browser, server, label);
  let failed = false;
  try {
    await app.goto();
    await body(app);
  } catch (e) {
    failed = true;
    await app.shot('FAILED').catch(() => {});
    if (app.errors.length) e.message += `\nalso seen: ${app.errors.join(' | ')}`;
    await app.context.close().catch(() => {});
    throw e;
  } finally {
    if (!failed) await app.finish();
  }
}

/** Log lines for `t.diagnostic`: which URLs were requested after each action. */
export function requestReport(app) {
  return app.actions.map(
    (a, i) =>
      `after "${a.label}": ${
        app.requests
          .slice(a.index, app.actions[i + 1]?.index)
          .map((r) => new URL(r.url).pathname)
          .join(', ') || 'no request'
      }`,
  );
}
