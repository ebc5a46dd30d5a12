// Checks shared by several test files (kept out of *.test.js so that importing them registers no tests).

import assert from 'node:assert/strict';
import { eventually, toInt, requestReport, same } from './harness.js';

/** Values a facet lists before "show N more" (SHORT in www/js/views/facets.js). */
const FACET_FOLDED = 8;
/** Findings the panel lists before "Show all" (SHOWN in www/js/views/findings.js). */
const FINDINGS_FOLDED = 8;

/**
 * Opens a facet's "show N more" button (facet-more) when the facet holds more values than it
 * shows, checks that every item is then visible, and returns the facet's items. Decided on the
 * values drawn, not on whether the button is visible at one moment: a redraw can hide it between
 * that check and the click.
 */
export async function expandFacet(app, name) {
  const box = app.tid(`facet-${name}`);
  const items = (await app.snapshot()).facets[name] || [];
  if (items.length > FACET_FOLDED) {
    await box
      .getByTestId('facet-more')
      .filter({ hasText: /^show \d+ more$/ })
      .click();
    await eventually(
      () => box.locator('li[hidden] [data-testid="facet-item"]').count(),
      (hidden) => hidden === 0,
      `facet-${name} to show every item after "show more"`,
    );
    assert.match(await box.getByTestId('facet-more').textContent(), /show fewer/);
  }
  return (await app.snapshot()).facets[name] || [];
}

/**
 * Waits until the findings panel lists `count` findings and, when it folds some away, opens
 * "Show all" and waits until every one is shown; returns the findings' locator.
 */
export async function showAllFindings(app, count) {
  const findings = app.tid('finding');
  await eventually(
    () => findings.count(),
    (n) => n === count,
    `${count} findings listed`,
  );
  if (count > FINDINGS_FOLDED) {
    await app
      .tid('findings-more')
      .filter({ hasText: /^Show all/ })
      .click();
    await eventually(
      () => app.page.locator('[data-testid="findings-list"] > li[hidden]').count(),
      (n) => n === 0,
      'every finding shown',
    );
  }
  return findings;
}

/**
 * Waits until the findings panel lists a finding of `rule`, shows it (opening "Show all" when it
 * is among those folded away) and returns it.
 */
export async function showFinding(app, rule) {
  const finding = app.page.locator(`[data-testid="finding"][data-rule="${rule}"]`).first();
  await finding.waitFor({ state: 'attached' });
  const k = await app.tid('finding').evaluateAll((all, r) => all.findIndex((b) => b.dataset.rule === r), rule);
  if (k >= FINDINGS_FOLDED)
    await app
      .tid('findings-more')
      .filter({ hasText: /^Show all/ })
      .click();
  await finding.waitFor({ state: 'visible' });
  return finding;
}

