// Offline: after one load (the service worker sw.js caches dist/'s files), the page boots, shows the
// demo and reads export files with the CLI's counts while the browser is offline, and the server
// receives nothing in the meantime.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, same, fixture, cliSummary, toInt, storedInPage, onlyOwnFiles } from './harness.js';
import { checkCountsMatchCli } from './checks.js';

const ctx = suite({ label: 'offline' });

test('offline: after one load the page works with the network off', async () => {
  await ctx.withApp('offline', async (app) => {
    // app.goto() waited until the service worker controls the page; it has cached every file.
    same(await app.page.evaluate(storedInPage), onlyOwnFiles(ctx.server.url), 'what the first load cached');

    await app.context.setOffline(true);
    assert.equal(await app.page.evaluate(() => navigator.onLine), false, 'navigator.onLine after setOffline(true)');
    const logBefore = ctx.server.log.length;
    await app.goto();
    assert.ok(await app.page.evaluate(() => navigator.serviceWorker.controller !== null), 'the offline load is not served by the service worker');

    const demo = await app.demo();
    assert.ok(toInt(demo.events, 'summary-events') > 1000, `demo events offline: ${demo.events}`);

    await app.goto();
    const files = ['logdna', 'verifyPages', 'gz'].map(fixture);
    checkCountsMatchCli(await app.loadFiles(files), cliSummary(files));
    await app.tid('event-row').first().click();
    await app.page.waitForFunction(() => (document.querySelector('[data-testid="detail-json"]')?.textContent || '').trim().startsWith('{'));
    await app.shot('offline-files');

    same(
      ctx.server.log.slice(logBefore).map((e) => e.path),
      [],
      'requests the server received while the browser was offline',
    );
  });
});
