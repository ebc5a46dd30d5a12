// The single-file build (dist/authtrail.html, written by `cargo xtask dist`) opened straight from disk
// (file://), as an air-gapped reviewer would: the page boots, the demo and the detail pane work, export
// files read with the CLI's counts (a large one in parts, on workers sharing the one embedded wasm),
// and the page makes no request at all (only the file itself and the blob: URL of its worker), under
// a CSP that allows its inline script and style by hash only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { launch, withApp, fileSite, requireDist, SINGLE_FILE, fixture, cliSummary, generateExport, same, tempDir } from './harness.js';
import { checkDemo, checkCountsMatchCli } from './checks.js';

let browser;
before(async () => {
  requireDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Parses a CSP into { directive: [sources] }. */
function parseCsp(text) {
  return Object.fromEntries(
    text
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

test('single file: one file, nothing it would have to fetch, its CSP allows exactly its inline blocks', () => {
  const html = fs.readFileSync(SINGLE_FILE, 'utf8');
  const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
  same(refs, [], 'src/href attributes that would need a request');
  assert.doesNotMatch(html, /sw\.js|serviceWorker/, 'the single file has no service worker');
  const hash = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const blocks = (tag) => [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => hash(m[1]));
  const scripts = blocks('script');
  assert.equal(scripts.length, 1, 'one (inline) script element');
  const csp = parseCsp(html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)[1]);
  same(csp['script-src'], [...scripts, "'wasm-unsafe-eval'"], 'script-src: the inline script by hash, and wasm');
  same(csp['style-src'], blocks('style'), 'style-src: the inline styles by hash');
});

test('single file: it carries the wasm once; a large export is read in 2 parts at once, the later one by a worker handed the compiled wasm', async (t) => {
  const html = fs.readFileSync(SINGLE_FILE, 'utf8');
  // "\0asm" in base64: the start of the embedded wasm.
  assert.equal(html.split('AGFzbQ').length - 1, 1, 'the wasm is embedded once');
  const dir = tempDir('single-large');
  try {
    const file = await generateExport('80MB', dir);
    const cli = cliSummary([file]);
    await withApp(browser, fileSite(SINGLE_FILE), 'single-file-large', async (app) => {
      const s = await app.loadFiles([file]);
      checkCountsMatchCli(s, cli);
      const status = await app.tid('file-row').locator('.file-status').textContent();
      t.diagnostic(status);
      assert.match(status, /read in 2 parts at once, /, 'the later part was read by the part worker and taken over');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('single file: from file:// the demo and dropped files work, with no request at all', async (t) => {
  const site = fileSite(SINGLE_FILE);
  await withApp(browser, site, 'single-file', async (app) => {
    assert.equal(app.page.url(), site.url);
    const content = await app.page.evaluate(() => document.head.firstElementChild?.getAttribute('content'));
    const csp = parseCsp(content);
    same(csp['connect-src'], ["'none'"], `connect-src: ${content}`);
    same(csp['worker-src'], ['blob:'], `worker-src: ${content}`);
    same(csp['default-src'], ["'none'"], `default-src: ${content}`);
    for (const dir of ['script-src', 'style-src'])
      for (const src of csp[dir]) assert.match(src, /^'(sha256-[A-Za-z0-9+/]+=*|wasm-unsafe-eval)'$/, `${dir}: ${content}`);

    await checkDemo(app, t);

    // A fresh page, then fixtures through the file input: the CLI's counts.
    await app.goto();
    const files = ['logdna', 'gz', 'broken'].map(fixture);
    const s = await app.loadFiles(files);
    checkCountsMatchCli(s, cliSummary(files));
    // The original record is read back from the dropped file (here a gzip one) for the detail pane.
    await app.tid('event-row').first().click();
    await app.page.waitForFunction(() => (document.querySelector('[data-testid="detail-json"]')?.textContent || '').trim().startsWith('{'));
    await app.shot('files');

    // No network at all: the page's own file and its worker's blob: URL are the only requests.
    const other = app.requests.map((r) => r.url).filter((u) => u !== site.url && !/^blob:null\/[0-9a-f-]+$/.test(u));
    same(other, [], 'requests other than the file itself and its worker');
    assert.ok(
      app.requests.some((r) => r.url.startsWith('blob:null/')),
      'the worker was not started from a blob: URL',
    );
  });
});
