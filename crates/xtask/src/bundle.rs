//! A deliberately small ES-module bundler for the single-file build: it follows the static relative
//! imports of one entry module and writes one script in which every module is a function scope
//! evaluated in import order (depth first, as the browser would).
//!
//! It understands the import and export forms the page's own modules and wasm-bindgen's glue use,
//! written at the start of a line, and fails with the module and line on anything else (a
//! re-export, `export let` (a live binding), a cycle, a dynamic `import()`, `import.meta` where it
//! cannot be replaced), so an unsupported construct never becomes a silently wrong bundle.
//!
//! Rewrites:
//! - `import { a, b as c } from './x.js';` -> `const { a, b: c } = <x>;` (x has run by then);
//!   `import * as x from ...` -> `const x = <x>;`; `import d from ...` -> `const { default: d } = <x>;`
//! - `export function f` / `export class C` / `export const K` -> the declaration, exported by getter;
//!   `export { a, b as c };` -> exported by getter; `export default <expr>` -> a local, exported.
//! - `new Worker(new URL('./w.js', import.meta.url), { type: 'module', ...})`, or the same through
//!   the page's `startWorker` (js/start-worker.js) ->
//!   `new Worker(<blob: URL of w.js bundled as a classic script>, { type: 'classic', ...})`
//!   (Chromium refuses module workers from `blob:` URLs made by a file:// page; classic ones run),
//!   in the page's graph and in a worker's (the URL is then made in the worker's own script).
//! - in a worker's graph, `import.meta.url` -> `self.location.href` (what it means in a classic
//!   worker), and the default export (`init`) of wasm-bindgen glue (`x.js` with `x_bg.wasm` beside
//!   it) is handed the embedded wasm bytes when called without an argument. The bytes are embedded
//!   once, in the first worker bundled that imports the glue; in the others, `init` must be handed
//!   the module (the page's core worker sends its compiled module to the workers it starts), and
//!   `init.__wbindgen_wasm_module` (the compiled module, kept by wasm-bindgen) is passed through.

use anyhow::{bail, Context, Result};
use base64::Engine;
use regex::Regex;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

/// What the bundle is run as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An inline `<script type="module">` of the page.
    Page,
    /// A classic worker script started from a `blob:` URL.
    Worker,
}

/// One module after its imports and exports were rewritten.
#[derive(Debug)]
struct Module {
    /// The body, wrapped later in a function scope.
    body: String,
    /// (exported name, local name).
    exports: Vec<(String, String)>,
    /// `x.js` of wasm-bindgen: the embedded `x_bg.wasm`.
    wasm: Option<PathBuf>,
}

static IMPORT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^import\s+(?:(?P<clause>[\s\S]*?)\s+from\s+)?['"](?P<spec>[^'"]+)['"]\s*;?\s*$"#)
        .unwrap()
});
static WORKER_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:new\s+Worker|\bstartWorker)\s*\(\s*new\s+URL\s*\(\s*['"](?P<spec>[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)\s*,\s*\{\s*type\s*:\s*['"]module['"]"#,
    )
    .unwrap()
});
static DECL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:async\s+)?(?:function\s*\*?|class)\s*(?P<name>[A-Za-z_$][\w$]*)|^const\s+(?P<cname>[A-Za-z_$][\w$]*)\s*=").unwrap()
});
static IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z_$][\w$]*$").unwrap());
static DYNAMIC_IMPORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bimport\s*\(").unwrap());

/// `a/b/../c` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn resolve(from: &Path, spec: &str) -> Result<PathBuf> {
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        bail!(
            "{}: only relative imports can be bundled, not {spec:?}",
            from.display()
        );
    }
    Ok(normalize(
        &from.parent().unwrap_or(Path::new("")).join(spec),
    ))
}