/** The checks of the demo test, shared with the sub-path test. */
export async function checkDemo(app, t) {
  const s0 = await app.snapshot();
  assert.equal(s0.state, 'ready');
  await app.shot('empty');

  const s = await app.demo();
  await app.shot('demo-loaded');
  const events = toInt(s.events, 'summary-events');
  assert.ok(events > 1000, `summary-events ${events} should be > 1000`);
  toInt(s.duplicates, 'summary-duplicates');
  toInt(s.diagnostics, 'summary-diagnostics');
  assert.equal(s.errorBanner, null, 'error-banner shown after the demo loaded');

  // Account lane.
  assert.ok(s.account.length >= 3, `account-change marks: ${s.account.length}, expected >= 3`);
  for (const a of s.account) assert.ok(['success', 'failure', 'pending'].includes(a.outcome), `account-change data-outcome ${a.outcome}`);
  assert.ok(
    s.account.some((a) => a.to === 'NONE'),
    `no account-change with data-to="NONE": ${JSON.stringify(s.account)}`,
  );
  assert.ok(
    s.account.some((a) => a.outcome === 'failure'),
    `no account-change with data-outcome="failure": ${JSON.stringify(s.account)}`,
  );

  // User lanes.
  const changes = s.lanes.flatMap((l) => l.changes);
  assert.ok(s.lanes.length >= 1, 'no user-lane');
  for (const l of s.lanes) assert.ok(l.user, 'user-lane without data-user');
  assert.ok(
    changes.some((c) => c.setting === '2FA'),
    `no setting-change with data-setting="2FA": ${JSON.stringify(changes.slice(0, 20))}`,
  );

  // Histogram and facets.
  const failures = toInt(s.histogram?.failure, 'histogram data-failure');
  assert.ok(failures > 0, `histogram data-failure ${failures}, expected > 0`);
  assert.ok(toInt(s.histogram.success, 'histogram data-success') > 0, 'histogram data-success should be > 0');
  // A facet shows its top values; "show all N" (when there) opens the rest.
  const methods = (await expandFacet(app, 'method')).map((i) => i.value);
  assert.ok(methods.includes('TOTP'), `facet-method values ${JSON.stringify(methods)} lack "TOTP"`);
  assert.ok(methods.includes('SMS OTP'), `facet-method values ${JSON.stringify(methods)} lack "SMS OTP"`);

  // Table: unfiltered, it holds every event.
  assert.ok(s.rows > 0, 'no event-row rendered');
  assert.equal(toInt(s.tableCount, 'table-count'), events, 'table-count without filters should equal summary-events');

  // Detail pane: a row's raw event is valid JSON.
  const row = app.tid('event-row').first();
  await row.click();
  const detail = app.tid('detail-json');
  await detail.waitFor({ state: 'visible' });
  await app.page.waitForFunction(
    () => (document.querySelector('[data-testid="detail-json"]')?.textContent || '').trim().length > 2 && document.body.dataset.state === 'ready',
  );
  const json = (await detail.textContent()).trim();
  let parsed;
  assert.doesNotThrow(() => (parsed = JSON.parse(json)), `detail-json is not JSON: ${json.slice(0, 200)}`);
  assert.equal(typeof parsed, 'object');
  assert.ok(parsed !== null && Object.keys(parsed).length > 0, 'detail-json is an empty value');
  const fields = (await app.tid('detail-fields').textContent()).trim();
  assert.ok(fields.length > 0, 'detail-fields is empty');
  await app.shot('detail');

  if (t) for (const line of requestReport(app)) t.diagnostic(line);
  return s;
}

/** Keeps the Blobs the page hands to URL.createObjectURL (its downloads), to read what was downloaded. */
export async function captureExports(app) {
  await app.page.evaluate(() => {
    window.__e2eExports = [];
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob) => {
      window.__e2eExports.push(blob);
      return create(blob);
    };
  });
}

/** Clicks an export button; returns the download's file name and the exported Blob's text. */
export async function exportVia(app, testid) {
  const download = app.page.waitForEvent('download');
  await app.settle(() => app.tid(testid).click(), null, `the ${testid} export`);
  const name = (await download).suggestedFilename();
  const text = await app.page.evaluate(() => window.__e2eExports.at(-1).text());
  assert.equal(await app.tid(testid).isDisabled(), false, 'the export button is enabled again');
  return { name, text };
}

/**
 * Asserts that a snapshot shows the CLI's counts (`cliSummary` of the same files): per file events,
 * duplicates and errors, and the totals.
 */
export function checkCountsMatchCli(s, cli) {
  same(
    s.files.map((f) => ({
      name: f.name,
      events: toInt(f.events, `${f.name} file-events`),
      duplicates: toInt(f.duplicates, `${f.name} file-duplicates`),
      errors: toInt(f.errors, `${f.name} file-errors`),
    })),
    cli.files.map((f) => ({ name: f.name, events: f.events, duplicates: f.duplicates, errors: f.errors })),
    'per-file counts (page vs CLI)',
  );
  same(
    {
      events: toInt(s.events, 'summary-events'),
      duplicates: toInt(s.duplicates, 'summary-duplicates'),
      diagnostics: toInt(s.diagnostics, 'summary-diagnostics'),
    },
    { events: cli.events, duplicates: cli.duplicates, diagnostics: cli.errors_total ?? cli.errors.length },
    'total counts (page vs CLI)',
  );
  assert.equal(s.errorBanner, null, 'error-banner shown');
}
