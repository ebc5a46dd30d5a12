// Saving the timeline and the authentications chart as SVG and PNG. The downloaded files are read
// back from the Blobs the page hands to URL.createObjectURL: the SVG must parse on its own, hold the
// same lanes and histogram bars as the page under a title naming the time range and zone, and carry
// hostile log text escaped; the PNG must be a PNG of twice the SVG's size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { suite, FIXTURES, ARTIFACTS, eventually } from './harness.js';

const ctx = suite({ label: 'images' });
const STORIES = ['story_verify_takeover.ndjson', 'story_mfa_downgrade.ndjson', 'story_user_settings.ndjson'].map((f) => path.join(FIXTURES, 'stories', f));
const XSS = path.join(FIXTURES, 'hostile', 'xss_every-field.ndjson');

/** Keeps every Blob the page turns into a URL, to read what was downloaded. */
const captureBlobs = (page) =>
  page.evaluate(() => {
    window.__e2eBlobs = [];
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob) => {
      window.__e2eBlobs.push(blob);
      return create(blob);
    };
  });

/** Clicks a save button; returns the download's file name and the saved Blob of `type`. */
async function save(app, testid, type) {
  const download = app.page.waitForEvent('download');
  await app.settle(() => app.tid(testid).click(), null, `the ${testid} download`);
  const name = (await download).suggestedFilename();
  const b64 = await app.page.evaluate(async (type) => {
    const blob = window.__e2eBlobs.filter((b) => b.type === type).at(-1);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, type);
  const bytes = Buffer.from(b64, 'base64');
  // Kept beside the screenshots, to look at.
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, `${app.label}-${name.replace(/-\d{8}T\d{6}Z/, '')}`), bytes);
  return { name, bytes };
}

const countBars = (paths) => paths.reduce((n, d) => n + (d.match(/M/g) ?? []).length, 0);

/** What the page shows: its histogram bars, user lanes and window label. */
const pageView = (page) =>
  page.evaluate(() => ({
    bars: [...document.querySelectorAll('[data-testid="histogram"] .bars path')].map((p) => p.getAttribute('d')),
    users: [...document.querySelectorAll('[data-testid="user-lane"]')].map((l) => l.dataset.user),
    levels: [...document.querySelectorAll('[data-testid="account-lane"] .level-name')].map((t) => t.firstChild.textContent),
    label: document.getElementById('window-label').textContent,
  }));

