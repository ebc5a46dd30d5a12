// Long values do not freeze the tab. A forged export of 8 records with 5 MB values (generated here,
// 40 MB, never committed) used to block the page's main thread for seconds per interaction: every
// view was handed and laid out the whole values. Now nothing longer than a screenful
// (www/js/lib/bounded.js) crosses from the worker to the page: the table's cells, the facets, the
// findings, the lanes and the detail pane hold cut values (cut by the core, which keeps a few KB
// of a field, or by the worker, each with its mark), the detail pane says the original is cut,
// and Copy puts the whole original record on the clipboard. A filter on a cut facet value still
// selects the events of the values it stands for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, cliSummary, eventually, tempDir, toInt } from './harness.js';
import { SCREENFUL } from '../../www/js/lib/bounded.js';

const ctx = suite({ label: 'long-values' });

const LONG = 5 * 2 ** 20;
/** The longest text a view may hold: a screenful and a few words around it. */
const SHOWN_MAX = SCREENFUL + 100;
/** A value shown cut, by the core or the page: its beginning, then how long it was. */
const CUT = /… \[cut: [\d,]+ bytes/;

/** An IAM event of the fixtures' shape. */
function record(n, { action, user, agent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0', body = null }) {
  return JSON.stringify({
    id: `long-${n}`,
    eventTime: `2024-05-08T08:0${n}:00.00+0000`,
    action,
    outcome: 'success',
    initiator: {
      id: `IBMid-long-${n}`,
      typeURI: 'service/security/account/user',
      name: user,
      host: { address: `192.0.2.${n + 1}`, agent, addressType: 'IPv4' },
      credential: { type: 'token' },
    },
    target: { id: 'crn:v1:bluemix:public:iam-identity::a/81de6380e6232019c6567c9c8de6dece:::', typeURI: 'iam-identity/account', name: 'iam-identity' },
    reason: { reasonCode: 200 },
    observer: { name: 'ActivityTracker' },
    requestData: body ?? { client_id: 'HOP55v1CCT' },
  });
}

/**
 * The 8 records: logins of users with 5 MB names (the last two alike in their first 4 KB and
 * their length, different at the end), a login with a 5 MB user agent, and an account MFA downgrade
 * and its reversal by an actor with a 5 MB name.
 */
function longExport(dir) {
  const login = 'iam-identity.user-refreshtoken.login';
  const name = (lead, tail = 'x') => `${lead}${'n'.repeat(LONG - lead.length - tail.length)}${tail}`;
  const actor = name('owner-');
  const lines = [
    record(0, { action: login, user: name('ana-') }),
    record(1, { action: login, user: name('ben-') }),
    record(2, { action: login, user: name('cai-') }),
    record(3, { action: login, user: name('dee-', 'x') }),
    record(4, { action: login, user: name('dee-', 'y') }),
    record(5, { action: login, user: 'eve@acme.example', agent: `Mozilla/${'a'.repeat(LONG - 8)}` }),
    record(6, { action: 'iam-identity.accountsettings.update', user: actor, body: { request_body: { old_mfa_traits: 'TOTP4ALL', new_mfa_traits: 'NONE' } } }),
    record(7, { action: 'iam-identity.accountsettings.update', user: actor, body: { request_body: { old_mfa_traits: 'NONE', new_mfa_traits: 'TOTP4ALL' } } }),
  ];
  const file = path.join(dir, 'long-values.ndjson');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, lines };
}

// Runs in the page: the longest text of each kind of node a view draws, and all the text and
// attribute values the page holds.
function measure() {
  const longest = (selector, read = (e) => e.textContent) => Math.max(0, ...[...document.querySelectorAll(selector)].map((e) => read(e).length));
  let attributes = 0;
  for (const e of document.querySelectorAll('*')) for (const a of e.attributes) attributes += a.value.length;
  return {
    cell: longest('[data-testid="event-row"] .cell'),
    cellTitle: longest('[data-testid="event-row"] .cell[title]', (e) => e.getAttribute('title')),
    facet: longest('[data-testid="facet-item"]'),
    facetValue: longest('[data-testid="facet-item"]', (e) => e.dataset.value),
    findingTitle: longest('.finding-title'),
    findingWho: longest('.finding-who'),
    account: longest('#account .who'),
    detailField: longest('[data-testid="detail-fields"] dd'),
    detailJson: longest('[data-testid="detail-json"]'),
    page: document.body.textContent.length + attributes,
  };
}

test('regression: 5 MB values reach the page cut, and Copy gives the whole record', async (t) => {
  const dir = tempDir('long-values');
  try {
    const { file, lines } = longExport(dir);
    const cli = cliSummary([file]);
    assert.equal(cli.events, 8, 'the forged export reads as 8 events');
    await ctx.withApp('long-values', async (app) => {
      const s = await app.loadFiles([file]);
      assert.equal(toInt(s.events, 'summary-events'), 8);
      assert.equal(toInt(s.tableCount, 'table-count'), 8);
      assert.equal(s.errorBanner, null);
      const drawn = await app.page.evaluate(measure);
      t.diagnostic(`longest texts drawn: ${JSON.stringify(drawn)}`);
      for (const key of ['cell', 'cellTitle', 'facet', 'facetValue', 'findingWho', 'account']) {
        assert.ok(drawn[key] > 1000 && drawn[key] <= SHOWN_MAX, `${key}: the longest text is ${drawn[key]} characters`);
      }
      // 40 MB of values; what the page holds of them is cut.
      assert.ok(drawn.page < 2_000_000, `the page holds ${drawn.page} characters of text and attributes`);
      const cut = await app.tid('event-row').first().locator('.c-user').textContent();
      assert.match(cut, /^ana-n+… \[cut: /);
      assert.ok(cut.length <= SCREENFUL, `a user cell of ${cut.length} characters`);
      assert.match(await app.tid('facet-user').textContent(), CUT);

      // The detail of the user-agent record: its fields and the original JSON cut, Copy whole.
      await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.origin });
      await app.settle(
        () => app.page.locator('[data-testid="event-row"][data-index]').filter({ hasText: 'eve@acme.example' }).click(),
        null,
        'the detail of the long user agent',
      );
      const detail = await app.page.evaluate(measure);
      assert.ok(detail.detailField > 1000 && detail.detailField <= SCREENFUL, `detail field: ${detail.detailField} characters`);
      assert.match(await app.tid('detail-fields').textContent(), CUT);
      assert.ok(detail.detailJson > 1000 && detail.detailJson <= 16 << 10, `detail JSON: ${detail.detailJson} characters`);
      const eve = lines[5];
      assert.equal(await app.tid('detail-json').textContent(), eve.slice(0, 16 << 10), 'the first 16 KB of the original shown');
      assert.equal(
        await app.tid('detail-cut').textContent(),
        `Cut: the first 16 KB of ${Buffer.byteLength(eve).toLocaleString('en-US')} bytes are shown. Copy copies the whole record.`,
      );
      await app.tid('detail-copy').click();
      await eventually(
        () => app.tid('detail-copy').textContent(),
        (text) => text === 'Copied',
        'the copy',
      );
      const copied = await app.page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied.length, eve.length, "the copied record's length");
      assert.ok(copied === eve, 'the copy is the whole original record');

      // Two users alike in their first 4 KB stay two users: the core's cut mark carries a hash of
      // the whole value. A cut facet value still selects its user.
      const users = (await app.snapshot()).facets.user;
      const dee = users.filter((i) => i.value.startsWith('dee-'));
      assert.equal(dee.length, 2, 'the two dee- users, two facet items');
      assert.deepEqual(
        dee.map((i) => i.count),
        ['1', '1'],
      );
      assert.notEqual(dee[0].value, dee[1].value);
      const item = app.page.locator('[data-testid="facet-user"] [data-testid="facet-item"]').filter({ hasText: /^dee-/ }).first();
      await app.settle(
        () => item.click(),
        (x) => toInt(x.tableCount, 'table-count') === 1,
        'the first dee- filter',
      );
      const ana = app.page.locator('[data-testid="facet-user"] [data-testid="facet-item"]').filter({ hasText: /^ana-/ });
      await app.settle(
        () => ana.click(),
        (x) => toInt(x.tableCount, 'table-count') === 2,
        'the ana- filter too',
      );
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