/// The statement starting at line `start`: up to the first line where `complete` holds for the
/// text so far. Returns the text and its last line.
fn statement(
    lines: &[&str],
    start: usize,
    complete: impl Fn(&str) -> bool,
) -> Option<(String, usize)> {
    let mut text = String::new();
    for (end, line) in lines.iter().enumerate().skip(start).take(64) {
        if end > start {
            text.push('\n');
        }
        text.push_str(line);
        if complete(text.trim()) {
            return Some((text, end));
        }
    }
    None
}

/// `a, b as c` -> [(a, a), (b, c)].
fn names(list: &str, what: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = item.split_whitespace().collect();
        let (from, to) = match parts.as_slice() {
            [a] => (*a, *a),
            [a, "as", b] => (*a, *b),
            _ => bail!("cannot read {what} {item:?}"),
        };
        if !(IDENT.is_match(from) || from == "default") || !IDENT.is_match(to) {
            bail!("cannot read {what} {item:?}");
        }
        out.push((from.to_string(), to.to_string()));
    }
    Ok(out)
}

/// The bundler over one directory tree (dist/).
#[derive(Debug)]
pub struct Bundler<'a> {
    root: &'a Path,
    target: Target,
    /// Modules in evaluation order, by path relative to `root`.
    order: Vec<PathBuf>,
    modules: HashMap<PathBuf, Module>,
    /// Worker entries met in the page's graph, bundled on their own.
    workers: Vec<PathBuf>,
    /// Whether another bundle of the page already carries the wasm bytes.
    wasm_embedded: bool,
}

impl<'a> Bundler<'a> {
    pub fn new(root: &'a Path, target: Target) -> Self {
        Bundler {
            root,
            target,
            order: Vec::new(),
            modules: HashMap::new(),
            workers: Vec::new(),
            wasm_embedded: false,
        }
    }

    /// Whether this bundle may leave the wasm bytes out: another one carries them.
    fn wasm_embedded(mut self, embedded: bool) -> Self {
        self.wasm_embedded = embedded;
        self
    }

    fn var(&self, path: &Path) -> String {
        let i = self
            .order
            .iter()
            .position(|p| p == path)
            .expect("module evaluated before use");
        format!("__authtrail_module_{i}")
    }

    fn worker_var(i: usize) -> String {
        format!("__authtrail_worker_{i}")
    }

    /// Reads `path` and, first, everything it imports; `stack` holds the modules being read (cycles).
    fn add(&mut self, path: &Path, stack: &mut Vec<PathBuf>) -> Result<()> {
        if self.modules.contains_key(path) {
            return Ok(());
        }
        if stack.iter().any(|p| p == path) {
            bail!(
                "import cycle through {}: not supported by the single-file bundler",
                path.display()
            );
        }
        stack.push(path.to_path_buf());
        let file = self.root.join(path);
        let source = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let module = self.rewrite(path, &source, stack)?;
        stack.pop();
        self.modules.insert(path.to_path_buf(), module);
        self.order.push(path.to_path_buf());
        Ok(())
    }

