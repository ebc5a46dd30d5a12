// Real export files through the file input and through a real drop, compared with the CLI.
//
// The expected numbers are not written here: each test runs `authtrail summary --json` (the same Rust core,
// natively) on the same files and asserts that the page shows the same per-file and total counts, the same
// diagnostics, the same account MFA changes and user setting changes, and the same authentication totals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { suite, toInt, fixture, cliSummary, cliPath, generateExport, requestReport, same, tempDir } from './harness.js';
import { captureExports, exportVia } from './checks.js';

const ctx = suite({ label: 'files', generate: '3MB' });

const multiset = (xs) => xs.map((x) => JSON.stringify(x)).sort();

/** Asserts that a page snapshot shows what the CLI says about the same files. */
function assertMatchesCli(s, cli) {
  assert.equal(s.errorBanner, null, 'error-banner shown: unreadable records are diagnostics, not errors');
  // Per file.
  assert.equal(s.files.length, cli.files.length, `file-row count ${s.files.length}, CLI files ${cli.files.length}`);
  for (const f of cli.files) {
    const row = s.files.find((r) => r.name === f.name);
    assert.ok(row, `no file-row with file-name ${JSON.stringify(f.name)}; rows: ${JSON.stringify(s.files.map((r) => r.name))}`);
    assert.equal(toInt(row.events, `${f.name} file-events`), f.events, `${f.name}: file-events`);
    assert.equal(toInt(row.duplicates, `${f.name} file-duplicates`), f.duplicates, `${f.name}: file-duplicates`);
    assert.equal(toInt(row.errors, `${f.name} file-errors`), f.errors, `${f.name}: file-errors`);
    // The page decompresses .gz in the browser (DecompressionStream) and the CLI in the core, so only
    // the gzip prefix may be worded differently; the rest of the format is the core's own description.
    const cliFormat = f.format.replace(/^gzip,\s*/i, '');
    assert.ok(row.format?.includes(cliFormat), `${f.name}: file-format ${JSON.stringify(row.format)} lacks ${JSON.stringify(cliFormat)}`);
    if (/^gzip/i.test(f.format)) assert.match(row.format, /gzip/i, `${f.name}: file-format does not say gzip`);
    assert.ok(row.progress, `${f.name}: no file-progress`);
    assert.ok(row.progress.max > 0 && row.progress.value === row.progress.max, `${f.name}: file-progress not complete: ${JSON.stringify(row.progress)}`);
  }

  // Totals.
  assert.equal(toInt(s.events, 'summary-events'), cli.events, 'summary-events');
  assert.equal(toInt(s.duplicates, 'summary-duplicates'), cli.duplicates, 'summary-duplicates');
  assert.equal(toInt(s.diagnostics, 'summary-diagnostics'), cli.errors_total ?? cli.errors.length, 'summary-diagnostics');

  // Diagnostics: one row per diagnostic, naming file, line and message.
  if (cli.errors.length <= 50) assert.equal(s.diagnosticRows.length, cli.errors.length, 'diagnostic-row count');
  else assert.ok(s.diagnosticRows.length >= 50, `only ${s.diagnosticRows.length} diagnostic-row elements`);
  for (const d of cli.errors.slice(0, 50)) {
    const msg = d.message.slice(0, 40);
    // The row's parts are adjacent spans ("broken.ndjsonline 41 line(s) of…"): look for the line number in
    // what is left once the file name and the message are taken out.
    const row = s.diagnosticRows.find(
      (r) => r.includes(d.file) && r.includes(d.message) && new RegExp(`(^|\\D)${d.line}(\\D|$)`).test(r.replace(d.message, ' ').replace(d.file, ' ')),
    );
    assert.ok(row, `no diagnostic-row with ${d.file}, line ${d.line} and "${msg}"; rows: ${JSON.stringify(s.diagnosticRows)}`);
  }

  // Account MFA changes and user setting changes.
  assert.equal(s.account.length, cli.account_mfa.length, `account-change marks ${s.account.length}, CLI account_mfa ${cli.account_mfa.length}`);
  same(
    multiset(s.account.map((a) => ({ outcome: a.outcome, to: a.to ?? '', actor: a.actor ?? '' }))),
    multiset(cli.account_mfa.map((a) => ({ outcome: a.outcome, to: a.to ?? '', actor: a.actor ?? '' }))),
    'account-change marks (outcome, to, actor) differ from the CLI',
  );
  const settings = s.lanes.flatMap((l) => l.changes.map((c) => ({ user: l.user, setting: c.setting, to: c.to ?? '' })));
  assert.equal(settings.length, cli.user_mfa.length, `setting-change marks ${settings.length}, CLI user_mfa ${cli.user_mfa.length}`);
  same(
    multiset(settings),
    multiset(cli.user_mfa.map((c) => ({ user: c.user, setting: c.setting, to: c.to ?? '' }))),
    'setting-change marks (user, setting, to) differ from the CLI',
  );
  assert.equal(new Set(settings.map((c) => c.user)).size, s.lanes.filter((l) => l.changes.length).length, 'one user-lane per user');

  // Authentication results.
  assert.equal(toInt(s.histogram?.success, 'histogram data-success'), cli.auth.success, 'histogram data-success vs CLI auth.success');
  assert.equal(toInt(s.histogram?.failure, 'histogram data-failure'), cli.auth.failure, 'histogram data-failure vs CLI auth.failure');
}

