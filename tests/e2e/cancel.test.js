// Cancelling a large load: the page returns to ready with part of the file, and stays usable.
// Cancelling a queued file whose first pieces are being read ahead: it adds nothing, the file
// before it loads whole.
//
// The 80 MB input is written by `authtrail generate --size 80MB` into a temporary directory: large enough
// to be read in parts at once, so the cancel also stops the other parts' workers. The click on
// cancel-button is made by a MutationObserver in the page the moment the button is there while the page is
// busy, so the test does not race the (fast) ingest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, toInt, cliSummary, fixture } from './harness.js';

const ctx = suite({ label: 'cancel', generate: '80MB' });

test('cancel: an 80 MB load, read in parts at once, can be cancelled and the page stays usable', async (t) => {
  const full = cliSummary([ctx.generated]);
  t.diagnostic(`full file: ${full.events} events`);
  await ctx.withApp('cancel', async (app) => {
    await app.page.evaluate(() => {
      window.__e2eCancel = null;
      const mo = new MutationObserver(() => {
        const b = document.querySelector('[data-testid="cancel-button"]');
        if (b && !b.disabled && document.body.dataset.state === 'busy') {
          window.__e2eCancel = { at: performance.now(), events: document.querySelector('[data-testid="summary-events"]')?.textContent };
          mo.disconnect();
          b.click();
        }
      });
      mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    app.markAction('load 80 MB, then cancel', 'data');
    const s = await app.settle(
      () => app.tid('file-input').setInputFiles(ctx.generated),
      (x) => x.events !== null,
      'ready after cancelling the 80 MB load',
    );
    const clicked = await app.page.evaluate(() => window.__e2eCancel);
    await app.shot('cancelled');
    assert.ok(clicked, 'cancel-button never appeared (enabled) while the page was busy');
    assert.equal(s.state, 'ready');
    const events = toInt(s.events, 'summary-events');
    const rowText = (await app.tid('file-row').first().textContent()).replace(/\s+/g, ' ').trim();
    assert.ok(
      events < full.events,
      `summary-events ${events} after cancelling: the whole file (${full.events}) was loaded anyway; ` +
        `cancel clicked at ${JSON.stringify(clicked)}; file row: ${rowText}`,
    );
    t.diagnostic(`events kept after cancel: ${events}`);
    // What is kept is what the core's worker read: the row says so, never the other parts' bytes.
    const status = await app.tid('file-row').first().locator('.file-status').textContent();
    const [, read, unit, size] = status.match(/^cancelled after ([\d.]+) (B|KB|MB) of ([\d.]+) MB; what was read is kept$/) ?? [];
    const readMb = Number(read) / { B: 2 ** 20, KB: 1024, MB: 1 }[unit];
    assert.ok(read !== undefined && readMb <= Number(size) / 2 + 1, `file status after the cancel: ${status}`);

    // Still usable: the demo loads and renders.
    const d = await app.demo();
    await app.shot('demo-after-cancel');
    const after = toInt(d.events, 'summary-events');
    assert.ok(after > 1000 && after > events, `summary-events ${after} after the demo (was ${events})`);
    assert.ok(d.rows > 0, 'no event-row after the demo');
    assert.equal(toInt(d.tableCount, 'table-count'), after, 'table-count after the demo');
  });
});

test('cancel: a file queued behind the 80 MB one, read ahead, is cancelled and adds nothing', async (t) => {
  const big = cliSummary([ctx.generated]);
  const small = fixture('logdna');
  assert.ok(cliSummary([small]).events > 0, 'the queued fixture has events of its own');
  await ctx.withApp('cancel-queued', async (app) => {
    // Once the 80 MB file's first piece is in (the worker then starts reading the next file
    // ahead), the second row's cancel is clicked.
    await app.page.evaluate(() => {
      window.__e2eCancel = null;
      const mo = new MutationObserver(() => {
        const rows = document.querySelectorAll('[data-testid="file-row"]');
        const first = rows[0]?.querySelector('[data-testid="file-progress"]');
        const cancel = rows[1]?.querySelector('[data-testid="cancel-button"]');
        if (first && Number(first.value) > 0 && cancel && !cancel.disabled) {
          window.__e2eCancel = { read: Number(first.value), of: Number(first.max) };
          mo.disconnect();
          cancel.click();
        }
      });
      mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    app.markAction('load 80 MB and a fixture, cancel the fixture', 'data');
    const s = await app.settle(
      () => app.tid('file-input').setInputFiles([ctx.generated, small]),
      (x) => x.events !== null,
      'ready after cancelling the queued file',
    );
    const clicked = await app.page.evaluate(() => window.__e2eCancel);
    await app.shot('queued-cancelled');
    assert.ok(clicked && clicked.read < clicked.of, `the queued file was not cancelled while the first was read: ${JSON.stringify(clicked)}`);
    assert.equal(s.state, 'ready');
    assert.equal(toInt(s.events, 'summary-events'), big.events, 'the 80 MB file loads whole, the cancelled one adds nothing');
    const statuses = await app.tid('file-row').locator('.file-status').allTextContents();
    assert.equal(statuses.length, 2);
    assert.doesNotMatch(statuses[0], /cancelled/, `first file: ${statuses[0]}`);
    assert.match(statuses[1], /^cancelled after 0 B of [\d.]+ (KB|MB); what was read is kept$/, `queued file: ${statuses[1]}`);
    t.diagnostic(`cancelled at ${clicked.read} of ${clicked.of} bytes of the first file`);
  });
});
