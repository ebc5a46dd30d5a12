// The same dist/ served under a deep sub-path: every URL of the page must be relative
// (trunk build --public-url ./), so the demo works there and nothing is requested outside the sub-path
// (the harness fails on any non-200 answer, e.g. a root-absolute /favicon.ico or /index.js).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIST, requireDist, launch, startServer, withApp, same } from './harness.js';
import { checkDemo } from './checks.js';

const BASE = '/some/deep/path/';
let browser;
let server;

before(async () => {
  requireDist();
  browser = await launch();
  server = await startServer({ root: DIST, base: BASE });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test(`sub-path: the demo works under ${BASE}`, async (t) => {
  await withApp(browser, server, 'subpath', async (app) => {
    assert.ok(app.page.url().startsWith(server.url), `page URL ${app.page.url()}`);
    await checkDemo(app, t);
    const outside = server.log.filter((e) => !e.path.startsWith(BASE)).map((e) => `${e.status} ${e.path}`);
    same(outside, [], 'requests outside the sub-path');
  });
});