test('real fixtures through the file input match the CLI (LogDNA NDJSON, gzip, Verify API pages, broken file)', async (t) => {
  const files = ['logdna', 'gz', 'verifyPages', 'broken'].map(fixture);
  const cli = cliSummary(files);
  t.diagnostic(`CLI: events ${cli.events}, duplicates ${cli.duplicates}, diagnostics ${cli.errors_total}`);
  assert.ok(cli.errors.length > 0, 'the broken fixture should produce a diagnostic in the CLI');
  await ctx.withApp('fixtures', async (app) => {
    const s = await app.loadFiles(files);
    await app.shot('loaded');
    assertMatchesCli(s, cli);
    // The diagnostics list is a <details>: opening it shows the rows.
    await app.tid('diagnostics-list').locator('summary').first().click();
    await app.tid('diagnostic-row').first().waitFor({ state: 'visible' });
    await app.shot('diagnostics-open');
    for (const line of requestReport(app)) t.diagnostic(line);
  });
});

test('a generated mixed export (about 3 MB) matches the CLI, account lane included', async (t) => {
  const cli = cliSummary([ctx.generated]);
  t.diagnostic(`CLI: events ${cli.events}, account changes ${cli.account_mfa.length}, setting changes ${cli.user_mfa.length}`);
  assert.ok(cli.account_mfa.length >= 1, 'the generator should write account MFA changes');
  await ctx.withApp('generated', async (app) => {
    const s = await app.loadFiles([ctx.generated]);
    await app.shot('loaded');
    assertMatchesCli(s, cli);
  });
});

