// The page's workers are under its Content-Security-Policy also on a host that sends no header at
// all, where the policy is the page's <meta> tag alone: a worker started from its own URL would be
// under none (its response has no header), so the page starts each one from a blob: URL
// (js/start-worker.js). From each worker, a fetch to another origin is refused as a CSP violation,
// and nothing reaches that origin: a second server counts what it receives.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DIST, eventually, launch, openApp, requireDist, same, startServer, tempDir } from './harness.js';

/** The workers the page starts as it opens: the core's, its reader, the first part's and its reader. */
const WORKERS = ['authtrail-core', 'authtrail-reader', 'authtrail-part-2', 'authtrail-stretch-reader'];

let browser;
let server;
let other;
let tmp;

before(async () => {
  requireDist();
  browser = await launch();
  server = await startServer({ root: DIST, headers: false });
  tmp = tempDir('elsewhere');
  fs.writeFileSync(path.join(tmp, 'x.txt'), 'x');
  other = await startServer({ root: tmp, headers: false });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await other?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs in a worker: a fetch of `url`, and the CSP violations it raises there (waiting for the
 * first one, which is reported in a task of its own).
 */
function fetchFromWorker(url) {
  const violations = [];
  const seen = new Promise((resolve) => {
    self.addEventListener('securitypolicyviolation', (e) => {
      violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
      resolve();
    });
  });
  return fetch(url)
    .then(
      () => 'fetched',
      () => 'refused',
    )
    .then(async (outcome) => {
      await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, 5000))]);
      return { outcome, violations, location: self.location.protocol };
    });
}

test('workers: on a host that sends no CSP header, no worker can reach another origin', async () => {
  const page = await fetch(server.url);
  assert.equal(page.headers.get('content-security-policy'), null, 'the host sends a CSP header: not the case tested');
  const app = await openApp(browser, server, 'worker-policy');
  try {
    await app.goto();
    const found = await eventually(
      () => Promise.all(app.page.workers().map(async (w) => ({ name: await w.evaluate(() => self.name), worker: w }))),
      (list) => WORKERS.every((name) => list.some((w) => w.name === name)),
      "the page's workers",
    );
    for (const name of WORKERS) {
      const { worker } = found.find((w) => w.name === name);
      const result = await worker.evaluate(fetchFromWorker, `${other.url}x.txt`);
      same(
        result,
        { outcome: 'refused', violations: [{ directive: 'connect-src', blocked: `${other.url}x.txt` }], location: 'blob:' },
        `${name}: a fetch to another origin`,
      );
    }
    same(other.log, [], 'requests that reached the other origin');
    // The violations were the test's own: the page raised none.
    const expected = (e) => e.includes(`Refused to connect to '${other.url}x.txt'`) || e.includes('Failed to fetch');
    app.errors = app.errors.filter((e) => !expected(e));
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    if (app.errors.length) e.message += `\nalso seen: ${app.errors.join(' | ')}`;
    await app.context.close().catch(() => {});
    throw e;
  }
  await app.finish();
});
