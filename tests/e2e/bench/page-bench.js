// The browser half of `cargo xtask bench` (crates/xtask): the built page (dist/) in headless Chromium.
//
//     node tests/e2e/bench/page-bench.js CONFIG.json > results.json     # or CONFIG on stdin with -;
//                                                                          # normally run by the xtask
//
// CONFIG: { runs, datasets: [{ size_mb, ndjson, gz, text_bytes, events }], profile_dir: null | DIR }
// (`events` is the native core's count: every page run must show the same number). Progress goes to
// stderr, the figures as one JSON object to stdout. Per dataset and container (NDJSON, gzip):
//
// - the page: a fresh tab, the file given to the file input by path (setInputFiles; no bytes pass
//   through Node), timed in the page from the input's `change` event to body[data-state] turning
//   `ready` again (and to the worker's `done` message, and to the next frame after ready); the wasm
//   memory the worker reports (`done.wasmBytes`, shown as summary-memory) and the JS heaps of the page
//   and of the worker (CDP Runtime.getHeapUsage, sampled while reading; the peak is kept);
// - a plain-JS reader of the same file in another tab: File.stream() [-> DecompressionStream('gzip')]
//   -> TextDecoderStream, split lines, JSON.parse each, count by `action` / `event_type`;
// - on the first NDJSON page run: the latency of a brush over the middle 90% of the histogram (pointer
//   up to ready again, the views redrawn, and to the next frame after that, painted) and of its
//   reset, and the worker round trips behind them
//   (histogram, each facet, select, the three in one `refresh` as main.js asks them, a page of 100 rows, and
//   the MFA state at a moment, which main.js asks on every pointer move over the timeline);
// - once: the brush's gesture and measure on a blank page that only changes a line of text (the
//   measure's floor: the wait for the next frame is in it).
//
// With profile_dir, CPU profiles (.cpuprofile, open them in Chromium's DevTools) of the worker while it
// reads and of the page and the worker while brushing are written there.
//
// With `compare: { base, rounds, formats, brush, datasets }` instead (`cargo xtask compare`), only
// page runs, alternating between dist/ and the `base` build's directory (compareBuilds). There a
// dataset's `ndjson` and `gz` may each be a list of files (`files` of them), given at once.
//
// The page is instrumented only from outside: an init script observes body[data-state], the file
// input's change event and pointer-ups, and subclasses Worker to see the worker's `done` messages and
// to send it the same `ask` messages engine.js sends (replies to ids engine.js does not know are
// ignored by it).

import fs from 'node:fs';
import path from 'node:path';
import { DIST, launch, requireDist, startServer } from '../harness.js';

const FACETS = ['user', 'method', 'result', 'country', 'source', 'action'];
const AUTH_KINDS = ['iam_login', 'authentication'];
const BINS = 240;
const BRUSHES = 5;
const ROUND_TRIPS = 7;
const ROWS = 100;
const HEAP_SAMPLE_MS = 500;
/** How long one brush or reset may take before the latency measurement is given up. */
const LATENCY_TIMEOUT = 60_000;
/** Gestures on the blank page that gives the brush measure's floor (frameFloor). */
const FLOOR_GESTURES = 15;
/** The brushed part of the time span: nine tenths of the events of a generated export. */
const WINDOW = [0.05, 0.95];

const log = (...a) => console.error('[page-bench]', ...a);

// ---------------------------------------------------------------------------------------------------------
// In the page

