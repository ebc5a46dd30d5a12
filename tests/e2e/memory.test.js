// The memory the events take, and what happens when the tab's wasm memory runs out anyway.
//
// The Limits control's memory cap goes to the worker with the other options, as `max_memory_bytes`
// (null: no cap). A file whose names alone exhaust the wasm memory (generated here, never
// committed: 300,000 logins, each with a distinct 4 KB user name and a distinct 4 KB user agent,
// 2.4 GB of text in a 17 MB gzip), read with no memory cap, stops the core: the page says its memory
// ran out, marks that file not read, reads what was read before into a new core, and the next file
// reads as usual.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { suite, cliSummary, FIXTURES, tempDir, toInt } from './harness.js';

const ctx = suite({ label: 'memory' });
const A = path.join(FIXTURES, 'stories', 'story_mfa_downgrade.ndjson');
const B = path.join(FIXTURES, 'stories', 'story_verify_takeover.ndjson');
const MB = 2 ** 20;

/** Writes the memory-exhausting export (gzip) to `file`. */
async function exhausting(file, records = 300_000, size = 4000) {
  const name = 'n'.repeat(size);
  const agent = 'a'.repeat(size);
  function* text() {
    for (let i = 0; i < records; i += 256) {
      let batch = '';
      for (let k = i; k < Math.min(records, i + 256); k++) {
        batch +=
          `{"id":"mem-${k}","eventTime":"2024-05-08T08:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success",` +
          `"initiator":{"id":"IBMid-mem-${k}","name":"u${k}-${name}","host":{"address":"192.0.2.1","agent":"${k}/${agent}"}}}\n`;
      }
      yield batch;
    }
  }
  await pipeline(Readable.from(text()), zlib.createGzip({ level: 1 }), fs.createWriteStream(file));
}

/** Sets the memory cap of the Limits control ('' for none) and waits for its summary. */
async function setMemoryCap(app, mb, summary) {
  await app.tid('limit-memory-mb').fill(mb);
  await app.tid('limit-memory-mb').dispatchEvent('change');
  assert.match(await app.tid('limits').locator('summary').textContent(), summary);
}

test('memory: the cap goes to the core; a file that exhausts the wasm memory is skipped and what was read is read again', async (t) => {
  const dir = tempDir('memory');
  try {
    const big = path.join(dir, 'names.ndjson.gz');
    let t0 = Date.now();
    await exhausting(big);
    t.diagnostic(`generated ${(fs.statSync(big).size / 1e6).toFixed(1)} MB of gzip in ${Date.now() - t0} ms`);
    const cliA = cliSummary([A]);
    const cliAB = cliSummary([A, B]);

    await ctx.withApp('memory', async (app) => {
      // The options each file is handed to a worker with, the new core's included.
      await app.page.evaluate(() => {
        window.__e2eOptions = [];
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function postMessage(message, ...rest) {
          if (message?.type === 'files') for (const f of message.files) window.__e2eOptions.push([f.file.name, message.options.max_memory_bytes]);
          return post.call(this, message, ...rest);
        };
      });
      const options = () => app.page.evaluate(() => window.__e2eOptions);
      await app.tid('limits').locator('summary').click();
      await setMemoryCap(app, '512', /at most 512 MB of memory for them$/);
      const s1 = await app.loadFiles([A]);
      assert.equal(toInt(s1.events, 'summary-events'), cliA.events);
      assert.deepEqual(await options(), [[path.basename(A), 512 * MB]]);

      await setMemoryCap(app, '', /no memory cap$/);
      t0 = Date.now();
      const s2 = await app.loadFiles([big], 1);
      t.diagnostic(`the core stopped and the file before was read again in ${Date.now() - t0} ms`);
      assert.deepEqual(
        await options(),
        [
          [path.basename(A), 512 * MB],
          ['names.ndjson.gz', null],
          [path.basename(A), 512 * MB],
        ],
        'the file read again keeps its options',
      );
      assert.match(
        s2.errorBanner,
        /^names\.ndjson\.gz was not read: the core stopped reading it, its memory ran out \(it held [\d.]+ GB of the 4\.0 GB a tab can give it\)\. The file read before it is read again into a new core\./,
      );
      assert.deepEqual(
        s2.files.map((f) => [f.name, f.format, f.events]),
        [
          [path.basename(A), 'NDJSON: Activity Tracker', String(cliA.events)],
          ['names.ndjson.gz', 'not read', '0'],
        ],
      );
      const status = await app.page.locator('[data-testid="file-row"] .file-status').allTextContents();
      assert.match(status[1], /^Not read: the core stopped reading this file, its memory ran out/);
      assert.equal(toInt(s2.events, 'summary-events'), cliA.events, 'what was read before is kept');
      assert.equal(toInt(s2.tableCount, 'table-count'), cliA.events);

      // The next file reads into the new core, beside the one read before.
      const s3 = await app.loadFiles([B], 2);
      assert.equal(toInt(s3.events, 'summary-events'), cliAB.events);
      assert.equal(toInt(s3.tableCount, 'table-count'), cliAB.events);
      assert.deepEqual(
        s3.files.map((f) => [f.name, f.events]),
        [
          [path.basename(A), String(cliA.events)],
          ['names.ndjson.gz', '0'],
          [path.basename(B), String(cliAB.events - cliA.events)],
        ],
      );
      assert.ok(s3.account.length >= 2, 'the account lane of the file read before');
      assert.ok((await app.tid('finding').count()) > 0, 'findings of both files');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
