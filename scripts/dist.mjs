// What esbuild does to the dist/ trunk built; `cargo xtask dist` runs it, then fills in sw.js's
// precache list and the single file's Content-Security-Policy (crates/xtask/src/dist.rs).
//
//     node scripts/dist.mjs DIST OUT
//
// - DIST's scripts bundled and minified: each script the page or a worker starts from (index.html's
//   module scripts, the workers, and js/dom.js, which tests/e2e/dom.test.js imports in the page)
//   with its own code, what they share in chunks beside them in js/; wasm-bindgen's glue minified
//   on its own; sw.js only loses its comments: its precache line is filled in afterwards.
// - index.html's stylesheets minified, their integrity attributes (trunk's) made to match.
// - OUT, the single-file page: DIST/index.html with its stylesheet inlined and js/main.js bundled
//   into one inline module. Each worker is its script bundled as a classic one, started from a
//   blob: URL (Chromium refuses module workers from the blob: URLs a file:// page makes): the
//   bundle of a script carries those of the workers it starts (STARTS). The wasm is inlined once,
//   base64, in the core's worker (CORE); the other workers that instantiate it are handed its
//   compiled module, which `init.__wbindgen_wasm_module` gives in every bundle.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** The workers each script starts (startWorker's first argument), by file name in js/. */
const STARTS = {
  'main.js': ['worker.js'],
  'worker.js': ['reader.js', 'stretch.js'],
  'stretch.js': ['reader.js'],
  'reader.js': [],
};
/** The worker whose bundle carries the wasm. */
const CORE = 'worker.js';
/** wasm-bindgen's glue and its wasm, in DIST. */
const GLUE = 'authtrail-wasm.js';
const WASM = 'authtrail-wasm_bg.wasm';
/** js/start-worker.js in the single file. */
const START_WORKER = path.join(import.meta.dirname, 'single-file', 'start-worker.js');
/** The service worker, whose precache line dist.rs fills in. */
const SW = 'sw.js';

const [dist, out] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!dist || !out) {
  console.error('usage: node scripts/dist.mjs DIST OUT');
  process.exit(2);
}

/** Every file below `dir`. */
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** Fails on a warning: what esbuild warns about (an `import.meta` it empties, say) would run wrong. */
function checked(result, what) {
  if (result.warnings.length > 0) {
    const text = esbuild.formatMessagesSync(result.warnings, { kind: 'warning' }).join('\n');
    throw new Error(`${what}: esbuild warned:\n${text}`);
  }
  return result;
}

/** index.html's stylesheets minified in place, each one's integrity attribute made to match. */
async function minifyStyles() {
  const index = path.join(dist, 'index.html');
  let html = fs.readFileSync(index, 'utf8');
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
    if (attr(tag, 'rel') !== 'stylesheet') continue;
    const file = local(attr(tag, 'href'));
    const { code } = checked(await esbuild.transform(fs.readFileSync(file, 'utf8'), { loader: 'css', minify: true }), file);
    fs.writeFileSync(file, code);
    const integrity = attr(tag, 'integrity');
    if (integrity === undefined) continue;
    const algorithm = integrity.split('-')[0];
    const digest = crypto.createHash(algorithm).update(code).digest('base64');
    html = html.replace(tag, () => tag.replace(`integrity="${integrity}"`, `integrity="${algorithm}-${digest}"`));
  }
  fs.writeFileSync(index, html);
}

/** Bytes of the scripts under `dir`. */
const scriptBytes = (dir) => walk(dir).reduce((n, p) => n + (p.endsWith('.js') ? fs.statSync(p).size : 0), 0);

/** DIST's scripts bundled (`entries`: in js/) and minified, in place. */
async function bundleScripts(entries) {
  const js = path.join(dist, 'js');
  const before = scriptBytes(dist);
  const result = await esbuild.build({
    entryPoints: entries.map((e) => path.join(js, e)),
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    write: false,
    outdir: js,
    external: [`../${GLUE}`],
    logLevel: 'silent',
  });
  checked(result, 'dist/js');
  fs.rmSync(js, { recursive: true });
  fs.mkdirSync(js);
  for (const file of result.outputFiles) fs.writeFileSync(file.path, file.contents);
  for (const [file, options] of [
    [GLUE, { loader: 'js', format: 'esm', minify: true }],
    [SW, { loader: 'js' }],
  ]) {
    const p = path.join(dist, file);
    fs.writeFileSync(p, checked(await esbuild.transform(fs.readFileSync(p, 'utf8'), options), file).code);
  }
  const after = scriptBytes(dist);
  console.log(`${dist}: scripts bundled and minified, ${(before / 1e3).toFixed(1)} KB to ${(after / 1e3).toFixed(1)} KB`);
}

/**
 * The single file's js/start-worker.js, its workers and its wasm glue, for the bundle of `script`;
 * `used.startWorker` says whether the bundle imports js/start-worker.js.
 */
