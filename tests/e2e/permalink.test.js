// Permalinks: the view (time window, facet filters, search text, selected finding, sort order, time
// zone) is written to the URL fragment as ms numbers and short SHA-256 hashes, never as log values;
// a fresh page opened at that URL, given the same files, shows the same view. Hashes that match no
// value of the files read are reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { suite, openApp, toInt, eventually, same, FIXTURES } from './harness.js';
import { showFinding } from './checks.js';

const ctx = suite({ label: 'permalink' });
const FILES = ['story_verify_takeover.ndjson', 'story_mfa_downgrade.ndjson'].map((f) => path.join(FIXTURES, 'stories', f));
const SPRAY_IP = '203.0.113.250';
const h12 = (value) => crypto.createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);

/** Every part a fragment may hold: numbers, hashes, and the few fixed words. */
const PART =
  /^(tz=local|sort=desc|(from|to)=-?\d+|(user|method|result|country|source|action)=[0-9a-f]{12}(,[0-9a-f]{12})*|q=[0-9a-f]{12}|finding=[a-z0-9-]+\.-?\d+\.-?\d+\.[0-9a-f]{12})$/;

/** What a reviewer sees of the view. */
const viewOf = (page) =>
  page.evaluate(() => ({
    label: document.getElementById('window-label').textContent,
    count: document.querySelector('[data-testid="table-count"]').textContent,
    pressed: Object.fromEntries(
      [...document.querySelectorAll('[data-testid^="facet-"]')]
        .filter((box) => box.dataset.testid !== 'facet-item' && box.dataset.testid !== 'facet-count' && box.dataset.testid !== 'facet-more')
        .map((box) => [box.dataset.testid.slice(6), [...box.querySelectorAll('[data-testid="facet-item"][aria-pressed="true"]')].map((i) => i.dataset.value)])
        .filter(([, v]) => v.length),
    ),
    finding: [...document.querySelectorAll('[data-testid="finding"][aria-pressed="true"]')].map((b) => b.dataset.rule),
    tz: document.getElementById('tz-toggle').textContent,
    sort: document.getElementById('sort-toggle').textContent,
    search: document.getElementById('search-input').value,
    rows: [...document.querySelectorAll('[data-testid="event-row"]')].map((r) => r.textContent),
    note: document.getElementById('permalink-note').hidden ? null : document.getElementById('permalink-note').textContent,
  }));

const facetItem = (app, facet, value) => app.page.locator(`[data-testid="facet-${facet}"] [data-testid="facet-item"][data-value="${value}"]`);

/** Clicks the password-spray finding (showing every finding first when it is hidden). */
async function selectSpray(app) {
  const spray = await showFinding(app, 'password-spray');
  return app.settle(
    () => spray.click(),
    (s) => toInt(s.tableCount, 'table-count') === 6,
    'the spray finding selected',
  );
}

/** Runs `body(app)` on a fresh page opened at `url`, with the harness's guards. */
async function withAppAt(label, url, body) {
  const app = await openApp(ctx.browser, ctx.server, label);
  try {
    await app.goto(url);
    await body(app);
  } catch (e) {
    await app.shot('FAILED').catch(() => {});
    if (app.errors.length) e.message += `\nalso seen: ${app.errors.join(' | ')}`;
    await app.context.close().catch(() => {});
    throw e;
  }
  await app.finish();
}

