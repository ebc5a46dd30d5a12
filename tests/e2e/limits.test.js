// Limits and subsets: a small events cap in the page, a generated export larger than that, the
// offer shown before reading, what each choice keeps, and the record size limit.
//
// The oracle is the CLI: `authtrail extract` (the MFA-relevant events' original records) then
// `authtrail summary --json` of that extract, and `authtrail summary --max-events N`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { suite, cliPath, cliSummary, eventually, same, tempDir, toInt } from './harness.js';

const ctx = suite({ label: 'limits', generate: '5MB' });

/** Sets the events cap in the Limits control. */
async function setEventsCap(app, n) {
  await app.tid('limits').locator('summary').click();
  await app.tid('limit-events').fill(String(n));
  await app.tid('limit-events').dispatchEvent('change');
  await eventually(
    () => app.tid('limits').locator('summary').textContent(),
    (t) => t.includes(`at most ${n.toLocaleString('en-US')} events`),
    'the Limits summary to show the cap',
  );
}

/** Drops `file` on the page (a DataTransfer built in the page) and waits for the offer's text. */
async function dropAndSeeOffer(app, file, rowsBefore = 0) {
  app.markAction(`drop ${path.basename(file)}`, 'data');
  const b64 = fs.readFileSync(file).toString('base64');
  const dt = await app.page.evaluateHandle(
    ({ name, b64 }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: name.endsWith('.gz') ? 'application/gzip' : 'application/json' }));
      return dt;
    },
    { name: path.basename(file), b64 },
  );
  const zone = app.tid('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer: dt });
  await zone.dispatchEvent('dragover', { dataTransfer: dt });
  await zone.dispatchEvent('drop', { dataTransfer: dt });
  await dt.dispose();
  await app.tid('fit-offer').waitFor({ state: 'visible' });
  await app.ready();
  const s = await app.snapshot();
  assert.equal(s.files.length, rowsBefore, 'a new file row before the choice: reading started without asking');
  return (await app.tid('fit-text').textContent()).trim();
}

const noteTexts = (app) => app.tid('limit-note').allTextContents();

test('limits: a file over the events cap is offered as MFA-relevant events only, which match authtrail summary --mfa-only and extract', async (t) => {
  const dir = tempDir('limits-extract');
  const extract = path.join(dir, 'mfa.ndjson');
  execFileSync(cliPath(), ['extract', ctx.generated, '-o', extract], { stdio: 'ignore' });
  const cli = cliSummary([extract]);
  const whole = cliSummary([ctx.generated]);
  const subset = cliSummary(['--mfa-only', ctx.generated]);
  fs.rmSync(dir, { recursive: true, force: true });
  t.diagnostic(`whole: ${whole.events} events; MFA-relevant: ${subset.events}; extracted: ${cli.events}`);
  const cap = 3000;
  assert.ok(whole.events > cap && cli.events < cap && cli.account_mfa.length >= 3, 'the generated export does not suit this test');
  // The extract ends with the records that name the IAM IDs its events use (logins, outside the subset).
  assert.ok(cli.aliases.length >= 1 && cli.events > subset.events, `the extract lacks its naming records: ${JSON.stringify(cli.aliases)}`);
  same(cli.aliases, subset.aliases, 'identifiers shown by name: extract vs --mfa-only');

  await ctx.withApp('limits-mfa', async (app) => {
    await setEventsCap(app, cap);
    const offer = await dropAndSeeOffer(app, ctx.generated);
    assert.match(offer, /about [\d,.]+ MB of text: about [\d,]+ events/, offer);
    assert.match(offer, /At most 3,000 events are kept \(Limits\), so about [\d,]+ would not be/, offer);
    await app.shot('offer');

    const s = await app.settle(
      () => app.tid('fit-mfa').click(),
      (x) => x.files.length === 1 && x.files[0].events !== '0' && x.histogram !== null,
      'the MFA-relevant events to be read',
    );
    assert.equal(await app.tid('fit-offer').isVisible(), false, 'the offer stays open');
    await app.shot('mfa-only');
    assert.equal(toInt(s.events, 'summary-events'), subset.events, 'events: page MFA-only vs authtrail summary --mfa-only');
    assert.equal(s.account.length, cli.account_mfa.length, 'account MFA changes');
    assert.equal(
      s.lanes.reduce((n, l) => n + l.changes.length, 0),
      cli.user_mfa.length,
      'user setting changes',
    );
    same(s.lanes.map((l) => l.user).sort(), [...new Set(cli.user_mfa.map((c) => c.user))].sort(), 'users with setting changes, by name');
    assert.equal(toInt(s.histogram.success, 'histogram data-success'), subset.auth.success, 'MFA successes');
    assert.equal(toInt(s.histogram.failure, 'histogram data-failure'), subset.auth.failure, 'MFA failures');
    const notes = await noteTexts(app);
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.ok(notes[0].includes(`Subset: only MFA-relevant events; ${subset.files[0].outside_subset} record(s) outside it were not kept.`), notes[0]);
  });
});