function singleFile(script, used) {
  return {
    name: 'authtrail-single-file',
    setup(build) {
      build.onResolve({ filter: /start-worker\.js$/ }, (args) => {
        if (path.resolve(args.resolveDir, args.path) !== path.join(dist, 'js', 'start-worker.js')) return undefined;
        used.startWorker = true;
        return { path: START_WORKER };
      });
      build.onResolve({ filter: /^authtrail:workers$/ }, () => ({ path: 'workers', namespace: 'authtrail' }));
      build.onLoad({ filter: /^workers$/, namespace: 'authtrail' }, async () => {
        const workers = {};
        for (const w of STARTS[script] ?? []) workers[w] = await worker(w);
        return { contents: `export const WORKERS = ${JSON.stringify(workers)};`, loader: 'js' };
      });
      // The glue, but from the wrapper below, which imports the glue itself.
      build.onResolve({ filter: /authtrail-wasm\.js$/ }, (args) =>
        args.namespace !== 'authtrail' && path.resolve(args.resolveDir, args.path) === path.join(dist, GLUE)
          ? { path: 'glue', namespace: 'authtrail' }
          : undefined,
      );
      build.onLoad({ filter: /^glue$/, namespace: 'authtrail' }, () => ({
        contents: glue(script === CORE),
        loader: 'js',
        resolveDir: dist,
      }));
    },
  };
}

/**
 * wasm-bindgen's glue with its `init()`, called with no argument, handed the wasm inlined (`embed`)
 * or refusing: a worker without the wasm is handed the compiled module.
 */
function glue(embed) {
  const glue = JSON.stringify(`./${GLUE}`);
  return `import init from ${glue};
${embed ? `import wasm from ${JSON.stringify(`./${WASM}`)};` : ''}
export * from ${glue};
export default function initSingle(arg) {
  if (arg !== undefined) return init(arg);
  ${embed ? 'return init({ module_or_path: wasm });' : "throw new Error('this worker is handed the compiled wasm: the single file carries it once');"}
}
Object.defineProperty(initSingle, '__wbindgen_wasm_module', { get: () => init.__wbindgen_wasm_module });
`;
}

/** `script` (in js/) and what it imports as one script, of `format`. */
async function bundle(script, format) {
  const used = { startWorker: false };
  const result = await esbuild.build({
    entryPoints: [path.join(dist, 'js', script)],
    bundle: true,
    write: false,
    format,
    minify: true,
    loader: { '.wasm': 'binary' },
    // The glue's URL of the wasm, never used: the wasm is inlined or handed over.
    define: format === 'iife' ? { 'import.meta.url': 'undefined' } : {},
    plugins: [singleFile(script, used)],
    logLevel: 'silent',
  });
  // A worker STARTS does not list would fail only when started; one it lists, never used, is dead weight.
  const listed = (STARTS[script] ?? []).length > 0;
  if (used.startWorker && !listed) throw new Error(`js/${script} starts workers: list them in STARTS`);
  if (!used.startWorker && listed) throw new Error(`js/${script} starts no worker, yet STARTS lists some`);
  return checked(result, script).outputFiles[0].text;
}

const workers = new Map();
/** The classic script of the worker `script`, bundled once. */
function worker(script) {
  if (!workers.has(script)) workers.set(script, bundle(script, 'iife'));
  return workers.get(script);
}

/** The value of attribute `name` in `tag`, if it has one. */
function attr(tag, name) {
  return tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
}

/**
 * DIST/index.html with its stylesheet and scripts inline; the CSP is dist.rs's to write. Returns
 * the module scripts index.html loads (in js/).
 */
async function singlePage() {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const inline = [];
  const modules = [];
  const tags = [...html.matchAll(/<link\b[^>]*>|<script\b[^>]*>\s*<\/script>|<script\b[^>]*>/g)];
  for (const [tag] of tags) {
    const href = attr(tag, 'href');
    const src = attr(tag, 'src');
    if (tag.startsWith('<script') && attr(tag, 'type') === 'module' && src?.startsWith('js/')) modules.push(src.slice('js/'.length));
    if (tag.startsWith('<link') && attr(tag, 'rel') === 'icon' && href?.startsWith('data:')) continue;
    if (tag.startsWith('<link') && attr(tag, 'rel') === 'stylesheet' && href) {
      const css = fs.readFileSync(local(href), 'utf8');
      if (/<\/style|url\(/i.test(css)) throw new Error(`${href}: a stylesheet with </style or url() cannot be inlined as is`);
      inline.push([tag, `<style>${css}</style>`]);
    } else if (tag.startsWith('<script') && attr(tag, 'data-single-file') === 'omit') {
      inline.push([tag, '']);
    } else if (tag.startsWith('<script') && attr(tag, 'type') === 'module' && src === 'js/main.js') {
      inline.push([tag, `<script type="module">${await bundle('main.js', 'esm')}</script>`]);
    } else {
      throw new Error(`index.html: the single-file build does not know what to do with ${tag}`);
    }
  }
  let page = html;
  for (const [tag, replacement] of inline) page = page.replace(tag, () => replacement);
  fs.writeFileSync(out, page);
  console.log(`${out}: the page in one file, ${Buffer.byteLength(page)} bytes before its CSP`);
  return modules;
}

/** A reference of index.html to a file beside it, as a path. */
function local(href) {
  const rel = href.replace(/^\.\//, '');
  if (!rel || rel.includes('..') || rel.includes(':') || rel.startsWith('/')) throw new Error(`${href} is not a file beside index.html`);
  return path.join(dist, rel);
}

if (!fs.existsSync(path.join(dist, 'js', 'start-worker.js'))) {
  console.error(`${dist}: its scripts are bundled already; build it again (trunk build) first`);
  process.exit(1);
}
await minifyStyles();
const modules = await singlePage();
const workerScripts = Object.keys(STARTS).filter((s) => s !== 'main.js');
await bundleScripts([...new Set([...modules, ...workerScripts, 'dom.js'])]);