test("a large export (80 MB, read in 2 and in 4 parts at once) matches the CLI; its last day exports the CLI's CSV and original records", async (t) => {
  const dir = tempDir('large');
  try {
    const file = await generateExport('80MB', dir);
    const cli = cliSummary([file]);
    // `authtrail generate` writes its events in time order: the last day is at the end of the file.
    const tail = Buffer.alloc(1 << 20);
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, tail, 0, tail.length, fs.fstatSync(fd).size - tail.length);
    fs.closeSync(fd);
    const text = tail.toString('latin1');
    const last = Math.max(
      ...[...text.matchAll(/"eventTime":"([^"]+)\+0000"/g)].map((m) => Date.parse(`${m[1]}Z`)),
      ...[...text.matchAll(/"time":(\d{13})\b/g)].map((m) => Number(m[1])),
    );
    const from = last - 86_400_000;
    const to = last + 1;
    const cliExport = (flag) =>
      execFileSync(cliPath(), ['export', flag, '--from', String(from), '--to', String(to), file], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    const csv = cliExport('--csv');
    const rows = csv.split('\r\n').length - 2;
    t.diagnostic(`CLI: events ${cli.events}; the last day ${rows}`);
    assert.ok(rows > 1000, `the last day holds ${rows} events`);
    // One part per thread the page says the machine has: this one has 2; a machine with 4 is told.
    for (const threads of [2, 4]) {
      await ctx.withApp(`large-${threads}`, async (app) => {
        if (threads !== 2) {
          await app.page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), threads);
          await app.goto();
        }
        const s = await app.loadFiles([file]);
        assertMatchesCli(s, cli);
        const status = await app.tid('file-row').locator('.file-status').textContent();
        assert.match(status, new RegExp(`read in ${threads} parts at once, `), 'the later parts were read on other threads and taken over');
        await captureExports(app);
        await app.settle(
          () =>
            app.page.evaluate((f) => {
              location.hash = f;
            }, `#from=${from}&to=${to}`),
          (v) => toInt(v.tableCount, 'table-count') === rows,
          'the last day',
        );
        assert.equal((await exportVia(app, 'export-csv')).text, csv, 'the last day as CSV, against `authtrail export --csv`');
        assert.equal(
          (await exportVia(app, 'export-ndjson')).text,
          cliExport('--ndjson'),
          "the last day's original records, against `authtrail export --ndjson`",
        );
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated gzip file keeps the events before the damage and says so, like the CLI', async (t) => {
  // The page gunzips with the browser's DecompressionStream, the CLI with the core's own gunzip.
  const dir = tempDir('gzip-cut');
  try {
    const full = cliSummary([ctx.generated]).events;
    const gz = zlib.gzipSync(fs.readFileSync(ctx.generated));
    const file = path.join(dir, 'cut.ndjson.gz');
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const cli = cliSummary([file]);
    t.diagnostic(`CLI: ${cli.events} of ${full} events, diagnostics ${JSON.stringify(cli.errors.map((d) => d.message))}`);
    await ctx.withApp('gzip-cut', async (app) => {
      const s = await app.loadFiles([file]);
      assert.equal(s.errorBanner, null, 'a damaged gzip file is a diagnostic, not an error banner');
      const events = toInt(s.events, 'summary-events');
      // What each decompressor hands over before the damage may differ by its buffering: a few records.
      assert.ok(events > full * 0.5 && events < full, `page ${events} events of ${full}`);
      assert.ok(Math.abs(events - cli.events) <= cli.events * 0.02, `page ${events} events, CLI ${cli.events}`);
      assert.match(s.files[0].format, /^gzip, NDJSON/);
      const row = s.diagnosticRows.find((r) => r.includes('gzip data is corrupt or truncated') && r.includes('the events before the damage were kept'));
      assert.ok(row, `no file diagnostic about the damage; rows: ${JSON.stringify(s.diagnosticRows)}`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('merging: loading the same file again adds duplicates, not events', async (t) => {
  const file = fixture('logdna');
  const once = cliSummary([file]);
  const twice = cliSummary([file, file]);
  const { events: e, duplicates: d, records } = once.files[0];
  assert.ok(e > 0);
  // Every record of the second copy is a duplicate: its events and the duplicates it already had inside.
  assert.equal(twice.events, e, 'CLI: events after the same file twice');
  assert.equal(twice.duplicates, once.duplicates + e + d, 'CLI: duplicates after the same file twice');
  t.diagnostic(`file: ${records} records, ${e} events, ${d} duplicates inside`);
  await ctx.withApp('merge', async (app) => {
    const s1 = await app.loadFiles([file]);
    assertMatchesCli(s1, once);
    const d1 = toInt(s1.duplicates, 'summary-duplicates');
    const s2 = await app.loadFiles([file], 1);
    await app.shot('loaded-twice');
    assert.equal(s2.files.length, 2, 'file-row count after loading the file twice');
    assert.equal(toInt(s2.events, 'summary-events'), e, 'summary-events after loading the same file again');
    assert.equal(toInt(s2.duplicates, 'summary-duplicates'), d1 + e + d, 'summary-duplicates after loading the same file again');
    const second = s2.files[1];
    assert.equal(toInt(second.events, 'second file-events'), twice.files[1].events, 'second load: file-events');
    assert.equal(toInt(second.duplicates, 'second file-duplicates'), twice.files[1].duplicates, 'second load: file-duplicates');
    assert.equal(toInt(s2.tableCount, 'table-count'), e, 'table-count after loading the same file again');
    assert.equal(s2.account.length, once.account_mfa.length, 'account-change marks after loading the same file again');
  });
});

test('a real drop (DataTransfer with File objects) loads files like the file input', async (t) => {
  const files = ['sampleJsonl', 'sampleWebhook', 'sampleTruncated', 'verifyPages'].map(fixture);
  const cli = cliSummary(files);
  await ctx.withApp('drop', async (app) => {
    const s = await app.dropFiles(files);
    await app.shot('dropped');
    assertMatchesCli(s, cli);
    for (const line of requestReport(app)) t.diagnostic(line);
  });
});
