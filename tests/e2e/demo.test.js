// The demo data set and the interactive views: lanes, histogram and brush, facets, search, detail pane.
//
// Every test opens a fresh page, clicks demo-button and waits for body[data-state=ready]; the guards of
// harness.js fail the test on any console error, page error, CSP violation or stray request.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, toInt, facetMap, same } from './harness.js';
import { checkDemo } from './checks.js';

const ctx = suite();

const histTotal = (s) => toInt(s.histogram?.success, 'histogram data-success') + toInt(s.histogram?.failure, 'histogram data-failure');
const allFacets = (s) => Object.fromEntries(['user', 'method', 'result', 'country', 'source', 'action'].map((f) => [f, facetMap(s, f)]));

test('demo: lanes, histogram, facets, table and detail', async (t) => {
  await ctx.withApp('demo', async (app) => {
    const s = await checkDemo(app, t);

    // The demo turns a user's 2FA on by IAM ID (the pre-2023 flat form) and off by e-mail address
    // (the 2023+ form); their logins pair the two: one lane holds both changes, and the page says so.
    const note = await app.tid('user-aliases').textContent();
    const [, id, name] =
      note
        .trim()
        .replace(/\.$/, '')
        .match(/(IBMid-\S+) as ([^\s;]+@[^\s;]+)/) ?? [];
    assert.ok(id && name, `user-aliases does not name an IAM ID shown as an address: ${JSON.stringify(note)}`);
    assert.ok(!s.lanes.some((l) => l.user.startsWith('IBMid-')), `a lane is named by IAM ID: ${s.lanes.map((l) => l.user)}`);
    const lane = s.lanes.find((l) => l.user === name);
    const twoFa = (lane?.changes ?? []).filter((c) => c.setting === '2FA').map((c) => c.to);
    assert.ok(twoFa.includes('true') && twoFa.includes('false'), `${name}'s lane lacks 2FA on and off: ${JSON.stringify(lane)}`);

    // Tooltip of the account change that removed MFA.
    const none = app.page.locator('[data-testid="account-change"][data-to="NONE"]').first();
    const actor = await none.getAttribute('data-actor');
    await none.hover();
    const tip = app.tid('account-tooltip');
    await tip.waitFor({ state: 'visible' });
    const tipText = await tip.textContent();
    assert.match(tipText, /NONE/, `account-tooltip does not name the new level: ${tipText}`);
    if (actor) assert.ok(tipText.includes(actor), `account-tooltip does not name the actor ${actor}: ${tipText}`);
    await app.shot('account-tooltip');

    // UTC / local time toggle (the browser runs in Asia/Kolkata, +05:30): the first row's time changes.
    const firstRow = () => app.tid('event-row').first().textContent();
    const before = await firstRow();
    await app.tid('tz-toggle').click();
    await app.page.waitForFunction(
      (b) => document.querySelector('[data-testid="event-row"]')?.textContent !== b && document.body.dataset.state === 'ready',
      before,
    );
    const afterToggle = await firstRow();
    assert.notEqual(afterToggle, before, 'tz-toggle did not change the displayed time');
    assert.equal(toInt((await app.snapshot()).tableCount, 'table-count'), toInt(s.events, 'summary-events'), 'tz-toggle changed the table');
  });
});

test('load: the views are drawn once; the histogram is not binned again after the first draw', async () => {
  await ctx.withApp('drawn-once', async (app) => {
    await app.demo();
    // The width the first draw was binned for is the timeline's: no ResizeObserver re-bin follows
    // (it would come 120 ms after the first frame, the page busy again while it is asked and drawn).
    const n = await app.page.evaluate(() => window.__e2eStateLog.length);
    await app.page.waitForTimeout(1000);
    const later = await app.page.evaluate((n) => window.__e2eStateLog.slice(n), n);
    assert.deepEqual(later, [], `the page went busy again after the views were first drawn: ${JSON.stringify(later)}`);
  });
});

