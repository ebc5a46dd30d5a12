// The printable report: opened after a drop, it shows the same sections and table cells as
// `authtrail report --html` on the same files, each file's SHA-256 (compared with Node's), and prints
// to a PDF (Chromium's own print path, print stylesheet) that holds the hashes and findings and none of
// the page's controls. With the XSS fixtures dropped, the report shows the payloads as text and
// nothing runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { suite, same, eventually, FIXTURES, cliPath, tempDir } from './harness.js';

// A generated export over 8 MB: hashed in more than one Blob slice.
const ctx = suite({ label: 'report', generate: '20MB' });

const STORIES = [
  'stories/story_mfa_downgrade.ndjson',
  'stories/story_user_settings.ndjson',
  'stories/story_verify_takeover.ndjson',
  'at_archive_2019-2020.ndjson.gz',
];
const XSS = ['hostile/xss_every-field.ndjson', 'hostile/xss_every-field_verify-page.json'];

/** Copies fixtures into a fresh folder, so the CLI (run there) names them as the page does. */
function copied(label, files) {
  const dir = tempDir(label);
  const names = files.map((f) => {
    fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, path.basename(f)));
    return path.basename(f);
  });
  return { dir, names, paths: names.map((n) => path.join(dir, n)) };
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * `authtrail report --html -` in `dir`, without its stylesheet: parsing it in the page would report the
 * inline <style> as a violation of the page's CSP (the CLI's tests check that stylesheet).
 */
function cliHtml(dir, names, flags = []) {
  const html = cli(dir, ['report', '--html', '-', ...flags, ...names]);
  assert.equal(html.match(/<style>/g)?.length, 1, "one stylesheet in the CLI's report");
  return html.replace(/<style>[^<]*<\/style>/, '');
}

function cli(dir, args) {
  return execFileSync(cliPath(), args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

// Runs in the page: the report's headings, key paragraphs and every table cell, from the live report
// (html null) or from an HTML document parsed (never run) with DOMParser.
function reportContent(html) {
  const root =
    html == null
      ? document.querySelector('[data-testid="report"]')
      : new DOMParser().parseFromString(html, 'text/html').querySelector('[data-testid="report"]');
  const text = (e) => (e ? e.textContent.trim() : null);
  return {
    headings: [...root.querySelectorAll('h1, h2')].map(text),
    range: text(root.querySelector('[data-testid="report-range"]')),
    counts: text(root.querySelector('[data-testid="report-counts"]')),
    auth: text(root.querySelector('[data-testid="report-auth-total"]')),
    thresholds: text(root.querySelector('[data-testid="report-thresholds"]')),
    none: [...root.querySelectorAll('.report-none')].map(text),
    tables: [...root.querySelectorAll('table')].map((t) => ({
      testid: t.dataset.testid,
      rows: [...t.rows].map((r) => [...r.cells].map(text)),
    })),
  };
}

// Runs in the page: elements and attributes that markup in a log field would create in the report.
function reportMarkup() {
  const root = document.querySelector('[data-testid="report-view"]');
  let handlers = 0;
  for (const e of root.querySelectorAll('*')) for (const a of e.attributes) if (/^on/i.test(a.name) || /^(src|href)$/i.test(a.name)) handlers++;
  const tags = new Set([...root.querySelectorAll('*')].map((e) => e.localName));
  return { pwned: typeof window.__pwned, handlers, tags: [...tags].sort() };
}

/** Opens the report and waits until it is built; returns its content. */
async function openReport(app) {
  await app.settle(() => app.tid('report-button').click(), null, 'the report');
  await eventually(
    () => app.tid('report-print').isEnabled(),
    (ok) => ok,
    'the report built',
  );
  return app.page.evaluate(reportContent, null);
}

/** The text of every page of a PDF, and the page count. */
async function pdfText(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 }).promise;
  const pages = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    pages.push(content.items.map((i) => i.str ?? '').join(' '));
  }
  await doc.destroy();
  return pages;
}

/** Text without any whitespace: a PDF breaks lines where the page did. */
const squeeze = (s) => s.replace(/\s+/g, '');

