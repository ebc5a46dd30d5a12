// Checks that hostile log text stayed text: no element, handler or javascript: URL was created from it,
// nothing ran (every payload in tests/fixtures/hostile/xss_* would set window.__pwned), no dialog opened.
// Used by the hostile-input tests of every view.

import { same } from './harness.js';

/** Dismisses and records every dialog the page opens; returns the list. */
export function trapDialogs(app) {
  const dialogs = [];
  app.page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return dialogs;
}

// Runs in the page: elements that markup in a log field would have created, counted.
export function markupCounts() {
  const count = (sel) => document.querySelectorAll(sel).length;
  let handlers = 0;
  let jsUrls = 0;
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      if (/^on/i.test(a.name)) handlers++;
      if (/^(href|src|xlink:href|action|formaction)$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) jsUrls++;
    }
  }
  return {
    pwned: typeof window.__pwned,
    script: count('script'),
    style: count('style'),
    link: count('link'),
    img: count('img'),
    iframe: count('iframe, object, embed, frame'),
    anchor: count('a'),
    bold: count('b'),
    handlers,
    jsUrls,
  };
}

/** Asserts that nothing was created from the payloads since `baseline`, and that nothing ran. */
export async function assertInert(app, baseline, dialogs, where) {
  const now = await app.page.evaluate(markupCounts);
  same(now, baseline, `elements or handlers appeared ${where}`);
  same(dialogs, [], `dialogs opened ${where}`);
}

/** Text of every element matching a test id, joined; also the title attributes and SVG <title>s in them. */
export function textOf(app, testid) {
  return app.page.$$eval(`[data-testid="${testid}"]`, (els) =>
    els.map((e) => [e.textContent, ...[...e.querySelectorAll('[title]'), e].map((x) => x.getAttribute('title') ?? '')].join('\n')).join('\n'),
  );
}