test('brush: dragging across the middle of the histogram narrows everything; reset restores it', async () => {
  await ctx.withApp('brush', async (app) => {
    const s0 = await app.demo();
    const total0 = histTotal(s0);
    const table0 = toInt(s0.tableCount, 'table-count');
    const facets0 = allFacets(s0);

    await app.tid('histogram').scrollIntoViewIfNeeded();
    const box = await app.tid('histogram').boundingBox();
    assert.ok(box && box.width > 100, `histogram too small to brush: ${JSON.stringify(box)}`);
    const y = box.y + box.height / 2;
    const s1 = await app.settleUi(
      async () => {
        await app.page.mouse.move(box.x + box.width * 0.25, y);
        await app.page.mouse.down();
        await app.page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
        await app.page.mouse.move(box.x + box.width * 0.75, y, { steps: 8 });
        await app.page.mouse.up();
      },
      (s) => histTotal(s) !== total0,
      'histogram totals to change after brushing',
      (s) => toInt(s.tableCount, 'table-count') !== table0,
    );
    await app.shot('brushed');
    const total1 = histTotal(s1);
    const table1 = toInt(s1.tableCount, 'table-count');
    assert.ok(total1 < total0, `histogram success+failure ${total1} should be < ${total0} after the brush`);
    assert.ok(total1 > 0, 'the middle half of the demo range should hold some authentications');
    assert.ok(table1 < table0, `table-count ${table1} should be < ${table0} after the brush`);
    assert.ok(table1 > 0, 'table-count should be > 0 for the middle half of the demo range');
    const facets1 = allFacets(s1);
    assert.notDeepEqual(facets1, facets0, 'facet counts did not change after the brush');
    for (const [f, items] of Object.entries(facets1)) {
      for (const [v, c] of Object.entries(items)) {
        if (v in facets0[f]) assert.ok(c <= facets0[f][v], `facet-${f}[${v}] grew from ${facets0[f][v]} to ${c} under a narrower brush`);
      }
    }

    const s2 = await app.settleUi(
      () => app.tid('brush-reset').click(),
      (s) => histTotal(s) === total0,
      'histogram totals to come back after brush-reset',
      (s) => toInt(s.tableCount, 'table-count') === table0,
    );
    await app.shot('brush-reset');
    assert.equal(histTotal(s2), total0, 'histogram totals after brush-reset');
    assert.equal(toInt(s2.tableCount, 'table-count'), table0, 'table-count after brush-reset');
    same(allFacets(s2), facets0, 'facet counts after brush-reset');
  });
});