test('permalink: window, two filters, search, finding, sort and local time go to the URL as hashes and come back with the same files', async () => {
  let url;
  let original;
  let text;
  await ctx.withApp('permalink-write', async (app) => {
    const s0 = await app.dropFiles(FILES);
    await selectSpray(app);

    // Two facet filters: one of the sprayed users, and the failures.
    const user = (await app.snapshot()).facets.user.find((i) => toInt(i.count, 'count') > 0).value;
    await app.settle(
      () => facetItem(app, 'user', user).click(),
      (s) => toInt(s.tableCount, 'table-count') === 1,
      `the user filter ${user}`,
    );
    await app.settle(
      () => facetItem(app, 'result', 'failure').click(),
      (s) => s.facets.result.some((i) => i.value === 'failure' && i.pressed === 'true'),
      'the result filter',
    );
    text = SPRAY_IP;
    await app.settle(
      () => app.tid('search-input').fill(text),
      (s) => toInt(s.tableCount, 'table-count') === 1,
      'the search',
    );

    // A window brushed inside the finding's: the middle half of the chart.
    await app.tid('histogram').scrollIntoViewIfNeeded();
    const box = await app.tid('histogram').boundingBox();
    const left = box.x + 176;
    const width = box.width - 176 - 18;
    const labelBefore = (await viewOf(app.page)).label;
    await app.settle(
      async () => {
        await app.page.mouse.move(left + width * 0.25, box.y + box.height / 2);
        await app.page.mouse.down();
        await app.page.mouse.move(left + width * 0.5, box.y + box.height / 2, { steps: 4 });
        await app.page.mouse.move(left + width * 0.75, box.y + box.height / 2, { steps: 4 });
        await app.page.mouse.up();
      },
      null,
      'the brushed window',
    );
    await eventually(
      () => viewOf(app.page),
      (v) => v.label !== labelBefore && v.label.startsWith('Selected: '),
      'the brushed window label',
    );

    await app.tid('tz-toggle').click();
    await eventually(
      () => viewOf(app.page),
      (v) => v.label.includes('UTC+05:30'),
      'local time',
    );
    await app.settle(() => app.page.locator('#sort-toggle').click(), null, 'newest first');

    url = await eventually(
      () => app.page.url(),
      (u) => ['tz=', 'from=', 'to=', 'sort=', 'user=', 'result=', 'q=', 'finding='].every((k) => u.includes(k)),
      'the view in the URL',
    );
    original = await viewOf(app.page);
    assert.equal(toInt(original.count, 'table-count'), 1, 'one sprayed user, failed, in the window');
    same(original.pressed, { user: [user], result: ['failure'] }, 'filters set');
    same(original.finding, ['password-spray'], 'finding selected');
    assert.equal(original.sort, 'Newest first');

    // Only numbers, hashes and fixed words in the fragment; no log value anywhere in the URL.
    const fragment = new URL(url).hash.slice(1);
    for (const part of fragment.split('&')) assert.match(part, PART);
    assert.ok(fragment.split('&').includes(`q=${h12(text)}`), `the search text's hash: ${fragment}`);
    assert.ok(fragment.split('&').includes(`user=${h12(user)}`), `the user's hash: ${fragment}`);
    assert.ok(fragment.split('&').includes(`result=${h12('failure')}`), fragment);
    const values = new Set([text, user]);
    for (const items of Object.values(s0.facets)) for (const i of items ?? []) if (i.value) values.add(i.value);
    for (const f of FILES) {
      const raw = fs.readFileSync(f, 'utf8');
      for (const m of raw.matchAll(/[\w.+-]+@[\w.-]+|\b\d{1,3}(\.\d{1,3}){3}\b/g)) values.add(m[0]);
    }
    assert.ok(values.size > 30, `values to look for: ${values.size}`);
    const decoded = decodeURIComponent(url);
    const skeleton = fragment.replace(/[0-9a-f]{12}/g, '#').replace(/\d+/g, '#');
    const leaked = [...values].filter((v) => skeleton.includes(v) || (v.length >= 5 && decoded.includes(v)));
    same(leaked, [], 'log values in the URL');
  });

  await withAppAt('permalink-restore', url, async (app) => {
    const waiting = await viewOf(app.page);
    assert.equal(waiting.note, 'This link restores a view: drop the same files.');
    assert.equal(waiting.tz, 'Times: Local (UTC+05:30)');
    await app.dropFiles(FILES);
    const restored = await eventually(
      () => viewOf(app.page),
      (v) => v.note === 'View restored from the link.' && v.count === original.count && v.rows.length === original.rows.length,
      'the restored view',
    );
    same({ ...restored, note: null }, { ...original, note: null }, 'the restored view differs');
    assert.equal(restored.search, text);
    await app.shot('restored');
    await eventually(
      () => app.page.url(),
      (u) => u === url,
      'the same fragment written back',
    );

    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.origin });
    await app.tid('copy-link').click();
    await eventually(
      () => app.tid('copy-link').textContent(),
      (t) => t === 'Link copied',
      'the copy confirmation',
    );
    assert.equal(await app.page.evaluate(() => navigator.clipboard.readText()), app.page.url());
  });
});

