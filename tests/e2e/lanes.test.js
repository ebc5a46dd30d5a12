// The user lanes past 500 changes in view: one lane per user still, the markers stamped on a canvas
// the height of the scrolled view, a click on a painted marker opening its event, and a scroll
// repainting the canvas for the lanes it brings into view.
//
// The export is built here from a real record's shape (the 2FA change of
// fixtures/at_logdna-export_mfa-story.ndjson), one change an hour for USERS users in turn; the CLI
// reads it too and is the oracle for the counts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, fixture, cliSummary, tempDir } from './harness.js';

const ctx = suite();

const USERS = 40;
const PER_USER = 16;
const user = (u) => `user-${String(u).padStart(2, '0')}@acme.example`;

/** USERS x PER_USER 2FA changes (every fifth one failed), an hour apart, as one NDJSON file. */
function denseExport(dir) {
  const template = fs
    .readFileSync(fixture('logdna'), 'utf8')
    .split('\n')
    .map((line) => line && JSON.parse(line))
    .find((r) => r && r.action === 'user-management.user-setting.update' && Array.isArray(r.requestData?.update));
  assert.ok(template, 'the fixture has a user-setting update with requestData.update');
  const lines = [];
  for (let k = 0; k < PER_USER; k++) {
    for (let u = 0; u < USERS; u++) {
      const n = k * USERS + u;
      const time = Date.UTC(2023, 2, 1) + n * 3_600_000;
      const r = structuredClone(template);
      r.id = `7a1c0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      r._ts = time;
      r._lid = String(1185977391764300000n + BigInt(n));
      r.eventTime = new Date(time).toISOString();
      r.outcome = k % 5 === 4 ? 'failure' : 'success';
      r.target.name = user(u);
      r.requestData.update = [{ initialValue: k % 2 === 0, newValue: k % 2 === 1, updateType: '2FA update' }];
      lines.push(JSON.stringify(r));
    }
  }
  const file = path.join(dir, 'dense-user-settings.ndjson');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** In the page: the marker canvas, and how many of its pixels are painted in each lane's row. */
function canvasInPage() {
  const scroll = document.querySelector('[data-testid="user-lanes"] .user-scroll');
  const canvas = scroll.querySelector('canvas.lane-marks');
  const lanes = [...scroll.querySelectorAll('[data-testid="user-lane"]')];
  if (!canvas) return { canvas: false, lanes: lanes.length };
  const dpr = canvas.width / parseFloat(canvas.style.width);
  const top = parseFloat(canvas.style.top);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const plotTop = scroll.querySelector('svg').getBoundingClientRect().top;
  /** Painted pixels on the middle row of each lane (null where the lane is outside the canvas). */
  const rows = lanes.map((g) => {
    const box = g.getBoundingClientRect();
    const y = Math.round((box.top - plotTop + 13 - top) * dpr);
    if (y < 0 || y >= canvas.height) return null;
    let n = 0;
    for (let x = 0; x < canvas.width; x++) if (pixels[(y * canvas.width + x) * 4 + 3] > 0) n++;
    return n;
  });
  /** Where, in the viewport, the first painted pixel of the first lane in view is. */
  const first = rows.findIndex((n) => n);
  let hit = null;
  if (first >= 0) {
    const y = Math.round((lanes[first].getBoundingClientRect().top - plotTop + 13 - top) * dpr);
    let x = 0;
    while (pixels[(y * canvas.width + x) * 4 + 3] === 0) x++;
    const box = canvas.getBoundingClientRect();
    hit = { user: lanes[first].dataset.user, x: box.left + x / dpr + 5, y: box.top + y / dpr };
  }
  return {
    canvas: true,
    lanes: lanes.length,
    markers: scroll.querySelectorAll('[data-testid="setting-change"]').length,
    height: canvas.height / dpr,
    top,
    scrollTop: scroll.scrollTop,
    rows,
    hit,
    note: document.querySelector('#users .lane-note').textContent,
  };
}

test('user lanes: past 500 changes the markers are stamped on a canvas, clickable, and repainted on scroll', async () => {
  const dir = tempDir('lanes');
  try {
    const file = denseExport(dir);
    const cli = cliSummary([file]);
    assert.equal(cli.user_mfa.length, USERS * PER_USER, 'the CLI reads every change');
    await ctx.withApp('lanes', async (app) => {
      const s = await app.loadFiles([file]);
      assert.equal(s.lanes.length, USERS, 'one lane per user');
      // The mouse works in viewport coordinates.
      await app.tid('user-lanes').scrollIntoViewIfNeeded();
      const c = await app.page.evaluate(canvasInPage);
      assert.equal(c.canvas, true, 'a canvas past 500 changes');
      assert.equal(c.markers, 0, 'no SVG marker nodes past 500 changes');
      assert.match(c.note, new RegExp(`^${(USERS * PER_USER).toLocaleString('en-US')} changes in view`));
      assert.ok(c.height <= 420, `the canvas is the height of the view, not of the ${USERS} lanes: ${c.height}`);
      const inView = c.rows.filter((n) => n !== null);
      assert.ok(inView.length > 5 && inView.length < USERS, `lanes painted: ${inView.length} of ${USERS}`);
      assert.ok(
        inView.every((n) => n > 0),
        `every lane in view has markers: ${JSON.stringify(c.rows)}`,
      );

      // A click on a painted marker opens an event of that lane's user.
      await app.settle(() => app.page.mouse.click(c.hit.x, c.hit.y), null, 'the click on a painted marker');
      const fields = await app.tid('detail-fields').textContent();
      assert.ok(fields.includes(c.hit.user), `the opened event is ${c.hit.user}'s: ${fields.slice(0, 300)}`);

      // Scrolled to the bottom: the canvas follows and paints the last lanes.
      await app.page.evaluate(() => {
        const scroll = document.querySelector('[data-testid="user-lanes"] .user-scroll');
        scroll.scrollTop = scroll.scrollHeight;
      });
      await app.page.waitForFunction(() => {
        const scroll = document.querySelector('[data-testid="user-lanes"] .user-scroll');
        return scroll.scrollTop > 0 && parseFloat(scroll.querySelector('canvas.lane-marks').style.top) === scroll.scrollTop;
      });
      const d = await app.page.evaluate(canvasInPage);
      assert.equal(d.rows[USERS - 1] > 0, true, `the last lane is painted after the scroll: ${JSON.stringify(d.rows)}`);
      assert.equal(d.rows[0], null, 'the first lane is out of the canvas after the scroll');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