test('brush asked ahead: the table pages the window released, never one only dragged over', async () => {
  await ctx.withApp('brush-ahead', async (app) => {
    const s0 = await app.demo();
    const table0 = toInt(s0.tableCount, 'table-count');
    const sort = app.page.locator('#sort-toggle');
    /**
     * The table's first row once sorted `newest` (or oldest) first: its event index and its time (UTC,
     * whole seconds). The first time the table is sorted a way, it asks the worker for those rows.
     */
    const firstRow = async (newest) => {
      if ((await sort.getAttribute('aria-pressed')) !== String(newest)) await app.settle(() => sort.click());
      await app.page
        .waitForFunction(() => document.querySelector('[data-testid="event-row"]')?.dataset.index != null, null, { timeout: 10_000 })
        .catch(() => assert.fail(`no rows in the table sorted ${newest ? 'newest' : 'oldest'} first`));
      const row = app.tid('event-row').first();
      const text = await row.locator('.c-time').textContent();
      const time = Date.parse(`${text.replace(' ', 'T')}Z`);
      assert.ok(Number.isFinite(time), `the time cell ${JSON.stringify(text)} is not a UTC time`);
      return { index: Number(await row.getAttribute('data-index')), time };
    };
    // "All events: <first> to <last> UTC (...)": the newest event's time.
    const label = await app.page.locator('#window-label').textContent();
    const last = Date.parse(`${label.match(/ to (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/)?.[1].replace(' ', 'T')}Z`);
    assert.ok(Number.isFinite(last), `no last time in the window label ${JSON.stringify(label)}`);

    // A drag over the middle half (each move asks ahead for that window), back to where it began:
    // released there, it is a click, which pins a moment and selects no window.
    // Mouse positions are the viewport's: the histogram is scrolled into view before each gesture
    // (a click on the sort button scrolls the page to it).
    let box;
    let y;
    const aim = async () => {
      await app.tid('histogram').scrollIntoViewIfNeeded();
      box = await app.tid('histogram').boundingBox();
      y = box.y + box.height / 2;
    };
    const at = (f) => box.x + box.width * f;
    await aim();
    await app.page.mouse.move(at(0.25), y);
    await app.page.mouse.down();
    for (const f of [0.4, 0.55, 0.75, 0.6, 0.4, 0.3]) {
      await app.page.mouse.move(at(f), y, { steps: 3 });
      await app.page.waitForTimeout(50); // a frame or three: the worker answers the questions asked ahead
    }
    await app.page.mouse.move(at(0.25) + 1, y);
    await app.settle(() => app.page.mouse.up());
    assert.equal(await app.tid('brush-reset').isDisabled(), true, 'a drag released where it began selected a window');
    assert.equal(toInt((await app.snapshot()).tableCount, 'table-count'), table0, 'table-count after a drag released where it began');
    // Sorted newest first, the table asks the worker for rows it has not got yet: those of every
    // event, not of a window the drag asked ahead for.
    assert.equal((await firstRow(true)).time, last, 'the newest row after a drag released where it began');
    await firstRow(false);

    // A brush released after holding still, drawn from the answer asked ahead: the rows the table
    // then asks for (sorted the other way) are those of the window selected, the same as when the
    // window is set from its link afterwards, which asks for them then.
    await aim();
    await app.page.mouse.move(at(0.3), y);
    await app.page.mouse.down();
    await app.page.mouse.move(at(0.6), y, { steps: 6 });
    await app.page.waitForTimeout(100); // a person holding still before releasing
    const s1 = await app.settle(
      () => app.page.mouse.up(),
      (s) => toInt(s.tableCount, 'table-count') < table0,
      'the brush',
    );
    const table1 = toInt(s1.tableCount, 'table-count');
    assert.ok(table1 > 0, 'the brushed window holds events');
    await app.page.waitForFunction(() => /(^|[#&])from=\d+&to=\d+/.test(location.hash));
    const hash = await app.page.evaluate(() => location.hash);
    const [from, to] = ['from', 'to'].map((k) => Number(new URLSearchParams(hash.slice(1)).get(k)));
    const ahead = [await firstRow(true), await firstRow(false)];
    assert.ok(
      Math.floor(from / 1000) * 1000 <= ahead[1].time && ahead[0].time < to && to < last,
      `rows ${JSON.stringify(ahead)} outside the window ${from}..${to} (last event ${last})`,
    );

    await app.settle(
      () => app.tid('brush-reset').click(),
      (s) => toInt(s.tableCount, 'table-count') === table0,
      'the reset',
    );
    await app.page.waitForFunction(() => !/(^|[#&])from=/.test(location.hash));
    await app.settle(
      () =>
        app.page.evaluate((h) => {
          location.hash = h;
        }, hash),
      (s) => toInt(s.tableCount, 'table-count') === table1,
      'the window from its link',
    );
    same([await firstRow(true), await firstRow(false)], ahead, 'newest and oldest rows of the window, asked ahead and from its link');
  });
});

test('facets: result=failure filters the table to its count; clicking again clears it', async () => {
  await ctx.withApp('facet', async (app) => {
    const s0 = await app.demo();
    const table0 = toInt(s0.tableCount, 'table-count');
    const results = facetMap(s0, 'result');
    assert.ok('failure' in results, `facet-result has no "failure" item: ${JSON.stringify(results)}`);
    const n = results.failure;
    assert.ok(n > 0 && n < table0, `facet-result failure count ${n} should be in (0, ${table0})`);

    const item = app.page.locator('[data-testid="facet-result"] [data-testid="facet-item"][data-value="failure"]');
    assert.equal(await item.getAttribute('aria-pressed'), 'false', 'facet item pressed before clicking');
    const pressed = (s) => s.facets.result?.find((i) => i.value === 'failure')?.pressed;
    const s1 = await app.settleUi(
      () => item.click(),
      (s) => pressed(s) === 'true',
      'facet-result failure to be pressed',
      (s) => toInt(s.tableCount, 'table-count') === n,
    );
    await app.shot('facet-failure');
    assert.equal(toInt(s1.tableCount, 'table-count'), n, 'table-count should equal the facet count of result=failure');
    assert.ok(s1.rows > 0 && s1.rows <= n, `rendered rows ${s1.rows} for ${n} filtered events`);
    assert.equal(toInt(s1.histogram.success, 'histogram data-success'), 0, 'histogram still counts successes under result=failure');
    assert.ok(toInt(s1.histogram.failure, 'histogram data-failure') > 0, 'histogram has no failures under result=failure');

    const s2 = await app.settleUi(
      () => item.click(),
      (s) => pressed(s) === 'false',
      'facet-result failure to be released',
      (s) => toInt(s.tableCount, 'table-count') === table0,
    );
    assert.equal(toInt(s2.tableCount, 'table-count'), table0, 'table-count after clearing the facet');
    assert.equal(histTotal(s2), histTotal(s0), 'histogram totals after clearing the facet');
  });
});

test('search: a user e-mail keeps only rows that contain it', async () => {
  await ctx.withApp('search', async (app) => {
    const s0 = await app.demo();
    const table0 = toInt(s0.tableCount, 'table-count');
    const users = (s0.facets.user || []).filter((i) => i.value?.includes('@'));
    assert.ok(users.length > 0, `no facet-user value is an e-mail: ${JSON.stringify(s0.facets.user)}`);
    const email = users[0].value;
    const userCount = toInt(users[0].count, `facet-user[${email}] count`);

    const rowsContain = () =>
      app.page.$$eval('[data-testid="event-row"]', (els, e) => els.map((el) => el.textContent.toLowerCase().includes(e.toLowerCase())), email);
    const s1 = await app.settleUi(
      () => app.tid('search-input').fill(email),
      (s) => toInt(s.tableCount, 'table-count') !== table0,
      `table-count to change after searching ${email}`,
    );
    await app.shot('search');
    const count = toInt(s1.tableCount, 'table-count');
    assert.ok(count > 0 && count < table0, `table-count ${count} after searching ${email} (of ${table0})`);
    assert.ok(count >= userCount, `table-count ${count} < facet-user count ${userCount} for ${email}`);
    const contains = await rowsContain();
    assert.ok(contains.length > 0, 'no event-row rendered for the search');
    const missing = contains.map((c, i) => (c ? null : i)).filter((i) => i !== null);
    if (missing.length) {
      const texts = await app.page.$$eval('[data-testid="event-row"]', (els, idx) => idx.slice(0, 3).map((i) => els[i].textContent), missing);
      assert.fail(`${missing.length} of ${contains.length} rendered rows do not contain ${email}, e.g. ${JSON.stringify(texts)}`);
    }

    const s2 = await app.settleUi(
      () => app.tid('search-input').fill(''),
      (s) => toInt(s.tableCount, 'table-count') === table0,
      'table-count to come back after clearing the search',
    );
    assert.equal(toInt(s2.tableCount, 'table-count'), table0);
  });
});
