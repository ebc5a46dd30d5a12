// The same dist/ served under a deep sub-path: every URL of the page must be relative
// (trunk build --public-url ./), so the demo works there and nothing is requested outside the sub-path
// (the harness fails on any non-200 answer, e.g. a root-absolute /favicon.ico or /index.js), and the
// service worker's scope is the sub-path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, same, storedInPage, onlyOwnFiles } from './harness.js';
import { checkDemo } from './checks.js';

const BASE = '/some/deep/path/';
const ctx = suite({ base: BASE });

test(`sub-path: the demo works under ${BASE}`, async (t) => {
  await ctx.withApp('subpath', async (app) => {
    assert.ok(app.page.url().startsWith(ctx.server.url), `page URL ${app.page.url()}`);
    // The service worker (registered as the relative sw.js) has the sub-path as its scope and caches
    // the page's files there.
    same(await app.page.evaluate(storedInPage), onlyOwnFiles(ctx.server.url), `service worker and cache under ${BASE}`);
    await checkDemo(app, t);
    const outside = ctx.server.log.filter((e) => !e.path.startsWith(BASE)).map((e) => `${e.status} ${e.path}`);
    same(outside, [], 'requests outside the sub-path');
  });
});
