// Privacy model, proved in the browser: nothing leaves, nothing is fetched once data is in the page, nothing
// is stored but the service worker's copy of the page's own files, the URL carries no log content, and the CSP is the first thing in <head> and names no other
// origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, DIST, fixture, toInt, requestReport, same, storedInPage, onlyOwnFiles } from './harness.js';

const ctx = suite();

/** Parses a CSP into { directive: [sources] }. */
function parseCsp(text) {
  const out = {};
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}

test('CSP meta is the first element of <head> and allows no other origin', async () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  assert.match(
    html,
    /<head[^>]*>\s*(<!--[\s\S]*?-->\s*)*<meta\s+http-equiv=["']?Content-Security-Policy["']?/i,
    'dist/index.html: the first element in <head> is not the CSP meta',
  );
  await ctx.withApp('csp', async (app) => {
    const head = await app.page.evaluate(() => {
      const f = document.head.firstElementChild;
      return {
        tag: f?.tagName,
        equiv: f?.getAttribute('http-equiv'),
        content: f?.getAttribute('content'),
        count: [...document.querySelectorAll('meta[http-equiv]')].filter((m) => m.getAttribute('http-equiv').toLowerCase() === 'content-security-policy')
          .length,
      };
    });
    assert.equal(head.tag, 'META', 'first element of <head>');
    assert.equal(head.equiv?.toLowerCase(), 'content-security-policy', 'first element of <head>');
    assert.equal(head.count, 1, 'exactly one CSP meta');
    const csp = parseCsp(head.content);
    assert.ok(csp['default-src'], `CSP has no default-src: ${head.content}`);
    same(csp['connect-src'], ["'self'"], `connect-src should be exactly 'self': ${head.content}`);
    const script = csp['script-src'] || csp['default-src'];
    for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'"])
      assert.ok(!script.includes(bad), `script sources allow ${bad}: ${head.content}`);
    for (const [dir, sources] of Object.entries(csp)) {
      for (const src of sources) {
        const ok = /^'[^']+'$/.test(src) || src === 'data:' || src === 'blob:';
        assert.ok(ok, `CSP ${dir} allows ${src}: only 'keywords', hashes, data: and blob: are allowed (${head.content})`);
      }
    }
  });
});

test('privacy: no request leaves, none after data is loaded, nothing stored, URL has no log content', async (t) => {
  const first = ['gz', 'broken'].map(fixture);
  const second = ['logdna', 'verifyPages'].map(fixture);
  await ctx.withApp('privacy', async (app) => {
    // Cold: the first drop may lazily load the page's own worker/wasm (harness rule: dist/ code assets only).
    let s = await app.dropFiles(first);
    assert.ok(toInt(s.events, 'summary-events') > 0, 'the first drop loaded no event');

    // Warm: from now on, not a single request, neither seen by the browser nor received by the ctx.server.
    const reqBefore = app.requests.length;
    const logBefore = ctx.server.log.length;
    s = await app.dropFiles(second, first.length);
    await app.tid('event-row').first().click();
    await app.page.waitForFunction(
      () => (document.querySelector('[data-testid="detail-json"]')?.textContent || '').trim().length > 2 && document.body.dataset.state === 'ready',
    );
    const facet = app.page.locator('[data-testid="facet-result"] [data-testid="facet-item"]').first();
    if (await facet.count()) {
      await facet.click();
      await app.ready();
    }
    await app.shot('after-drops');
    for (const line of requestReport(app)) t.diagnostic(line);
    same(
      app.requests.slice(reqBefore).map((r) => r.url),
      [],
      'requests after the page already had data',
    );
    same(
      ctx.server.log.slice(logBefore).map((e) => e.path),
      [],
      'requests the server received after the page already had data',
    );

    // Nothing persisted but the service worker and its cache of the page's own files (dist/).
    same(await app.page.evaluate(storedInPage), onlyOwnFiles(ctx.server.url), 'page stored something of its own');
    same(await app.context.cookies(), [], 'cookies set');

    // The URL carries view state at most, never log content.
    const url = decodeURIComponent(app.page.url());
    const tokens = [
      ...[...first, ...second].map((f) => path.basename(f)),
      'acme.example',
      'owner@',
      'mallory',
      'IBMid-',
      '158.177.175',
      '95.165.28',
      'scott@ibm.com',
      'TOTP4ALL',
      'LEVEL2',
    ];
    for (const tok of tokens) assert.ok(!url.toLowerCase().includes(tok.toLowerCase()), `URL contains log content ${tok}: ${url}`);
    assert.ok(url.length < ctx.server.url.length + 300, `URL is suspiciously long: ${url}`);
  });
});
