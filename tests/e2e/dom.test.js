// The DOM helpers the views redraw with (www/js/dom.js), in the page: `reorder` gives exactly the
// wanted children while moving few, and `update` writes only what changed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite } from './harness.js';

const ctx = suite();

test('dom.js: reorder gives the wanted children and moves only those out of order', async () => {
  await ctx.withApp('dom-reorder', async (app) => {
    const r = await app.page.evaluate(async () => {
      const { reorder } = await import(new URL('js/dom.js', location.href));
      const make = (labels) => labels.map((l) => Object.assign(document.createElement('i'), { textContent: l }));
      /** Runs reorder on a parent holding `before`, to `after` (labels); returns the labels and the nodes inserted. */
      const run = (before, after) => {
        const parent = document.createElement('div');
        const nodes = new Map(make(before).map((n) => [n.textContent, n]));
        parent.append(...nodes.values());
        const wanted = after.map((l) => nodes.get(l) ?? make([l])[0]);
        const seen = new MutationObserver(() => {});
        seen.observe(parent, { childList: true });
        reorder(parent, wanted);
        const inserted = seen.takeRecords().flatMap((m) => [...m.addedNodes]).length;
        const same = parent.children.length === wanted.length && wanted.every((n, k) => parent.children[k] === n);
        return { labels: Array.from(parent.children, (n) => n.textContent), same, inserted };
      };
      // A seeded generator: the same cases on every run.
      let seed = 7;
      const rand = (n) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const random = [];
      for (let c = 0; c < 300; c++) {
        const before = Array.from({ length: rand(12) }, (_, i) => `a${i}`);
        const after = before.filter(() => rand(4) > 0);
        for (let i = rand(4); i > 0; i--) after.splice(rand(after.length + 1), 0, `new${i}`);
        for (let i = after.length - 1; i > 0 && rand(3) === 0; i--) {
          const j = rand(i + 1);
          [after[i], after[j]] = [after[j], after[i]];
        }
        random.push({ after, ...run(before, after) });
      }
      const ten = Array.from({ length: 10 }, (_, i) => `a${i}`);
      return {
        random,
        unchanged: run(ten, ten),
        lastFirst: run(ten, [ten[9], ...ten.slice(0, 9)]),
        reversed: run(ten, [...ten].reverse()),
        dropped: run(
          ten,
          ten.filter((_, i) => i % 3),
        ),
        added: run(ten, [...ten.slice(0, 5), 'x', 'y', ...ten.slice(5)]),
        emptied: run(ten, []),
      };
    });
    for (const c of r.random) {
      assert.ok(c.same, `children ${JSON.stringify(c.labels)}, wanted ${JSON.stringify(c.after)}`);
    }
    assert.equal(r.unchanged.inserted, 0, 'the same order moves nothing');
    assert.equal(r.lastFirst.inserted, 1, 'the last made first moves one node');
    assert.equal(r.reversed.inserted, 9, 'ten reversed move nine');
    assert.equal(r.dropped.inserted, 0, 'removing some moves none of the rest');
    assert.deepEqual([r.added.inserted, r.added.labels.slice(4, 8)], [2, ['a4', 'x', 'y', 'a5']], 'two added in the middle');
    assert.deepEqual([r.emptied.same, r.emptied.labels], [true, []]);
  });
});

test('dom.js: update writes an attribute or the text only when it changed (text in place), and null removes it', async () => {
  await ctx.withApp('dom-update', async (app) => {
    const r = await app.page.evaluate(async () => {
      const { update } = await import(new URL('js/dom.js', location.href));
      const node = document.createElement('div');
      const seen = new MutationObserver(() => {});
      seen.observe(node, { attributes: true, childList: true, characterData: true, subtree: true });
      const writes = () => seen.takeRecords().length;
      update(node, { title: 'a', 'data-n': 0, text: '<b>x</b>' });
      const first = [writes(), node.getAttribute('title'), node.getAttribute('data-n'), node.textContent, node.children.length];
      update(node, { title: 'a', 'data-n': 0, text: '<b>x</b>' });
      const again = writes();
      update(node, { title: null, 'data-n': 1 });
      const changed = [writes(), node.hasAttribute('title'), node.getAttribute('data-n')];
      const text = node.firstChild;
      update(node, { text: 'y' });
      const retext = [seen.takeRecords().map((m) => m.type), node.firstChild === text, node.textContent];
      return { first, again, changed, retext };
    });
    assert.deepEqual(r.first, [3, 'a', '0', '<b>x</b>', 0], 'first writes: two attributes and the text, as text');
    assert.equal(r.again, 0, 'the same values again write nothing');
    assert.deepEqual(r.changed, [2, false, '1'], 'null removes, a new value is written');
    assert.deepEqual(r.retext, [['characterData'], true, 'y'], 'new text goes into the same text node');
  });
});