function benchInit() {
  const b = { states: [], done: [], frames: [], changeAt: null, pointerUp: null, worker: null, nextId: 0 };
  window.__bench = b;
  new MutationObserver((recs) => {
    const t = performance.now();
    const body = recs.filter((r) => r.target === document.body);
    body.forEach((r, i) => {
      const now = i + 1 < body.length ? body[i + 1].oldValue : document.body.getAttribute('data-state');
      if (r.oldValue === now) return;
      b.states.push({ t, old: r.oldValue, now });
      if (now === 'ready') requestAnimationFrame(() => setTimeout(() => b.frames.push({ ready: t, painted: performance.now() })));
    });
  }).observe(document, { attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ['data-state'] });
  addEventListener(
    'change',
    (e) => {
      if (e.target?.dataset?.testid === 'file-input') b.changeAt = performance.now();
    },
    true,
  );
  // Capture phase on window: runs before the page's own handler, which logs the state change.
  addEventListener(
    'pointerup',
    () => {
      b.pointerUp = { t: performance.now(), state: b.states.length, busy: document.body.dataset.state === 'busy' };
    },
    true,
  );
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      b.worker = this;
      this.addEventListener('message', ({ data }) => {
        if (data?.type === 'done') b.done.push({ t: performance.now(), wasmBytes: data.wasmBytes, events: data.summary?.events });
      });
    }
  };
  /** The message engine.js sends; its own handler ignores the reply (an id it never issued). */
  b.ask = (method, ...args) =>
    new Promise((resolve, reject) => {
      const id = 1e9 + ++b.nextId;
      const on = ({ data }) => {
        if (data?.reply !== id) return;
        b.worker.removeEventListener('message', on);
        if (data.error !== undefined) reject(new Error(data.error));
        else resolve(data.value);
      };
      b.worker.addEventListener('message', on);
      b.worker.postMessage({ type: 'ask', id, method, args });
    });
}

/** Worker round trips behind a brush and a page of rows, timed in the page. Runs in the page. */
async function roundTripsInPage({ facets, authKinds, bins, reps, rowsPerPage, lo, hi }) {
  const b = window.__bench;
  const summary = await b.ask('summary');
  const span = summary.to - summary.from;
  const filter = { from: Math.floor(summary.from + span * lo), to: Math.ceil(summary.from + span * hi), facets: [], text: null };
  const auth = { ...filter, facets: [['kind', authKinds]] };
  const time = async (f) => {
    const ms = [];
    let value;
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      value = await f();
      ms.push(performance.now() - t);
    }
    return { ms, value };
  };
  const out = { window: [filter.from, filter.to], store_events: summary.events, bins, ms: {} };
  out.ms.state_at = (await time(() => b.ask('stateAt', Math.round((filter.from + filter.to) / 2)))).ms;
  out.ms.histogram = (await time(() => b.ask('histogram', filter.from, filter.to, bins, auth))).ms;
  for (const f of facets) out.ms[`facet_${f}`] = (await time(() => b.ask('facets', f, filter, 50))).ms;
  const sel = await time(() => b.ask('select', filter));
  out.ms.select = sel.ms;
  out.window_events = sel.value;
  out.ms.refresh = (
    await time(() =>
      b.ask('refresh', {
        filter,
        histogram: auth,
        from: filter.from,
        to: filter.to,
        bins,
        facets,
        limit: 50,
      }),
    )
  ).ms;
  for (const [name, at] of [
    ['first', 0],
    ['middle', Math.floor(sel.value / 2)],
    ['last', Math.max(0, sel.value - rowsPerPage)],
  ]) {
    const r = await time(() => b.ask('rows', at, rowsPerPage));
    if (r.value.length !== Math.min(rowsPerPage, sel.value)) throw new Error(`rows(${at}, ${rowsPerPage}) gave ${r.value.length} rows`);
    out.ms[`rows_${name}`] = r.ms;
  }
  return out;
}

/** The plain-JS reader. Runs in a blank tab. */
async function plainReaderInPage(gzip) {
  const file = document.getElementById('f').files[0];
  const t0 = performance.now();
  let stream = file.stream();
  if (gzip) stream = stream.pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const kinds = new Map();
  let lines = 0;
  let errors = 0;
  let chars = 0;
  const line = (s) => {
    if (!s.trim()) return;
    lines += 1;
    let v;
    try {
      v = JSON.parse(s);
    } catch {
      errors += 1;
      return;
    }
    const k = v.action ?? v.event_type ?? (v._line !== undefined ? 'logdna' : 'other');
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  };
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chars += value.length;
    const text = rest + value;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      line(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  line(rest);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, lines, errors, chars, kinds: kinds.size };
}

// ---------------------------------------------------------------------------------------------------------
// CDP: the page's and the worker's JS heap, CPU profiles

