// The findings panel and the MFA state at a moment, on the constructed stories
// (tests/fixtures/stories), compared with `authtrail findings --json` and `authtrail state` on the same
// files: same findings in the same order; selecting one filters the table to its events and zooms the
// timeline to its window; thresholds re-run the rules; a pinned moment shows the reconstructed state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { suite, toInt, FIXTURES, cliPath, eventually } from './harness.js';
import { showAllFindings } from './checks.js';

const ctx = suite({ label: 'findings' });
const story = (name) => path.join(FIXTURES, 'stories', name);
const FILES = [story('story_verify_takeover.ndjson'), story('story_mfa_downgrade.ndjson')];

/** `authtrail findings --json` (never failing on severity) on files, with extra flags. */
function cliFindings(files, flags = []) {
  const out = execFileSync(cliPath(), ['findings', '--json', '--fail-on', 'never', ...flags, ...files], { encoding: 'utf8' });
  return JSON.parse(out).findings;
}

const shown = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="finding"]')].map((b) => ({
      rule: b.dataset.rule,
      severity: b.dataset.severity,
      title: b.querySelector('.finding-title').textContent,
      pressed: b.getAttribute('aria-pressed'),
    })),
  );

test('findings: the panel lists what the CLI finds; selecting one filters the table and zooms the timeline', async () => {
  await ctx.withApp('findings-panel', async (app) => {
    const s0 = await app.loadFiles(FILES);
    const total = toInt(s0.tableCount, 'table-count');
    const cli = cliFindings(FILES);
    assert.ok(cli.length >= 8, `the stories should raise several findings, the CLI found ${cli.length}`);
    await showAllFindings(app, cli.length);
    const listed = await shown(app.page);
    assert.deepEqual(
      listed.map(({ rule, severity, title }) => ({ rule, severity, title })),
      cli.map(({ rule, severity, title }) => ({ rule, severity, title })),
      'findings differ from the CLI',
    );
    assert.equal(listed[0].severity, 'critical', 'most severe first');
    assert.match(await app.tid('findings-tally').textContent(), /1 critical/);
    await app.shot('panel');

    const k = cli.findIndex((f) => f.rule === 'password-spray');
    const spray = cli[k];
    const s1 = await app.settleUi(
      () => app.tid('finding').nth(k).click(),
      (s) => toInt(s.tableCount, 'table-count') === spray.events.length,
      "the table to hold the spray finding's events",
    );
    assert.equal(s1.rows, spray.events.length, 'table rows');
    const rows = await app.tid('event-row').allTextContents();
    assert.ok(
      rows.every((r) => r.includes('203.0.113.250')),
      `a row not from the spraying address: ${rows.join(' | ')}`,
    );
    assert.equal(await app.tid('finding').nth(k).getAttribute('aria-pressed'), 'true');
    assert.match(await app.tid('finding-detail').textContent(), /6 first-factor failures for 6 distinct users/);
    assert.match(await app.page.locator('#window-label').textContent(), /^Selected: /, 'the timeline did not zoom to the finding');
    await app.shot('selected');

    const s2 = await app.settleUi(
      () => app.tid('finding').nth(k).click(),
      (s) => toInt(s.tableCount, 'table-count') === total,
      'the table to hold every event again',
    );
    assert.equal(toInt(s2.tableCount, 'table-count'), total);
    assert.match(await app.page.locator('#window-label').textContent(), /^All events: /);
  });
});

test('findings: thresholds re-run the rules like the CLI flags do', async () => {
  await ctx.withApp('findings-thresholds', async (app) => {
    await app.loadFiles(FILES);
    const cli = cliFindings(FILES, ['--spray-users', '7', '--fatigue-failures', '5']);
    await app.page.locator('.thresholds summary').click();
    await app.tid('threshold-spray_users').fill('7');
    await app.tid('threshold-fatigue_failures').fill('5');
    await app.tid('thresholds-apply').click();
    // The state the test needs: the findings under the new thresholds, each one shown.
    await eventually(
      () => shown(app.page),
      (l) => l.length === cli.length && !l.some((f) => f.rule === 'password-spray'),
      'the findings under the new thresholds',
    );
    await showAllFindings(app, cli.length);
    const listed = await shown(app.page);
    assert.deepEqual(
      listed.map((f) => f.title),
      cli.map((f) => f.title),
    );
    assert.ok(!listed.some((f) => f.rule === 'mfa-fatigue'), 'fatigue should not fire with 5 failures required');
  });
});

test('state at a moment: a click on the chart pins the reconstructed MFA state, hovering shows it', async () => {
  await ctx.withApp('findings-moment', async (app) => {
    const file = story('story_mfa_downgrade.ndjson');
    await app.loadFiles([file]);
    // Zoom to the downgrade through its finding, then pin the middle of the window: inside the NONE period.
    const k = (await shown(app.page)).findIndex((f) => f.rule === 'account-mfa-lowered');
    assert.ok(k >= 0, 'no account-mfa-lowered finding');
    await app.settleUi(
      () => app.tid('finding').nth(k).click(),
      (s) => toInt(s.tableCount, 'table-count') === 2,
      'the downgrade finding selected',
    );
    await app.tid('histogram').scrollIntoViewIfNeeded();
    const box = await app.tid('histogram').boundingBox();
    const plotLeft = box.x + 176;
    const plotRight = box.x + box.width - 18;
    await app.page.mouse.click((plotLeft + plotRight) / 2, box.y + box.height / 2);
    await app.tid('moment-line').waitFor({ state: 'attached' });
    await eventually(
      () => app.tid('moment-head').textContent(),
      (t) => t.startsWith('Pinned'),
      'the pinned moment',
    );
    const account = await app.tid('moment-account').textContent();
    assert.match(account, /^Account MFA: NONE \(no MFA required\), since .* by owner@acme\.example$/, account);
    const none = JSON.parse(execFileSync(cliPath(), ['state', '--json', '--at', '2024-05-08T11:15:00Z', file], { encoding: 'utf8' }));
    assert.equal(none.account.level, 'NONE', 'the CLI state in the middle of the downgrade');
    await app.shot('pinned');

    await app.tid('moment-unpin').click();
    await app.page.mouse.move(plotLeft + 3, box.y + box.height / 2);
    const before = await eventually(
      () =>
        app
          .tid('moment-account')
          .textContent()
          .catch(() => ''),
      (t) => t.includes('TOTP4ALL'),
      'the state before the downgrade on hover',
    );
    assert.match(before, /Account MFA: TOTP4ALL/);
    const cli = JSON.parse(execFileSync(cliPath(), ['state', '--json', '--at', '2024-05-08T07:59:59Z', file], { encoding: 'utf8' }));
    assert.equal(cli.account.level, 'TOTP4ALL', 'the CLI state just before the downgrade');
  });
});
