// Hostile input in what the page derives and hands out: the findings panel (titles, details and who
// was involved are built from log fields) and the CSV / NDJSON exports. Payloads are shown as text,
// equal to what the CLI derives from the same files (with invisible and bidi characters shown as
// ⟨U+202E⟩: www/js/lib/visible.js), and nothing runs while every finding is selected
// in turn or while the exports are built. (The table, lanes, facets, detail pane, file list and
// diagnostics are covered by hostile.test.js.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { suite, FIXTURES, cliPath, same } from './harness.js';
import { captureExports, exportVia, showAllFindings } from './checks.js';
import { trapDialogs, markupCounts, assertInert } from './inert.js';
import { prose, visible } from '../../www/js/lib/visible.js';

const ctx = suite({ label: 'xss-outputs' });

const XSS = ['xss_every-field.ndjson', 'xss_every-field_verify-page.json'].map((f) => path.join(FIXTURES, 'hostile', f));
const cli = (...args) => execFileSync(cliPath(), args, { encoding: 'utf8', maxBuffer: 64 << 20 });

test('XSS: findings built from payload fields show them as text, and exports carry them verbatim', async () => {
  const expected = JSON.parse(cli('findings', '--json', '--fail-on', 'never', ...XSS)).findings;
  assert.ok(expected.length >= 5, `the XSS fixtures should raise several findings, the CLI found ${expected.length}`);
  const withPayload = expected.filter((f) => /<|__pwned|\u202e/.test(f.title + f.detail));
  assert.ok(withPayload.length >= 4, `findings whose text holds a payload: ${withPayload.length}`);

  await ctx.withApp('xss-outputs', async (app) => {
    const dialogs = trapDialogs(app);
    const baseline = await app.page.evaluate(markupCounts);
    await app.dropFiles(XSS);
    await assertInert(app, baseline, dialogs, 'after the drop');

    // The panel lists the CLI's findings, titles verbatim.
    const items = await showAllFindings(app, expected.length);
    const titles = await items.locator('.finding-title').allTextContents();
    same(
      titles,
      expected.map((f) => prose(f.title)),
      'finding titles vs `authtrail findings --json`',
    );

    // Selecting each finding shows its detail verbatim and runs nothing.
    for (let k = 0; k < expected.length; k++) {
      await app.settle(() => items.nth(k).click(), null, `finding ${k} selected`);
      assert.equal(await app.tid('finding-detail').textContent(), prose(expected[k].detail), `finding ${k}: finding-detail`);
      const who = await items.nth(k).locator('.finding-who').textContent();
      for (const name of [...expected[k].users, ...expected[k].actors].slice(0, 2).map(visible)) {
        assert.ok(who.includes(name.slice(0, 40)), `finding ${k}: finding-who lacks ${JSON.stringify(name.slice(0, 40))}: ${who.slice(0, 200)}`);
      }
      await assertInert(app, baseline, dialogs, `with finding ${k} selected`);
    }
    await app.settle(() => items.nth(expected.length - 1).click(), null, 'the finding unselected');
    await app.shot('xss-findings');

    // Exports: byte for byte the CLI's, the payloads in them literally.
    await captureExports(app);
    const csv = await exportVia(app, 'export-csv');
    assert.equal(csv.text, cli('export', '--csv', ...XSS), 'CSV vs `authtrail export --csv`');
    assert.ok(csv.text.includes('<script>window.__pwned=""initiator.name""</script>'), 'the CSV holds the script payload, quoted, as text');
    const ndjson = await exportVia(app, 'export-ndjson');
    assert.equal(ndjson.text, cli('export', '--ndjson', ...XSS), 'NDJSON vs `authtrail export --ndjson`');
    assert.ok(ndjson.text.includes('<svg onload=\\"window.__pwned=\'username\'\\"></svg>'), 'the NDJSON holds the svg payload as JSON text');
    await assertInert(app, baseline, dialogs, 'after the exports');
    assert.equal(await app.page.evaluate(() => window.__pwned), undefined);
  });
});