    fn rewrite(&mut self, path: &Path, source: &str, stack: &mut Vec<PathBuf>) -> Result<Module> {
        let at = |line: usize| format!("{}:{}", path.display(), line + 1);
        let lines: Vec<&str> = source.lines().collect();
        let mut body = String::new();
        let mut exports = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if line.starts_with("import ") || line.starts_with("import{") {
                let (stmt, end) = statement(&lines, i, |t| IMPORT_FROM.is_match(t))
                    .with_context(|| format!("{}: cannot read the import {line:?}", at(i)))?;
                let caps = IMPORT_FROM
                    .captures(stmt.trim())
                    .with_context(|| format!("{}: cannot read the import {stmt:?}", at(i)))?;
                let dep = resolve(path, &caps["spec"])?;
                self.add(&dep, stack)?;
                let var = self.var(&dep);
                match caps.name("clause").map(|c| c.as_str().trim()) {
                    None => {}
                    Some(clause) => {
                        if let Some(ns) = clause.strip_prefix("* as ") {
                            if !IDENT.is_match(ns.trim()) {
                                bail!("{}: cannot read the import {stmt:?}", at(i));
                            }
                            writeln!(body, "const {} = {var};", ns.trim())?;
                        } else {
                            let (default, named) = match clause.find('{') {
                                Some(open) => {
                                    let close = clause.rfind('}').with_context(|| {
                                        format!("{}: unclosed import list", at(i))
                                    })?;
                                    let head = clause[..open].trim().trim_end_matches(',').trim();
                                    (head, names(&clause[open + 1..close], "the import")?)
                                }
                                None => (clause, Vec::new()),
                            };
                            let mut parts = Vec::new();
                            if !default.is_empty() {
                                if !IDENT.is_match(default) {
                                    bail!("{}: cannot read the import {stmt:?}", at(i));
                                }
                                parts.push(format!("default: {default}"));
                            }
                            parts.extend(named.iter().map(|(from, to)| {
                                if from == to {
                                    to.clone()
                                } else {
                                    format!("{from}: {to}")
                                }
                            }));
                            writeln!(body, "const {{ {} }} = {var};", parts.join(", "))?;
                        }
                    }
                }
                // Keep line numbers close to the source's for error messages.
                for _ in i..end {
                    body.push('\n');
                }
                i = end + 1;
                continue;
            }
            if let Some(rest) = line.strip_prefix("export ") {
                let rest = rest.trim_start();
                if rest.starts_with('{') {
                    let (stmt, end) = statement(&lines, i, |t| {
                        t.contains('}') && (t.ends_with(';') || t.ends_with('}'))
                    })
                    .with_context(|| format!("{}: cannot read the export {line:?}", at(i)))?;
                    let inner = stmt
                        .trim()
                        .trim_start_matches("export")
                        .trim()
                        .trim_start_matches('{');
                    let close = inner
                        .find('}')
                        .with_context(|| format!("{}: unclosed export list", at(i)))?;
                    let tail = inner[close + 1..].trim().trim_end_matches(';').trim();
                    if !tail.is_empty() {
                        bail!(
                            "{}: re-exports (`export {{ ... }} from`) are not supported: {stmt:?}",
                            at(i)
                        );
                    }
                    exports.extend(
                        names(&inner[..close], "the export")?
                            .into_iter()
                            .map(|(local, name)| (name, local)),
                    );
                    for _ in i..=end {
                        body.push('\n');
                    }
                    i = end + 1;
                    continue;
                }
                if let Some(expr) = rest.strip_prefix("default ") {
                    if let Some(c) = DECL
                        .captures(expr.trim_start())
                        .filter(|c| c.name("name").is_some())
                    {
                        exports.push(("default".into(), c["name"].to_string()));
                        writeln!(body, "{expr}")?;
                    } else {
                        exports.push(("default".into(), "__authtrail_default".into()));
                        writeln!(body, "const __authtrail_default = {expr}")?;
                    }
                    i += 1;
                    continue;
                }
                let c = DECL.captures(rest).with_context(|| {
                    format!("{}: unsupported export {line:?} (export let/var, destructuring and `export *` are not bundled)", at(i))
                })?;
                let name = c
                    .name("name")
                    .or(c.name("cname"))
                    .expect("one alternative matched")
                    .as_str();
                if c.name("cname").is_some() && !Self::single_declarator(&lines, i) {
                    bail!("{}: export one constant per `export const`", at(i));
                }
                exports.push((name.to_string(), name.to_string()));
                writeln!(body, "{rest}")?;
                i += 1;
                continue;
            }
            if line.starts_with("import") || line.starts_with("export") {
                bail!("{}: cannot read {line:?}", at(i));
            }
            body.push_str(line);
            body.push('\n');
            i += 1;
        }
        self.finish_body(path, body, exports)
    }

    /// `export const A = ...;` declares one name when no top-level comma follows on its first line.
    fn single_declarator(lines: &[&str], i: usize) -> bool {
        let line = lines[i];
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for ch in line.chars() {
            match quote {
                Some(q) => {
                    if ch == q && prev != '\\' {
                        quote = None;
                    }
                }
                None => match ch {
                    '\'' | '"' | '`' => quote = Some(ch),
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => return false,
                    '/' if prev == '/' => break,
                    _ => {}
                },
            }
            prev = ch;
        }
        true
    }

    /// Module-wide rewrites: `import.meta`, worker URLs, wasm-bindgen glue.
    fn finish_body(
        &mut self,
        path: &Path,
        mut body: String,
        exports: Vec<(String, String)>,
    ) -> Result<Module> {
        if let Some(m) = DYNAMIC_IMPORT.find(&body) {
            bail!(
                "{}: dynamic import() at byte {} cannot be bundled",
                path.display(),
                m.start()
            );
        }
        let mut out = String::with_capacity(body.len());
        let mut last = 0;
        for caps in WORKER_URL.captures_iter(&body) {
            let m = caps.get(0).expect("whole match");
            let entry = resolve(path, &caps["spec"])?;
            let n = match self.workers.iter().position(|w| *w == entry) {
                Some(n) => n,
                None => {
                    self.workers.push(entry);
                    self.workers.len() - 1
                }
            };
            out.push_str(&body[last..m.start()]);
            write!(
                out,
                "new Worker({}, {{ type: 'classic'",
                Self::worker_var(n)
            )?;
            last = m.end();
        }
        out.push_str(&body[last..]);
        body = out;
        let mut wasm = None;
        if self.target == Target::Worker {
            body = body.replace("import.meta.url", "self.location.href");
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let glue_wasm = path.with_file_name(format!("{stem}_bg.wasm"));
            if self.root.join(&glue_wasm).is_file() {
                wasm = Some(glue_wasm);
            }
        }
        if body.contains("import.meta") {
            bail!("{}: import.meta is only bundled as `new Worker(new URL('./x.js', import.meta.url), {{ type: 'module' }})` or `startWorker(...)` alike", path.display());
        }
        Ok(Module {
            body,
            exports,
            wasm,
        })
    }

    /// The bundle of `entry` (relative to the root), the worker entries it starts, and whether it
    /// carries the wasm bytes.
    fn build(mut self, entry: &Path) -> Result<(String, Vec<PathBuf>, bool)> {
        let mut embedded = false;
        self.add(entry, &mut Vec::new())?;
        let mut out = String::new();
        for path in &self.order {
            let m = &self.modules[path];
            let var = self.var(path);
            writeln!(out, "// {}", path.display())?;
            writeln!(out, "const {var} = (() => {{")?;
            out.push_str(&m.body);
            let mut getters: Vec<String> = m
                .exports
                .iter()
                .map(|(name, local)| format!("get {name}() {{ return {local}; }}"))
                .collect();
            if let Some(wasm) = &m.wasm {
                let local = m
                    .exports
                    .iter()
                    .find(|(name, _)| name == "default")
                    .with_context(|| {
                        format!(
                            "{}: wasm-bindgen glue without a default export (init)",
                            path.display()
                        )
                    })?
                    .1
                    .clone();
                getters.retain(|g| !g.starts_with("get default()"));
                if self.wasm_embedded {
                    writeln!(
                        out,
                        "const __authtrail_init = (arg) => {{\n  \
                           if (arg !== undefined) return {local}(arg);\n  \
                           throw new Error('this worker is handed the compiled wasm: the single file carries it once');\n\
                         }};"
                    )?;
                } else {
                    let bytes = std::fs::read(self.root.join(wasm))
                        .with_context(|| format!("reading {}", wasm.display()))?;
                    writeln!(
                        out,
                        "const __authtrail_wasm_base64 = {};\n\
                         const __authtrail_init = (arg) => {{\n  \
                           if (arg !== undefined) return {local}(arg);\n  \
                           const text = atob(__authtrail_wasm_base64);\n  \
                           const bytes = new Uint8Array(text.length);\n  \
                           for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);\n  \
                           return {local}({{ module_or_path: bytes }});\n\
                         }};",
                        serde_json::to_string(
                            &base64::engine::general_purpose::STANDARD.encode(bytes)
                        )?
                    )?;
                    embedded = true;
                }
                writeln!(
                    out,
                    "Object.defineProperty(__authtrail_init, '__wbindgen_wasm_module', {{ get: () => {local}.__wbindgen_wasm_module }});"
                )?;
                getters.push("get default() { return __authtrail_init; }".into());
            }
            writeln!(
                out,
                "return Object.freeze({{ {} }});\n}})();",
                getters.join(", ")
            )?;
        }
        Ok((out, self.workers, embedded))
    }
}