/** Parses SVG text in the page, as another program would read the file. */
const parseSvg = (page, text) =>
  page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    const all = [...doc.getElementsByTagName('*')];
    return {
      error: doc.getElementsByTagName('parsererror').length > 0 ? doc.getElementsByTagName('parsererror')[0].textContent : null,
      root: root.localName,
      ns: root.namespaceURI,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      heading: root.querySelector(':scope > g > text')?.textContent ?? null,
      title: root.querySelector(':scope > title')?.textContent ?? null,
      plots: root.querySelectorAll('svg').length,
      accountLanes: root.querySelectorAll('svg.account-lane').length,
      bars: [...root.querySelectorAll('.bars path')].map((p) => p.getAttribute('d')),
      users: [...root.querySelectorAll('.user-lane')].map((g) => g.querySelector('.user-name title').textContent),
      levels: [...root.querySelectorAll('.account-lane .level-name')].map((t) => t.firstChild.textContent),
      barFill: root.querySelector('.bars .bar-success')?.getAttribute('fill') ?? null,
      fonts: [...new Set(all.filter((e) => e.hasAttribute('font-family')).map((e) => e.getAttribute('font-family')))],
      tags: [...new Set(all.map((e) => e.localName))],
      eventAttributes: all.flatMap((e) => e.getAttributeNames().filter((a) => /^on|href$|^style$/i.test(a))),
      interaction: root.querySelectorAll('.hit, .brush, .brush-area, .hover-bin').length,
      pageOnly: all.filter((e) => e.hasAttribute('tabindex') || [...e.attributes].some((a) => a.name.startsWith('data-'))).length,
    };
  }, text);

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR', 'first chunk is IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('images: the timeline and the chart saved as SVG and PNG hold what the page shows', async () => {
  await ctx.withApp('images-stories', async (app) => {
    await app.dropFiles(STORIES);
    await captureBlobs(app.page);
    const view = await pageView(app.page);
    assert.ok(countBars(view.bars) > 3, `the stories should give several histogram bars: ${view.bars}`);
    assert.ok(view.users.length >= 2, `user lanes on the page: ${view.users}`);
    const range = view.label.replace(/^All events: /, '');
    assert.match(range, / UTC \(/);

    const svgFile = await save(app, 'save-timeline-svg', 'image/svg+xml');
    assert.match(svgFile.name, /^authtrail-timeline-\d{8}T\d{6}Z\.svg$/);
    const text = svgFile.bytes.toString('utf8');
    assert.ok(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), text.slice(0, 80));
    const svg = await parseSvg(app.page, text);
    assert.equal(svg.error, null, 'the saved SVG does not parse');
    assert.equal(svg.ns, 'http://www.w3.org/2000/svg');
    assert.equal(svg.heading, `authtrail · Timeline: ${range}`);
    assert.equal(svg.title, svg.heading);
    assert.equal(svg.plots, 3, 'account lane, chart and user lanes');
    assert.equal(svg.accountLanes, 1);
    assert.deepEqual(svg.levels, view.levels, 'account lane levels');
    assert.deepEqual(svg.users, view.users, 'user lanes');
    assert.equal(countBars(svg.bars), countBars(view.bars), 'histogram bars');
    assert.deepEqual(svg.bars, view.bars, 'histogram bar geometry');
    assert.match(svg.barFill ?? '', /^rgb\(/, 'computed colours are inlined');
    assert.deepEqual(svg.fonts.sort(), ['monospace', 'sans-serif'], 'generic fonts only');
    assert.ok(!svg.tags.includes('style') && !svg.tags.includes('script') && !svg.tags.includes('foreignObject'), svg.tags.join(' '));
    assert.deepEqual(svg.eventAttributes, []);
    assert.equal(svg.interaction, 0, 'hit areas and brush are left out');
    assert.equal(svg.pageOnly, 0, 'data- and tabindex attributes are left out');

    const png = await save(app, 'save-timeline-png', 'image/png');
    assert.match(png.name, /^authtrail-timeline-\d{8}T\d{6}Z\.png$/);
    assert.deepEqual(pngSize(png.bytes), { width: svg.width * 2, height: svg.height * 2 }, 'PNG at device pixel ratio 2');
    assert.ok(svg.width > 800 && svg.height > 300, `SVG size ${svg.width} x ${svg.height}`);
    assert.ok(png.bytes.length > 20_000, `a drawn timeline, not a blank image: ${png.bytes.length} bytes`);

    // The chart alone, in local time.
    await app.tid('tz-toggle').click();
    const local = (
      await eventually(
        () => pageView(app.page),
        (v) => v.label.includes('UTC+05:30'),
        'the window label in local time',
      )
    ).label.replace(/^All events: /, '');
    assert.match(local, / UTC\+05:30 \(/);
    const chart = await save(app, 'save-histogram-svg', 'image/svg+xml');
    assert.match(chart.name, /^authtrail-histogram-\d{8}T\d{6}Z\.svg$/);
    const one = await parseSvg(app.page, chart.bytes.toString('utf8'));
    assert.equal(one.error, null);
    assert.equal(one.heading, `authtrail · Authentications: ${local}`);
    assert.equal(one.plots, 1);
    assert.equal(countBars(one.bars), countBars(view.bars));
    const chartPng = await save(app, 'save-histogram-png', 'image/png');
    assert.match(chartPng.name, /^authtrail-histogram-\d{8}T\d{6}Z\.png$/);
    assert.deepEqual(pngSize(chartPng.bytes), { width: one.width * 2, height: one.height * 2 });
    await app.shot('saved');
  });
});

test('images: hostile log text lands in the saved SVG escaped, as text', async () => {
  await ctx.withApp('images-xss', async (app) => {
    await app.dropFiles([XSS]);
    await captureBlobs(app.page);
    const payload = '</STYLE><STYLE>*{BACKGROUND:URL(//EVIL.EXAMPLE/NEW_MFA_TRAITS)}</STYLE>';
    const view = await pageView(app.page);
    assert.ok(view.levels.includes(payload), `the fixture's level name on the page: ${view.levels}`);
    const { bytes } = await save(app, 'save-timeline-svg', 'image/svg+xml');
    const text = bytes.toString('utf8');
    assert.ok(text.includes('&lt;/STYLE&gt;&lt;STYLE&gt;*{BACKGROUND:URL(//EVIL.EXAMPLE/NEW_MFA_TRAITS)}&lt;/STYLE&gt;'), 'the payload escaped in the file');
    assert.ok(!/<(style|script|iframe|img|a)[\s>]/i.test(text), 'no markup from the logs in the file');
    const svg = await parseSvg(app.page, text);
    assert.equal(svg.error, null);
    assert.ok(svg.levels.includes(payload), `the payload read back as text: ${svg.levels}`);
    assert.deepEqual(svg.eventAttributes, []);
    assert.ok(!svg.tags.some((t) => ['style', 'script', 'iframe', 'img', 'a', 'foreignObject'].includes(t)), svg.tags.join(' '));
    // Drawing it as a PNG fetches nothing (the harness fails on any request to evil.example).
    const png = await save(app, 'save-timeline-png', 'image/png');
    assert.equal(pngSize(png.bytes).width, svg.width * 2);
  });
});