test('permalink: hashes matching no value of these files are reported, the rest applied', async () => {
  await ctx.withApp('permalink-missing', async (app) => {
    const s0 = await app.dropFiles(FILES);
    const erin = toInt(s0.facets.user.find((i) => i.value === 'erin@acme.example').count, 'erin count');
    const fragment = `#user=${h12('erin@acme.example')},${h12('nobody@nowhere.example')}&country=${h12('ZZ')}&q=${h12('no such text')}&finding=password-spray.1.2.${h12('x')}`;
    // A link pasted into a page that already holds the files applies at once.
    await app.settle(
      () =>
        app.page.evaluate((f) => {
          location.hash = f;
        }, fragment),
      (s) => toInt(s.tableCount, 'table-count') === erin,
      'the link applied',
    );
    const v = await viewOf(app.page);
    same(v.pressed, { user: ['erin@acme.example'] }, 'the filter that matched');
    same(v.finding, [], 'no finding matched');
    assert.equal(v.search, '');
    assert.equal(
      v.note,
      'View restored from the link, in part. 2 filters of this link match no value in these files. ' +
        'Its search text matches no single value in these files (the link holds only a hash of it): type it again. ' +
        'Its finding is not among the findings of these files.',
    );
    await eventually(
      () => app.page.url(),
      (u) => new URL(u).hash === `#user=${h12('erin@acme.example')}`,
      'the fragment of the applied view',
    );
    // The next change of the view is the reviewer's own: the note goes, the fragment follows.
    await app.settle(
      () => facetItem(app, 'user', 'erin@acme.example').click(),
      (s) => toInt(s.tableCount, 'table-count') === toInt(s0.tableCount, 'table-count'),
      'the filter cleared',
    );
    assert.equal((await viewOf(app.page)).note, null);
    await eventually(
      () => app.page.url(),
      (u) => !u.includes('#'),
      'no fragment for the default view',
    );
  });
});

test('regression: a link with huge from/to values says what of it was ignored and applies the rest, no NaN', async () => {
  const erin = 'erin@acme.example';
  const url = `${ctx.server.url}#from=9999999999999999&to=99999999999999999&sort=sideways&user=${h12(erin)}&colour=red`;
  const ignored =
    'Ignored in this link: the time window (from and to must be whole milliseconds a date can hold); ' +
    'sort (not an order: asc or desc); colour (not a field of a link).';
  await withAppAt('permalink-invalid', url, async (app) => {
    assert.equal((await viewOf(app.page)).note, `This link restores a view: drop the same files. ${ignored}`);
    const s0 = await app.dropFiles(FILES);
    const erinEvents = toInt(s0.facets.user.find((i) => i.value === erin).count, 'erin count');
    const v = await eventually(
      () => viewOf(app.page),
      (x) => x.note?.startsWith('View restored') && toInt(x.count, 'count') === erinEvents,
      'the restored view',
    );
    assert.equal(v.note, `View restored from the link, in part. ${ignored}`);
    same(v.pressed, { user: [erin] }, 'the filter of the link');
    assert.match(v.label, /^All events: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to \d{4}-/, 'no window from the link');
    assert.equal(v.sort, 'Oldest first');
    const s = await app.snapshot();
    assert.equal(s.errorBanner, null);
    assert.ok(!(await app.page.locator('#app').textContent()).includes('NaN'), 'NaN on the page');
    await eventually(
      () => app.page.url(),
      (u) => new URL(u).hash === `#user=${h12(erin)}`,
      'the fragment of the applied view',
    );
  });
});