test('limits: reading up to the cap keeps that many events and says which cap and how to raise it', async () => {
  const cap = 500;
  const cli = cliSummary(['--max-events', String(cap), ctx.generated]);
  assert.equal(cli.events, cap);
  const overCap = cli.files[0].over_cap;
  await ctx.withApp('limits-cap', async (app) => {
    await setEventsCap(app, cap);
    const offer = await dropAndSeeOffer(app, ctx.generated);
    assert.match(offer, /At most 500 events are kept/, offer);
    const s = await app.settle(
      () => app.tid('fit-anyway').click(),
      (x) => x.files.length === 1 && x.files[0].events !== '0',
      'the file to be read up to the cap',
    );
    await app.shot('cap');
    assert.equal(toInt(s.events, 'summary-events'), cap);
    assert.equal(toInt(s.files[0].events, 'file-events'), cap);
    const notes = await noteTexts(app);
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.ok(
      notes[0].includes(`Events cap reached: at most ${cap} events are kept; ${overCap} more record(s) of this file were not kept.`) &&
        notes[0].includes('Limits on the page'),
      notes[0],
    );

    // Declining the offer reads nothing.
    const again = await dropAndSeeOffer(app, ctx.generated, 1);
    assert.match(again, /500 events are already open and at most 500 are kept/, again);
    await app.tid('fit-cancel').click();
    await app.ready();
    assert.equal(await app.tid('fit-offer').isVisible(), false);
    assert.equal((await app.snapshot()).files.length, 1, 'declining the offer read the file');
  });
});

test('limits: the text size of a gzip file comes from its trailer, and MFA-relevant events only read it like the plain file', async () => {
  const dir = tempDir('limits-gzip');
  const gz = path.join(dir, 'export.ndjson.gz');
  fs.writeFileSync(gz, execFileSync(cliPath(), ['generate', '--size', '5MB', '--gzip'], { maxBuffer: 64 << 20 }));
  const compressed = fs.statSync(gz).size;
  const cli = cliSummary(['--mfa-only', gz]);
  try {
    await ctx.withApp('limits-gzip', async (app) => {
      await setEventsCap(app, 3000);
      const offer = await dropAndSeeOffer(app, gz);
      // 5 MB of text (the trailer), not the compressed size.
      assert.ok(compressed < 1e6, `compressed ${compressed}`);
      assert.match(offer, /about 4\.8 MB of text \(gzip sizes from their trailers\): about 10,000 events/, offer);
      const s = await app.settle(
        () => app.tid('fit-mfa').click(),
        (x) => x.files.length === 1 && x.files[0].events !== '0',
        'the MFA-relevant events of the gzip file',
      );
      assert.equal(toInt(s.events, 'summary-events'), cli.events);
      assert.equal(s.account.length, cli.account_mfa.length);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('limits: a range of days (UTC, last day included) keeps the events of those days', async () => {
  const cli = cliSummary(['--from', '2024-03-02T00:00:00Z', '--to', '2024-03-05T00:00:00Z', ctx.generated]);
  assert.ok(cli.events > 100 && cli.events < 3000, `${cli.events} events in the range`);
  await ctx.withApp('limits-range', async (app) => {
    await setEventsCap(app, 3000);
    await dropAndSeeOffer(app, ctx.generated);
    await app.tid('fit-from').fill('2024-03-05');
    await app.tid('fit-to').fill('2024-03-04');
    await app.tid('fit-range').click();
    assert.equal(await app.tid('fit-offer').isVisible(), true, 'a last day before the first day was taken');
    assert.match(await app.tid('fit-offer').textContent(), /The last day is before the first\./);
    await app.tid('fit-from').fill('2024-03-02');
    const s = await app.settle(
      () => app.tid('fit-range').click(),
      (x) => x.files.length === 1 && x.files[0].events !== '0',
      'the days chosen to be read',
    );
    assert.equal(toInt(s.events, 'summary-events'), cli.events);
    assert.equal(s.account.length, cli.account_mfa.length);
    const notes = await noteTexts(app);
    assert.ok(notes[0].includes('Subset: from 2024-03-02T00:00:00.000Z, before 2024-03-05T00:00:00.000Z;'), notes[0]);
  });
});

test("limits: a record over the page's record size limit is skipped with a diagnostic saying how to raise it", async () => {
  const dir = tempDir('limits-record');
  const file = path.join(dir, 'big-record.ndjson');
  const login = (id, pad) =>
    JSON.stringify({
      id,
      eventTime: '2024-05-01T10:00:00Z',
      action: 'iam-identity.user-apikey.login',
      outcome: 'success',
      initiator: { name: 'ana@example.com' },
      pad,
    });
  fs.writeFileSync(file, `${login('small-1', '')}\n${login('big', 'p'.repeat(1_500_000))}\n${login('small-2', '')}\n`);
  try {
    await ctx.withApp('limits-record', async (app) => {
      await app.tid('limits').locator('summary').click();
      await app.tid('limit-record-mb').fill('1');
      await app.tid('limit-record-mb').dispatchEvent('change');
      const s = await app.loadFiles([file]);
      assert.equal(toInt(s.events, 'summary-events'), 2);
      assert.equal(toInt(s.diagnostics, 'summary-diagnostics'), 1);
      assert.equal(s.diagnosticRows.length, 1);
      assert.ok(
        s.diagnosticRows[0].includes('record is larger than the 1048576 byte limit') && s.diagnosticRows[0].includes('Limits on the page'),
        s.diagnosticRows[0],
      );
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