/** A CDP channel to the app's worker, through the browser session (flatten: false). */
async function workerSession(browserSession) {
  const { targetInfos } = await browserSession.send('Target.getTargets');
  // By its name: it runs from a blob: URL (js/start-worker.js).
  const workers = targetInfos.filter((t) => t.type === 'worker' && t.title === 'authtrail-core');
  if (workers.length !== 1) throw new Error(`expected one app worker target, found ${workers.length}`);
  const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: workers[0].targetId, flatten: false });
  const pending = new Map();
  let next = 1;
  const onMessage = (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message} (worker CDP)`));
    else p.resolve(m.result);
  };
  browserSession.on('Target.receivedMessageFromTarget', onMessage);
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      }),
    detach: async () => {
      browserSession.off('Target.receivedMessageFromTarget', onMessage);
      await browserSession.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    },
  };
}

/** Samples both heaps every HEAP_SAMPLE_MS until stopped; keeps the peaks and the last values. */
function heapSampler(pageSession, worker) {
  const heap = { page_peak: 0, worker_peak: 0, page_end: 0, worker_end: 0 };
  const sample = async () => {
    const [p, w] = await Promise.all([pageSession.send('Runtime.getHeapUsage'), worker.send('Runtime.getHeapUsage')]);
    heap.page_end = p.usedSize;
    heap.worker_end = w.usedSize;
    heap.page_peak = Math.max(heap.page_peak, p.usedSize);
    heap.worker_peak = Math.max(heap.worker_peak, w.usedSize);
  };
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      await sample().catch(() => {});
      await new Promise((r) => setTimeout(r, HEAP_SAMPLE_MS));
    }
  })();
  return async () => {
    stop = true;
    await loop;
    await sample();
    const metrics = await pageSession.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.metrics.map((x) => [x.name, x.value]));
    heap.page_total_end = m.JSHeapTotalSize;
    return heap;
  };
}

async function startProfile(session) {
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
}

async function stopProfile(session, file) {
  const { profile } = await session.send('Profiler.stop');
  fs.writeFileSync(file, JSON.stringify(profile));
  log(`wrote ${file}`);
}

// ---------------------------------------------------------------------------------------------------------
// Runs

/** Waits for body[data-state] to go busy -> ready after state log entry `n`; returns the ready time. */
async function readyAfter(page, n, timeout) {
  await page.waitForFunction(
    (n) => window.__bench.states.slice(n).some((e) => e.old === 'busy' && e.now === 'ready') && document.body.dataset.state === 'ready',
    n,
    { timeout, polling: 50 },
  );
  return page.evaluate((n) => window.__bench.states.slice(n).find((e) => e.old === 'busy' && e.now === 'ready').t, n);
}

async function openPage(browser, url, errors) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('crash', () => errors.push('page crashed'));
  if (url) {
    await page.addInitScript(benchInit);
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'ready' && window.__bench.worker);
  }
  return { context, page };
}

/** One page ingest of `file`; with `after`, runs it on the loaded page before the tab closes. */
async function pageRun(env, set, format, after) {
  const file = set[format];
  const errors = [];
  const { context, page } = await openPage(env.browser, env.server.url, errors);
  const pageSession = await context.newCDPSession(page);
  await pageSession.send('Performance.enable');
  const worker = await workerSession(env.browserSession);
  const tag = `${set.size_mb}MB-${format}`;
  try {
    if (env.profileDir) await startProfile(worker);
    const stopHeap = heapSampler(pageSession, worker);
    const n = await page.evaluate(() => window.__bench.states.length);
    const timeout = Math.max(180_000, (set.text_bytes / 2e6) * 1000);
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    const ready = await readyAfter(page, n, timeout);
    const heap = await stopHeap();
    if (env.profileDir) await stopProfile(worker, path.join(env.profileDir, `ingest-${tag}-worker.cpuprofile`));
    await page.waitForFunction((t) => window.__bench.frames.some((f) => f.ready === t), ready);
    const b = await page.evaluate((t) => {
      const b = window.__bench;
      return { changeAt: b.changeAt, done: b.done, painted: b.frames.find((f) => f.ready === t).painted };
    }, ready);
    const shown = await page.evaluate(() => ({
      events: document.querySelector('[data-testid="summary-events"]').textContent,
      memory: document.querySelector('[data-testid="summary-memory"]').textContent,
      banner:
        document.querySelector('[data-testid="error-banner"]')?.hidden === false
          ? document.querySelector('[data-testid="error-banner"]').textContent.trim()
          : null,
    }));
    const events = Number(shown.events.replace(/[^\d]/g, ''));
    const files = Array.isArray(file) ? file.length : 1;
    if (b.done.length !== files) throw new Error(`expected ${files} finished file(s), saw ${b.done.length}`);
    if (set.events != null && events !== set.events) throw new Error(`the page shows ${shown.events} events, the native core read ${set.events}`);
    if (shown.banner) throw new Error(`the page shows an error: ${shown.banner}`);
    if (errors.length) throw new Error(errors.join(' | '));
    const run = {
      seconds_ready: (ready - b.changeAt) / 1000,
      seconds_worker_done: (b.done.at(-1).t - b.changeAt) / 1000,
      seconds_painted: (b.painted - b.changeAt) / 1000,
      wasm_bytes: b.done.at(-1).wasmBytes,
      memory_shown: shown.memory,
      events,
      js_heap: heap,
    };
    run.text_mb_s = set.text_bytes / 1e6 / run.seconds_ready;
    if (after) {
      try {
        run.latency = await after({ page, pageSession, worker, tag });
      } catch (e) {
        run.latency = { failed: e.message.split('\n')[0] };
      }
    }
    return run;
  } catch (e) {
    return { failed: `${e.message.split('\n')[0]}${errors.length ? ` (${errors.join(' | ')})` : ''}` };
  } finally {
    await worker.detach();
    await context.close().catch(() => {});
  }
}

/** Brushes over the middle 90% of the histogram and resets, BRUSHES times; then the round trips. */
async function latency({ page, pageSession, worker, tag }, env) {
  const area = page.locator('[data-testid="histogram"] .brush-area');
  const brush = [];
  const reset = [];
  const brushPainted = [];
  const resetPainted = [];
  if (env.profileDir) {
    await startProfile(worker);
    await startProfile(pageSession);
  }
  /**
   * Runs a pointer gesture; returns ms from its pointer-up to the views redrawn (ready again) and to
   * the next frame after that (painted: style, layout and paint of what was redrawn).
   */
  const timed = async (gesture, what) => {
    const before = await page.evaluate(() => window.__bench.pointerUp?.t);
    await gesture();
    const up = await page.evaluate(() => window.__bench.pointerUp);
    if (!up || up.t === before) throw new Error(`${what}: no pointer-up reached the page`);
    // Hovering the timeline asks the worker for the MFA state at that moment (main.js), so the page
    // may already be busy at the pointer-up; the views are redrawn when it is next ready.
    if (!up.busy) {
      await page
        .waitForFunction((n) => window.__bench.states.slice(n).some((e) => e.now === 'busy'), up.state, { timeout: 5_000, polling: 20 })
        .catch(() => {
          throw new Error(`${what} did not start a refresh`);
        });
    }
    const ready = await readyAfter(page, up.state, LATENCY_TIMEOUT);
    await page.waitForFunction((t) => window.__bench.frames.some((f) => f.ready === t), ready);
    const painted = await page.evaluate((t) => window.__bench.frames.find((f) => f.ready === t).painted, ready);
    return { ready: ready - up.t, painted: painted - up.t };
  };
  /** Ready, and no timer-driven refresh (main.js re-bins 120 ms after a resize) pending. */
  const quiet = async () => {
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    const n = await page.evaluate(() => window.__bench.states.length);
    await page.waitForTimeout(300);
    if ((await page.evaluate(() => window.__bench.states.length)) !== n) await quiet();
  };
  for (let i = 0; i < BRUSHES; i++) {
    // The mouse works in viewport coordinates: the histogram must be on screen (findings above it
    // can push it below the fold).
    await area.scrollIntoViewIfNeeded();
    await quiet();
    const box = await area.boundingBox();
    const y = box.y + box.height / 2;
    const b = await timed(async () => {
      await page.mouse.move(box.x + box.width * WINDOW[0], y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * WINDOW[1], y, { steps: 4 });
      await page.mouse.up();
    }, 'the brush');
    brush.push(b.ready);
    brushPainted.push(b.painted);
    if (await page.locator('[data-testid="brush-reset"]').isDisabled()) throw new Error('the brush did not set a time window');
    await page.locator('[data-testid="brush-reset"]').scrollIntoViewIfNeeded();
    await quiet();
    const r = await timed(() => page.locator('[data-testid="brush-reset"]').click(), 'the reset');
    reset.push(r.ready);
    resetPainted.push(r.painted);
  }
  if (env.profileDir) {
    await stopProfile(worker, path.join(env.profileDir, `brush-${tag}-worker.cpuprofile`));
    await stopProfile(pageSession, path.join(env.profileDir, `brush-${tag}-page.cpuprofile`));
  }
  const trips = await page.evaluate(roundTripsInPage, {
    facets: FACETS,
    authKinds: AUTH_KINDS,
    bins: BINS,
    reps: ROUND_TRIPS,
    rowsPerPage: ROWS,
    lo: WINDOW[0],
    hi: WINDOW[1],
  });
  return { brush_ms: brush, brush_painted_ms: brushPainted, reset_ms: reset, reset_painted_ms: resetPainted, ...trips };
}

async function plainRun(env, set, format) {
  const errors = [];
  const { context, page } = await openPage(env.browser, null, errors);
  try {
    await page.setContent('<input type="file" id="f">');
    await page.locator('#f').setInputFiles(set[format]);
    const r = await page.evaluate(plainReaderInPage, format === 'gz');
    if (errors.length) throw new Error(errors.join(' | '));
    r.text_mb_s = set.text_bytes / 1e6 / r.seconds;
    return r;
  } catch (e) {
    return { failed: e.message.split('\n')[0] };
  } finally {
    await context.close().catch(() => {});
  }
}

/**
 * The brush's gesture and measure (pointer up to the next frame after body[data-state] turns ready
 * again) on a blank page whose pointer-up handler changes one line of text and nothing else: what
 * the measure gives with no page work, the wait for the frame clock included. ms per gesture.
 */
async function frameFloor(env) {
  const errors = [];
  const { context, page } = await openPage(env.browser, null, errors);
  try {
    await page.setContent('<body data-state="ready"><p id="line">0</p></body>');
    await page.evaluate(benchInit);
    await page.evaluate(() =>
      addEventListener('pointerup', () => {
        document.body.dataset.state = 'busy';
        document.getElementById('line').textContent = String(window.__bench.states.length);
        document.body.dataset.state = 'ready';
      }),
    );
    const painted = [];
    for (let i = 0; i < FLOOR_GESTURES; i++) {
      await page.mouse.move(100, 100);
      await page.mouse.down();
      await page.mouse.move(700, 100, { steps: 4 });
      await page.mouse.up();
      const up = await page.evaluate(() => window.__bench.pointerUp.t);
      await page.waitForFunction((t) => window.__bench.frames.some((f) => f.ready >= t), up, { polling: 20 });
      painted.push(await page.evaluate((t) => window.__bench.frames.find((f) => f.ready >= t).painted - t, up));
      // Pointer-ups fall at different points of the frame clock's period.
      await page.waitForTimeout(50 + ((i * 7) % 17));
    }
    if (errors.length) throw new Error(errors.join(' | '));
    return { painted_ms: painted };
  } catch (e) {
    return { failed: e.message.split('\n')[0] };
  } finally {
    await context.close().catch(() => {});
  }
}

const best = (runs) => {
  const ok = runs.filter((r) => !r.failed).map((r) => r.text_mb_s);
  return ok.length ? Math.max(...ok) : null;
};

/**
 * `cargo xtask compare`: the same files loaded into this dist/ and into another build's (`base`), a
 * fresh tab of each in turn, `rounds` times (which build goes first alternates), each NDJSON load
 * followed by the brush latency run when `brush`. Both builds must show the same events.
 */
async function compareBuilds(config, env) {
  const builds = [
    { name: 'dist', server: env.server },
    { name: 'base', server: await startServer({ root: config.base }) },
  ];
  const out = [];
  try {
    for (const set of config.datasets) {
      for (const format of config.formats) {
        const runs = { dist: [], base: [] };
        for (let r = 0; r < config.rounds; r++) {
          const order = r % 2 ? [...builds].reverse() : builds;
          const shown = [];
          for (const b of order) {
            const withLatency = format === 'ndjson' && config.brush ? (ctx) => latency(ctx, env) : null;
            log(`${set.size_mb} MB ${format}: ${b.name}, round ${r + 1}/${config.rounds}`);
            const run = await pageRun({ ...env, server: b.server }, set, format, withLatency);
            if (run.failed) log(`  failed: ${run.failed}`);
            else log(`  ${run.seconds_ready.toFixed(2)} s to ready`);
            runs[b.name].push(run);
            if (!run.failed) shown.push(run.events);
          }
          if (shown.length === 2 && shown[0] !== shown[1]) throw new Error(`the two builds show ${shown[0]} and ${shown[1]} events`);
        }
        out.push({ size_mb: set.size_mb, text_bytes: set.text_bytes, files: set.files ?? 1, format, runs });
      }
    }
  } finally {
    await builds[1].server.close();
  }
  return { base: config.base, rounds: config.rounds, datasets: out };
}

async function main() {
  const arg = process.argv[2];
  if (!arg) throw new Error('usage: node page-bench.js CONFIG.json (or - for stdin)');
  const config = JSON.parse(fs.readFileSync(arg === '-' ? 0 : arg, 'utf8'));
  requireDist();
  const browser = await launch();
  const server = await startServer({ root: DIST });
  const env = { browser, server, browserSession: await browser.newBrowserCDPSession(), profileDir: config.profile_dir };
  if (env.profileDir) fs.mkdirSync(env.profileDir, { recursive: true });
  // Other builds may replace dist/ while this runs: the figures are only comparable if it stayed put.
  const distBuilt = () => fs.statSync(path.join(DIST, 'index.html')).mtimeMs;
  const builtAtStart = distBuilt();
  const out = { chromium: browser.version(), node: process.version, bins: BINS, brushes: BRUSHES, round_trips: ROUND_TRIPS, datasets: [] };
  try {
    if (config.compare) out.compare = await compareBuilds(config.compare, env);
    else out.frame_floor = await frameFloor(env);
    for (const set of config.compare ? [] : config.datasets) {
      const d = { size_mb: set.size_mb, text_bytes: set.text_bytes, events: set.events, page: {}, plain_js: {}, ratio: {} };
      for (const format of ['ndjson', 'gz']) {
        const page = [];
        const plain = [];
        for (let i = 0; i < config.runs; i++) {
          const withLatency = format === 'ndjson' && i === 0 ? (ctx) => latency(ctx, env) : null;
          log(`${set.size_mb} MB ${format}: page run ${i + 1}/${config.runs}`);
          const run = await pageRun(env, set, format, withLatency);
          if (run.failed) log(`  failed: ${run.failed}`);
          else log(`  ${run.text_mb_s.toFixed(0)} MB/s, ${run.seconds_ready.toFixed(2)} s to ready`);
          page.push(run);
          log(`${set.size_mb} MB ${format}: plain JS run ${i + 1}/${config.runs}`);
          const p = await plainRun(env, set, format);
          if (p.failed) log(`  failed: ${p.failed}`);
          else log(`  ${p.text_mb_s.toFixed(0)} MB/s`);
          plain.push(p);
        }
        d.page[format] = { runs: page, best_text_mb_s: best(page) };
        d.plain_js[format] = { runs: plain, best_text_mb_s: best(plain) };
        const a = best(page);
        const b = best(plain);
        d.ratio[format] = a && b ? a / b : null;
      }
      d.latency = d.page.ndjson.runs[0].latency ?? null;
      out.datasets.push(d);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  out.dist_rebuilt_during_run = distBuilt() !== builtAtStart;
  if (out.dist_rebuilt_during_run) log('WARNING: dist/ was rebuilt during the run; the figures mix two builds');
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

await main();