/// A JavaScript string literal of `text` that is safe inside an HTML `<script>` element.
fn script_string(text: &str) -> Result<String> {
    Ok(serde_json::to_string(text)?
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--"))
}

/// The page's module graph from `entry` as one module script, every worker it starts included as a
/// `blob:` URL of its own classic bundle.
pub fn page(root: &Path, entry: &Path) -> Result<String> {
    let (modules, workers, _) = Bundler::new(root, Target::Page).build(entry)?;
    let mut out = String::from(
        "// The authtrail page as one module (cargo xtask dist: crates/xtask/src/bundle.rs).\n",
    );
    out.push_str(&worker_urls(root, &workers, &mut Vec::new(), &mut false)?);
    out.push_str(&modules);
    Ok(out)
}

/// The `blob:` URL constants of `workers`, each bundled as a classic script with the workers it
/// starts in turn; `stack` holds the workers being bundled (a worker starting itself, directly or
/// not, is refused); `embedded`, whether a bundle already carries the wasm bytes.
fn worker_urls(
    root: &Path,
    workers: &[PathBuf],
    stack: &mut Vec<PathBuf>,
    embedded: &mut bool,
) -> Result<String> {
    let mut out = String::new();
    for (n, worker) in workers.iter().enumerate() {
        if stack.contains(worker) {
            bail!(
                "{}: a worker starting itself is not bundled",
                worker.display()
            );
        }
        let (modules, nested, carries) = Bundler::new(root, Target::Worker)
            .wasm_embedded(*embedded)
            .build(worker)?;
        *embedded |= carries;
        stack.push(worker.clone());
        let urls = worker_urls(root, &nested, stack, embedded)?;
        stack.pop();
        let source = format!("'use strict';\n{urls}{modules}");
        writeln!(
            out,
            "const {} = URL.createObjectURL(new Blob([{}], {{ type: 'text/javascript' }}));",
            Bundler::worker_var(n),
            script_string(&source)?
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (path, contents) of the files of a test tree.
    type Files<'a> = &'a [(&'a str, &'a [u8])];

    fn tree(files: Files) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn error(files: Files) -> String {
        let dir = tree(files);
        format!(
            "{:#}",
            page(dir.path(), Path::new("js/main.js")).unwrap_err()
        )
    }

    #[test]
    fn rewrites_imports_exports_and_the_worker() {
        let dir = tree(&[
            (
                "js/main.js",
                b"import * as engine from './engine.js';\nimport {\n  a,\n  b as c,\n} from './lib/x.js';\nimport z, { y } from \"./z.js\";\nimport './side.js';\nexport const K = [1, 2];\nconsole.log(engine, a, c, z, y, K);\n",
            ),
            (
                "js/engine.js",
                b"export const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'core' });\n",
            ),
            ("js/lib/x.js", b"export function a() {}\nconst b = 2;\nexport { b };\n"),
            ("js/z.js", b"export default class Z {}\nexport async function* y() {}\n"),
            ("js/side.js", b"globalThis.side = 1;\n"),
            (
                "js/worker.js",
                b"import init, { Inspector } from '../glue.js';\ninit().then(() => new Inspector());\n",
            ),
            (
                "glue.js",
                b"export class Inspector {}\nasync function __wbg_init(m) { return new URL('glue_bg.wasm', import.meta.url), m; }\nexport { __wbg_init as initSync };\nexport default __wbg_init;\n",
            ),
            ("glue_bg.wasm", b"\0asm\x01\0\0\0"),
        ]);
        let out = page(dir.path(), Path::new("js/main.js")).unwrap();
        // Depth-first import order, each module once.
        let order: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix("// js/"))
            .collect();
        assert_eq!(
            order,
            ["engine.js", "lib/x.js", "z.js", "side.js", "main.js"]
        );
        assert!(
            out.contains("const engine = __authtrail_module_0;"),
            "{out}"
        );
        assert!(
            out.contains("const { a, b: c } = __authtrail_module_1;"),
            "{out}"
        );
        assert!(
            out.contains("const { default: z, y } = __authtrail_module_2;"),
            "{out}"
        );
        assert!(
            out.contains("get a() { return a; }, get b() { return b; }"),
            "{out}"
        );
        assert!(
            out.contains("get default() { return Z; }, get y() { return y; }"),
            "{out}"
        );
        assert!(out.contains("get K() { return K; }"), "{out}");
        assert!(
            out.contains("new Worker(__authtrail_worker_0, { type: 'classic', name: 'core' })"),
            "{out}"
        );
        assert!(
            !out.contains("import ") && !out.contains("export "),
            "{out}"
        );

        // The worker: a classic script, its wasm inlined and handed to init().
        let worker = worker_literal(&out, 1);
        assert!(
            worker.starts_with("'use strict';\n// glue.js\n"),
            "{worker}"
        );
        assert!(
            worker.contains("new URL('glue_bg.wasm', self.location.href)"),
            "{worker}"
        );
        assert!(
            worker.contains(r#"const __authtrail_wasm_base64 = "AGFzbQEAAAA=";"#),
            "{worker}"
        );
        assert!(
            worker.contains("get default() { return __authtrail_init; }"),
            "{worker}"
        );
        assert!(
            worker.contains("get initSync() { return __wbg_init; }"),
            "{worker}"
        );
        assert!(
            worker.contains("const { default: init, Inspector } = __authtrail_module_0;"),
            "{worker}"
        );
        assert!(!worker.contains("import.meta"), "{worker}");
    }

    /// The script of `__authtrail_worker_0`, whose `blob:` URL line `line` of `script` makes.
    fn worker_literal(script: &str, line: usize) -> String {
        let line = script.lines().nth(line).unwrap();
        let literal = line
            .strip_prefix("const __authtrail_worker_0 = URL.createObjectURL(new Blob([")
            .and_then(|l| l.strip_suffix("], { type: 'text/javascript' }));"))
            .unwrap_or_else(|| panic!("not a worker URL: {line}"));
        serde_json::from_str(&literal.replace("<\\/", "</")).unwrap()
    }

    #[test]
    fn a_worker_starting_a_worker_through_start_worker_makes_its_url_in_its_own_script() {
        let dir = tree(&[
            (
                "js/main.js",
                b"const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'core' });\n",
            ),
            (
                "js/worker.js",
                b"import { startWorker } from './start-worker.js';\nconst r = startWorker(new URL('./reader.js', import.meta.url), { type: 'module', name: 'reader' });\n",
            ),
            (
                "js/start-worker.js",
                b"export function startWorker(url, options) { return new Worker(url, options); }\n",
            ),
            ("js/reader.js", b"self.onmessage = () => {};\n"),
        ]);
        let out = page(dir.path(), Path::new("js/main.js")).unwrap();
        let worker = worker_literal(&out, 1);
        assert!(
            worker.starts_with("'use strict';\nconst __authtrail_worker_0 = "),
            "{worker}"
        );
        assert!(
            worker
                .contains("new Worker(__authtrail_worker_0, { type: 'classic', name: 'reader' })"),
            "{worker}"
        );
        assert!(!worker.contains("import.meta"), "{worker}");
        let reader = worker_literal(&worker, 1);
        assert_eq!(
            reader,
            "'use strict';\n// js/reader.js\nconst __authtrail_module_0 = (() => {\nself.onmessage = () => {};\nreturn Object.freeze({  });\n})();\n"
        );
    }

    #[test]
    fn the_wasm_is_embedded_once_in_the_first_worker_that_imports_the_glue() {
        let glue: &[u8] = b"export class Inspector {}\nasync function __wbg_init(m) { return new URL('glue_bg.wasm', import.meta.url), m; }\nexport default __wbg_init;\n";
        let dir = tree(&[
            (
                "js/main.js",
                b"const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'core' });\n",
            ),
            (
                "js/worker.js",
                b"import init from '../glue.js';\ninit().then(() => new Worker(new URL('./part.js', import.meta.url), { type: 'module' }).postMessage(init.__wbindgen_wasm_module));\n",
            ),
            (
                "js/part.js",
                b"import init from '../glue.js';\nself.onmessage = ({ data }) => init({ module_or_path: data });\n",
            ),
            ("glue.js", glue),
            ("glue_bg.wasm", b"\0asm\x01\0\0\0"),
        ]);
        let out = page(dir.path(), Path::new("js/main.js")).unwrap();
        let worker = worker_literal(&out, 1);
        let part = worker_literal(&worker, 1);
        let embedded = r#"const __authtrail_wasm_base64 = "AGFzbQEAAAA=";"#;
        let module = "Object.defineProperty(__authtrail_init, '__wbindgen_wasm_module', { get: () => __authtrail_default.__wbindgen_wasm_module });";
        // The worker's own scope (after its nested worker's URL) carries the bytes; the part's does not.
        let own = &worker[worker.find("// glue.js").unwrap()..];
        assert!(own.contains(embedded), "{own}");
        assert!(own.contains(module), "{own}");
        assert!(!part.contains("__authtrail_wasm_base64"), "{part}");
        assert!(
            part.contains("throw new Error('this worker is handed the compiled wasm"),
            "{part}"
        );
        assert!(part.contains(module), "{part}");
        assert_eq!(out.matches("AGFzbQEAAAA=").count(), 1, "{out}");
    }

    #[test]
    fn refuses_what_it_cannot_bundle_faithfully() {
        let cases: &[(Files, &str)] = &[
            (
                &[("js/main.js", b"export let x = 1;\n")],
                "js/main.js:1: unsupported export",
            ),
            (
                &[("js/main.js", b"export const a = 1, b = 2;\n")],
                "one constant per",
            ),
            (
                &[("js/main.js", b"export * from './a.js';\n")],
                "unsupported export",
            ),
            (
                &[("js/main.js", b"export { a } from './a.js';\n")],
                "re-exports",
            ),
            (
                &[("js/main.js", b"import x from 'lib';\n")],
                "only relative imports",
            ),
            (
                &[("js/main.js", b"const m = import('./a.js');\n")],
                "dynamic import()",
            ),
            (
                &[("js/main.js", b"console.log(import.meta.url);\n")],
                "import.meta is only bundled",
            ),
            (
                &[
                    ("js/main.js", b"import './a.js';\n"),
                    ("js/a.js", b"import './main.js';\n"),
                ],
                "import cycle through js/main.js",
            ),
            (
                &[
                    (
                        "js/main.js",
                        b"new Worker(new URL('./w.js', import.meta.url), { type: 'module' });\n",
                    ),
                    (
                        "js/w.js",
                        b"new Worker(new URL('./w.js', import.meta.url), { type: 'module' });\n",
                    ),
                ],
                "js/w.js: a worker starting itself is not bundled",
            ),
        ];
        for (files, expected) in cases {
            let message = error(files);
            assert!(
                message.contains(expected),
                "{expected:?} not in {message:?}"
            );
        }
    }
}