test('report: same tables as `authtrail report --html`, SHA-256 of each file, printed to PDF without the page controls', async () => {
  const { dir, names, paths } = copied('report', STORIES);
  try {
    const html = cliHtml(dir, names);
    const cliJson = JSON.parse(cli(dir, ['report', '--json', ...names]));
    await ctx.withApp('report', async (app) => {
      await app.dropFiles(paths);
      assert.equal(await app.tid('report-view').isHidden(), true, 'the report is closed before the button');
      const shown = await openReport(app);
      assert.equal(await app.tid('drop-zone').isHidden(), true, 'the report replaces the page');
      await app.shot('report');

      same(shown, await app.page.evaluate(reportContent, html), "the page's report differs from `authtrail report --html`");
      const hashes = await app.page.$$eval('[data-testid="report-sha256"]', (tds) => tds.map((td) => td.textContent));
      same(hashes, paths.map(sha256), 'SHA-256 of each file, in drop order');
      same(
        cliJson.files.map((f) => f.sha256),
        paths.map(sha256),
        "the CLI's SHA-256 of each file",
      );
      const titles = cliJson.findings.map((f) => f.title);
      assert.ok(titles.length >= 10, `the stories raise their findings: ${titles.length}`);
      const findingsTable = shown.tables.find((t) => t.testid === 'report-findings');
      same(
        findingsTable.rows.slice(1).map((r) => r[0]),
        cliJson.findings.map((f) => f.severity),
        'finding severities',
      );
      assert.ok(shown.tables.find((t) => t.testid === 'report-account').rows.length > 2, 'account MFA rows');
      assert.ok(shown.tables.find((t) => t.testid === 'report-countries').rows.length > 2, 'country rows');
      // The published 2019 user-create record names its initiator by IAM ID only; the archive's
      // other records give that ID its address.
      same(shown.tables.find((t) => t.testid === 'report-aliases')?.rows.slice(1), [['IBMid-060000JMJ2', 'LOPEZDSR@uk.ibm.com']], 'identifiers shown by name');

      // Print: the button calls window.print().
      await app.page.evaluate(() => {
        window.__printed = 0;
        window.print = () => {
          window.__printed += 1;
        };
      });
      await app.tid('report-print').click();
      assert.equal(await app.page.evaluate(() => window.__printed), 1, 'Print calls window.print()');

      await app.page.emulateMedia({ media: 'print' });
      const printed = await app.page.evaluate(() => ({
        controls: getComputedStyle(document.querySelector('.report-controls')).display,
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.querySelector('[data-testid="report"]')).color,
        header: getComputedStyle(document.querySelector('[data-testid="report-findings"] thead')).display,
      }));
      same(printed, { controls: 'none', background: 'rgb(255, 255, 255)', text: 'rgb(0, 0, 0)', header: 'table-header-group' }, 'print styles');
      await app.shot('report-print');
      // A5, so that the findings table surely runs over a page break.
      const pdf = await app.page.pdf({ format: 'A5' });
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const pages = await pdfText(pdf);
      const all = squeeze(pages.join('\n'));
      for (const h of paths.map(sha256)) assert.ok(all.includes(h), `the PDF holds SHA-256 ${h}`);
      for (const t of titles) assert.ok(all.includes(squeeze(t)), `the PDF holds the finding "${t}"`);
      assert.ok(all.includes(squeeze(shown.range)), 'the PDF holds the time range');
      for (const control of ['Try with sample data', 'Back to the timeline', 'Open files', 'Reset time window', 'Drop export files']) {
        assert.ok(!all.includes(squeeze(control)), `the PDF shows the control "${control}"`);
      }
      // The findings table runs over a page break: its header row is printed again on the next page.
      const headerPages = pages.filter((p) => squeeze(p).includes('SeverityFindingWhen')).length;
      const findingPages = pages.filter((p) => titles.some((t) => squeeze(p).includes(squeeze(t)))).length;
      assert.ok(findingPages >= 2, `the findings fill more than one page (${findingPages})`);
      assert.equal(headerPages, findingPages, 'the findings header repeats on each page of findings');

      await app.page.emulateMedia({ media: 'screen' });
      await app.tid('report-close').click();
      assert.equal(await app.tid('report-view').isHidden(), true);
      assert.equal(await app.tid('drop-zone').isVisible(), true, 'back to the timeline');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("report: XSS payloads are shown as text, equal to the CLI's escaped HTML, and nothing runs", async () => {
  const { dir, names, paths } = copied('report-xss', XSS);
  try {
    const html = cliHtml(dir, names);
    await ctx.withApp('report-xss', async (app) => {
      const dialogs = [];
      app.page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        d.dismiss().catch(() => {});
      });
      await app.dropFiles(paths);
      const shown = await openReport(app);
      await app.shot('report-xss');
      same(shown, await app.page.evaluate(reportContent, html), "the page's report differs from `authtrail report --html`");
      const settings = shown.tables
        .find((t) => t.testid === 'report-settings')
        .rows.flat()
        .join('\n');
      assert.ok(settings.includes('<script>window.__pwned="initiator.name"</script>'), 'a payload shown literally');
      const findings = shown.tables
        .find((t) => t.testid === 'report-findings')
        .rows.flat()
        .join('\n');
      assert.ok(findings.includes('<script>'), 'payloads in finding titles shown literally');
      same(
        await app.page.evaluate(reportMarkup),
        { pwned: 'undefined', handlers: 0, tags: ['button', 'div', 'h1', 'h2', 'main', 'p', 'span', 'table', 'tbody', 'td', 'th', 'thead', 'tr'] },
        'elements created in the report, and whether anything ran',
      );
      same(dialogs, [], 'dialogs opened');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('report: an identifier given another name by a forged record, and look-alike names, as the CLI shows them', async () => {
  const { dir, names, paths } = copied('report-renamed', ['stories/story_forged_alias.ndjson', 'stories/story_look_alike_names.ndjson']);
  try {
    const html = cliHtml(dir, names);
    await ctx.withApp('report-renamed', async (app) => {
      await app.dropFiles(paths);
      const renamed = await eventually(
        () => app.tid('aliases-renamed').textContent(),
        (t) => t.includes('IBMid-victim'),
        'the renamed identifier said under the lanes',
      );
      assert.match(renamed, /victim@acme\.example/, renamed);
      assert.match(renamed, /mallory@acme\.example/, renamed);
      assert.match(renamed, /story_forged_alias\.ndjson line \d+/, renamed);
      const shown = await openReport(app);
      same(shown, await app.page.evaluate(reportContent, html), "the page's report differs from `authtrail report --html`");
      const aliases = shown.tables.find((t) => t.testid === 'report-aliases');
      assert.equal(aliases.rows[0].length, 3, 'the other names column');
      const findings = shown.tables
        .find((t) => t.testid === 'report-findings')
        .rows.flat()
        .join('\n');
      assert.ok(findings.includes('⟨U+200B⟩'), 'an invisible character in a look-alike name written out');
      assert.ok(!/[\u200b\u202e]/.test(JSON.stringify(shown)), 'no raw zero-width or bidi character in the report');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("report: a 20 MB export hashed over 8 MB slices, with the page's rule thresholds, equals the CLI's with the same flags", async () => {
  const dir = path.dirname(ctx.generated);
  const name = path.basename(ctx.generated);
  const html = cliHtml(dir, [name], ['--fatigue-failures', '2', '--spray-users', '3']);
  await ctx.withApp('report-large', async (app) => {
    await app.loadFiles([ctx.generated]);
    await app.page.locator('.thresholds summary').click();
    await app.tid('threshold-fatigue_failures').fill('2');
    await app.tid('threshold-spray_users').fill('3');
    await app.settle(() => app.tid('thresholds-apply').click(), null, 'the findings under the new thresholds');
    // Every status the report shows while it is built.
    await app.page.evaluate(() => {
      window.__e2eStatus = [];
      const status = document.querySelector('[data-testid="report-status"]');
      new MutationObserver(() => window.__e2eStatus.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    });
    const shown = await openReport(app);
    same(shown, await app.page.evaluate(reportContent, html), "the page's report differs from `authtrail report --html --fatigue-failures 2 --spray-users 3`");
    assert.match(shown.thresholds, /MFA fatigue at 2 MFA failures .* password spraying at 3 users/);
    same(
      await app.page.$$eval('[data-testid="report-sha256"]', (tds) => tds.map((td) => td.textContent)),
      [sha256(ctx.generated)],
      'SHA-256 of the 20 MB file',
    );
    const statuses = await app.page.evaluate(() => window.__e2eStatus);
    assert.ok(statuses.includes('Computing SHA-256 of the files: 100%'), `hashing progress shown: ${JSON.stringify(statuses)}`);
    assert.ok(
      statuses.some((t) => /: [1-9]\d?%$/.test(t)),
      `progress between 0 and 100%: ${JSON.stringify(statuses)}`,
    );
  });
});
