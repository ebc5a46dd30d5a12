// Static checks, no browser.
//
// 1. www/**/*.js never builds markup from strings and never evaluates strings: log fields are
//    attacker-controlled text and must reach the DOM through textContent / createElement only.
// 2. The test server itself: MIME types, sub-path, 404 outside it, no path traversal.
// 3. The README's hosting headers agree with the page's meta CSP and with what the test server sends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { REPO, same } from './harness.js';
import { startServer, metaPolicy } from './server.js';

const FORBIDDEN = [
  { name: 'innerHTML', re: /\binnerHTML\b/ },
  { name: 'outerHTML', re: /\bouterHTML\b/ },
  { name: 'insertAdjacentHTML', re: /\binsertAdjacentHTML\b/ },
  { name: 'document.write', re: /\bdocument\s*\.\s*write(ln)?\b/ },
  { name: 'DOMParser', re: /\bDOMParser\b/ },
  { name: 'createContextualFragment', re: /\bcreateContextualFragment\b/ },
  { name: 'eval(', re: /(^|[^.\w$])eval\s*\(|\b(window|globalThis|self)\s*\.\s*eval\b|\(\s*0\s*,\s*eval\s*\)/ },
  { name: 'new Function(', re: /(^|[^.\w$])Function\s*\(/ },
  { name: 'setTimeout/setInterval with a string', re: /\bset(Timeout|Interval)\s*\(\s*['"`]/ },
];

function jsFiles(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...jsFiles(p));
    } else if (/\.(m?js)$/.test(e.name)) out.push(p);
  }
  return out;
}

test('www/**/*.js uses no HTML-string sinks and no string evaluation', () => {
  const files = jsFiles(path.join(REPO, 'www'));
  assert.ok(files.length > 0, 'no .js files under www/: nothing to check (is the page written yet?)');
  const hits = [];
  for (const f of files) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\/\*|\*)/.test(line)) return; // whole-line comments may name the sinks they avoid
      for (const { name, re } of FORBIDDEN) {
        if (re.test(line)) hits.push(`${path.relative(REPO, f)}:${i + 1}: ${name}: ${line.trim().slice(0, 160)}`);
      }
    });
  }
  same(hits, [], 'forbidden sinks in www/ (render log text with textContent)');
});

test('the test server: MIME types, sub-path, 404s and no traversal', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtrail-e2e-server-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(dir, 'a.js'), 'export {}');
  fs.writeFileSync(path.join(dir, 'b.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(os.tmpdir(), 'authtrail-e2e-secret.txt'), 'secret');
  const srv = await startServer({ root: dir, base: '/some/deep/path/' });
  try {
    const get = (p) => fetch(srv.origin + p, { redirect: 'manual' });
    let r = await get('/some/deep/path/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    r = await get('/some/deep/path/a.js');
    assert.match(r.headers.get('content-type'), /^text\/javascript/);
    r = await get('/some/deep/path/b.wasm');
    assert.equal(r.headers.get('content-type'), 'application/wasm');
    assert.equal((await r.arrayBuffer()).byteLength, 8);
    r = await get('/some/deep/path');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/some/deep/path/');
    assert.equal((await get('/a.js')).status, 404);
    assert.equal((await get('/some/deep/path/missing.js')).status, 404);
    // The root is $TMPDIR/authtrail-e2e-server-XXXX; "..%2f" would reach $TMPDIR/authtrail-e2e-secret.txt.
    assert.equal((await get('/some/deep/path/..%2fauthtrail-e2e-secret.txt')).status, 404);
    assert.equal((await get('/some/deep/path/..%5cauthtrail-e2e-secret.txt')).status, 404);
    assert.equal((await fetch(srv.url, { method: 'POST', body: 'x' })).status, 405);
    same(
      srv.log.map((e) => e.status),
      [200, 200, 200, 301, 404, 404, 404, 404, 405],
    );
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(os.tmpdir(), 'authtrail-e2e-secret.txt'), { force: true });
  }
});

test("README's hosting headers: the policy it prints is the page's meta CSP, and the server sends the headers it lists", async () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.split('\n## ').find((s) => s.startsWith('Hosting'));
  assert.ok(section, 'README has no "Hosting" section');
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 2, 'the Hosting section shows the policy, then the headers');
  const printed = blocks[0].replace(/\s*\n\s*/g, ' ').trim();
  const index = fs.readFileSync(path.join(REPO, 'www', 'index.html'), 'utf8');
  assert.equal(printed, metaPolicy(index), "README's policy vs www/index.html's meta tag");
  assert.ok(index.indexOf('http-equiv="Content-Security-Policy"') < index.indexOf('<script'), 'the meta CSP comes before any script');

  const listed = Object.fromEntries(
    blocks[1]
      .trim()
      .split('\n')
      .map((l) => l.split(/:\s(.*)/s).slice(0, 2)),
  );
  same(Object.keys(listed).sort(), ['Content-Security-Policy', 'Referrer-Policy', 'X-Content-Type-Options']);
  assert.equal(listed['Content-Security-Policy'], "<the policy above>; frame-ancestors 'none'");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtrail-e2e-headers-'));
  fs.writeFileSync(path.join(dir, 'index.html'), index);
  fs.writeFileSync(path.join(dir, 'a.js'), 'export {}');
  const srv = await startServer({ root: dir });
  try {
    const page = await fetch(srv.url);
    assert.equal(page.headers.get('content-security-policy'), listed['Content-Security-Policy'].replace('<the policy above>', printed));
    for (const r of [page, await fetch(`${srv.url}a.js`), await fetch(`${srv.url}missing`)]) {
      assert.equal(r.headers.get('x-content-type-options'), listed['X-Content-Type-Options']);
      assert.equal(r.headers.get('referrer-policy'), listed['Referrer-Policy']);
    }
    assert.equal(await page.text(), index, 'the HTML is served unchanged');
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
