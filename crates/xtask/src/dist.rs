//! `cargo xtask dist`: finishes the dist/ Trunk built.
//!
//! - the scripts: their whole-line comments left out (strip.rs; 20 KB of the transfer, gzipped);
//! - `sw.js`: its precache list (every file of dist/ the page loads) and a version hashed from their
//!   contents, so a new build's service worker replaces the old cache.
//! - `authtrail.html`: the whole page in one file that works opened from disk (file://): the CSS
//!   and icon inlined, the module graph of js/main.js bundled into one inline module (bundle.rs),
//!   the worker and its wasm (base64) inside it, and a CSP that allows exactly those inline
//!   script and style blocks by hash, the worker by `blob:`, and no request at all.

use crate::bundle;
use anyhow::{bail, Context, Result};
use base64::Engine;
use regex::Regex;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The service worker in dist/, and the line of it this step fills in.
const SW: &str = "sw.js";
const SW_LINE: &str = "const PRECACHE = ";
/// Default name of the single file, relative to dist/.
pub const SINGLE: &str = "authtrail.html";

/// The single file's policy; the hashes are filled in.
fn single_csp(script: &str, styles: &[String]) -> String {
    let style = match styles {
        [] => "'none'".to_string(),
        _ => format!("'{}'", styles.join("' '")),
    };
    format!(
        "default-src 'none'; script-src '{script}' 'wasm-unsafe-eval'; style-src {style}; \
         img-src data: blob:; worker-src blob:; connect-src 'none'; object-src 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

static CSP_META: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*"\s*/?>"#).unwrap()
});
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<link\b[^>]*>|<script\b[^>]*>\s*</script>|<script\b[^>]*>").unwrap()
});
static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z][\w-]*)(?:\s*=\s*"([^"]*)")?"#).unwrap());
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\b(?:src|href)\s*=\s*"([^"]*)""#).unwrap());

fn sha256_base64(bytes: &[u8]) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
    )
}

/// Every file below `dir`, appended to `files`.
pub fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Leaves the whole-line comments out of dist/'s scripts (`strip.rs`); returns how many scripts
/// there are and the bytes left out. Run again, it leaves them as they are.
fn strip_scripts(dist: &Path) -> Result<(usize, usize)> {
    let mut paths = Vec::new();
    walk(dist, &mut paths)?;
    let (mut scripts, mut saved) = (0, 0);
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
    {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let stripped = crate::strip::comments(&text).with_context(|| path.display().to_string())?;
        if stripped != text {
            std::fs::write(path, &stripped)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        scripts += 1;
        saved += text.len() - stripped.len();
    }
    Ok((scripts, saved))
}

/// Fills in dist/sw.js's precache list: every file but sw.js itself and the single file.
fn precache(dist: &Path, single: &Path) -> Result<(usize, String)> {
    let mut paths = Vec::new();
    walk(dist, &mut paths)?;
    let mut files = Vec::new();
    let mut version = Sha256::new();
    let mut rels: Vec<(String, PathBuf)> = paths
        .into_iter()
        .filter(|p| p.as_path() != single)
        .map(|p| {
            let rel = p.strip_prefix(dist).expect("walked under dist");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (rel, p)
        })
        .filter(|(rel, _)| rel != SW && !rel.starts_with('.'))
        .collect();
    rels.sort();
    for (rel, path) in &rels {
        let hash = Sha256::digest(std::fs::read(path)?);
        version.update(rel.as_bytes());
        version.update([0]);
        version.update(hash);
        files.push(rel.clone());
    }
    let version: String = version.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sw_path = dist.join(SW);
    let sw = std::fs::read_to_string(&sw_path)
        .with_context(|| format!("reading {} (www/sw.js, copied by trunk)", sw_path.display()))?;
    let manifest = serde_json::json!({ "version": version, "files": files });
    let mut found = 0;
    let out: Vec<String> = sw
        .lines()
        .map(|line| {
            if line.starts_with(SW_LINE) {
                found += 1;
                format!("{SW_LINE}{manifest};")
            } else {
                line.to_string()
            }
        })
        .collect();
    if found != 1 {
        bail!(
            "{}: expected one line starting with {SW_LINE:?}, found {found}",
            sw_path.display()
        );
    }
    std::fs::write(&sw_path, out.join("\n") + "\n")?;
    Ok((files.len(), version))
}

fn attrs(tag: &str) -> Vec<(String, Option<String>)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let inner = inner
        .split_once(char::is_whitespace)
        .map_or("", |(_, rest)| rest);
    ATTR.captures_iter(inner)
        .map(|c| {
            (
                c[1].to_ascii_lowercase(),
                c.get(2).map(|v| v.as_str().to_string()),
            )
        })
        .collect()
}

fn attr<'t>(attrs: &'t [(String, Option<String>)], name: &str) -> Option<&'t str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.as_deref())
}

/// A dist/-relative reference of the page (`./style.css`, `js/main.js`) as a path under dist/.
fn local(dist: &Path, href: &str) -> Result<PathBuf> {
    let rel = href.trim_start_matches("./");
    if rel.is_empty() || rel.contains("..") || rel.contains(':') || rel.starts_with('/') {
        bail!("{href:?} is not a file beside index.html");
    }
    let path = dist.join(rel);
    if !path.is_file() {
        bail!(
            "{} (referenced by index.html) does not exist",
            path.display()
        );
    }
    Ok(path)
}

fn mime(path: &Path) -> Result<&'static str> {
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("png") => "image/png",
        _ => bail!("no data: URL type for {}", path.display()),
    })
}

/// dist/index.html as one file.
fn single_file(dist: &Path) -> Result<String> {
    let html = std::fs::read_to_string(dist.join("index.html"))
        .with_context(|| format!("reading {}/index.html", dist.display()))?;
    let mut script_hash = None;
    let mut style_hashes = Vec::new();
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for m in TAG.find_iter(&html) {
        let tag = m.as_str();
        let a = attrs(tag);
        let rel = attr(&a, "rel").map(str::to_ascii_lowercase);
        let href = attr(&a, "href");
        let replacement = if tag.starts_with("<link")
            && rel.as_deref() == Some("icon")
            && href.is_some_and(|h| h.starts_with("data:"))
        {
            tag.to_owned()
        } else if tag.starts_with("<link") && rel.as_deref() == Some("icon") {
            let path = local(dist, attr(&a, "href").context("an icon link without href")?)?;
            let data = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&path)?);
            format!(
                r#"<link rel="icon" href="data:{};base64,{data}">"#,
                mime(&path)?
            )
        } else if tag.starts_with("<link") && rel.as_deref() == Some("stylesheet") {
            let path = local(dist, attr(&a, "href").context("a stylesheet without href")?)?;
            let css = std::fs::read_to_string(&path)?;
            if css.to_ascii_lowercase().contains("</style") || css.contains("url(") {
                bail!(
                    "{}: a stylesheet with </style or url() cannot be inlined as is",
                    path.display()
                );
            }
            style_hashes.push(sha256_base64(css.as_bytes()));
            format!("<style>{css}</style>")
        } else if tag.starts_with("<script") && attr(&a, "data-single-file") == Some("omit") {
            String::new()
        } else if tag.starts_with("<script") && attr(&a, "type") == Some("module") {
            let src = attr(&a, "src").context("an inline module script in index.html")?;
            let path = local(dist, src)?;
            let entry = path.strip_prefix(dist).expect("under dist").to_path_buf();
            let js = bundle::page(dist, &entry)?;
            let lower = js.to_ascii_lowercase();
            if lower.contains("</script") || lower.contains("<!--") {
                bail!(
                    "the bundle of {} contains </script or <!--: it cannot be inlined",
                    entry.display()
                );
            }
            if script_hash.replace(sha256_base64(js.as_bytes())).is_some() {
                bail!("index.html has more than one module script: the single file bundles one");
            }
            format!(r#"<script type="module">{js}</script>"#)
        } else {
            bail!("index.html: the single-file build does not know what to do with {tag}");
        };
        out.push_str(&html[last..m.start()]);
        out.push_str(&replacement);
        last = m.end();
    }
    out.push_str(&html[last..]);
    let script = script_hash.context("index.html: no module script")?;
    if CSP_META.find_iter(&out).count() != 1 {
        bail!("index.html: expected one Content-Security-Policy meta tag");
    }
    let csp = format!(
        r#"<meta http-equiv="Content-Security-Policy" content="{}">"#,
        single_csp(&script, &style_hashes)
    );
    let out = CSP_META.replace(&out, regex::NoExpand(&csp)).into_owned();
    for c in REFERENCE.captures_iter(&out) {
        if !(c[1].starts_with("data:") || c[1].starts_with('#')) {
            bail!(
                "the single file still references {:?}: it would need a request",
                &c[1]
            );
        }
    }
    Ok(out)
}

/// `cargo xtask dist`: finishes the dist/ `trunk build --release --offline --public-url ./` wrote.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory trunk built [default: <repo>/dist]
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// The single-file page [default: DIST/authtrail.html]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(repo: &Path, args: &Args) -> Result<()> {
    let dist = args.dist.clone().unwrap_or_else(|| repo.join("dist"));
    let dist = dist.canonicalize().with_context(|| {
        format!(
            "{} (build it first: trunk build --release --offline --public-url ./)",
            dist.display()
        )
    })?;
    let out = args.out.clone().unwrap_or_else(|| dist.join(SINGLE));
    let out = match out.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent
            .canonicalize()?
            .join(out.file_name().context("--out names no file")?),
        None => std::env::current_dir()?.join(&out),
    };
    let (scripts, saved) = strip_scripts(&dist)?;
    println!(
        "{}: whole-line comments left out of {scripts} scripts ({:.1} KB)",
        dist.display(),
        saved as f64 / 1e3
    );
    let (count, version) = precache(&dist, &out)?;
    println!(
        "{}: {count} files precached, version {version}",
        dist.join(SW).display()
    );
    let html = single_file(&dist)?;
    std::fs::write(&out, &html).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}: {} bytes, opens from disk (file://)",
        out.display(),
        html.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r##"<!doctype html>
<html><head>
  <meta http-equiv="Content-Security-Policy" content="default-src 'self'">
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="./style-1.css" integrity="sha384-x"/>
  <script type="module" src="js/main.js"></script>
  <script type="module" src="js/offline.js" data-single-file="omit"></script>
</head><body><a href="#top">top</a></body></html>
"##;

    fn dist(index: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("index.html", index),
            ("favicon.svg", "<svg/>"),
            ("style-1.css", "body{color:red}"),
            ("js/main.js", "import { a } from './a.js';\nconsole.log(a);\n"),
            ("js/a.js", "export const a = 1;\n"),
            ("js/offline.js", "navigator.serviceWorker.register('sw.js');\n"),
            ("sw.js", "// head\nconst PRECACHE = { version: 'unbuilt', files: [] };\nself.x = PRECACHE;\n"),
        ];
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn scripts_lose_their_whole_line_comments_once() {
        let dir = dist(INDEX);
        let a = dir.path().join("js/a.js");
        std::fs::write(&a, "/** A doc comment. */\nexport const a = 1; // kept\n").unwrap();
        assert_eq!(strip_scripts(dir.path()).unwrap(), (4, 30));
        assert_eq!(
            std::fs::read_to_string(&a).unwrap(),
            "export const a = 1; // kept\n"
        );
        let sw = std::fs::read_to_string(dir.path().join(SW)).unwrap();
        assert!(sw.starts_with(SW_LINE), "{sw}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("style-1.css")).unwrap(),
            "body{color:red}"
        );
        assert_eq!(strip_scripts(dir.path()).unwrap(), (4, 0));
    }

    #[test]
    fn keeps_an_icon_that_is_already_a_data_url() {
        let icon = r#"<link rel="icon" href="data:image/svg+xml,%3Csvg/%3E" type="image/svg+xml">"#;
        let dir = dist(&INDEX.replace(
            r#"<link rel="icon" href="favicon.svg" type="image/svg+xml">"#,
            icon,
        ));
        let html = single_file(dir.path()).unwrap();
        assert!(html.contains(icon), "{html}");
    }

    #[test]
    fn inlines_everything_and_hashes_it_into_the_csp() {
        let dir = dist(INDEX);
        let html = single_file(dir.path()).unwrap();
        let css = "body{color:red}";
        let script = html
            .split(r#"<script type="module">"#)
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .unwrap();
        assert!(
            script.contains("const { a } = __authtrail_module_0;"),
            "{html}"
        );
        let csp = single_csp(
            &sha256_base64(script.as_bytes()),
            &[sha256_base64(css.as_bytes())],
        );
        assert!(html.contains(&format!(r#"content="{csp}""#)), "{html}");
        assert!(html.contains(&format!("<style>{css}</style>")), "{html}");
        assert!(
            html.contains(r#"<link rel="icon" href="data:image/svg+xml;base64,PHN2Zy8+">"#),
            "{html}"
        );
        assert!(
            !html.contains("offline.js") && !html.contains("style-1.css"),
            "{html}"
        );
        assert_eq!(html.matches("<script").count(), 1, "{html}");
    }

    #[test]
    fn refuses_what_would_need_a_request() {
        for (from, to, expected) in [
            (
                "favicon.svg\"",
                "https://x.example/i.svg\"",
                "is not a file beside index.html",
            ),
            (
                "</head>",
                "<script src=\"js/a.js\"></script></head>",
                "does not know what to do",
            ),
            (
                "<a href=\"#top\">",
                "<img src=\"logo.png\">",
                "still references \"logo.png\"",
            ),
            (
                "<script type=\"module\" src=\"js/main.js\"></script>",
                "",
                "no module script",
            ),
        ] {
            let dir = dist(&INDEX.replace(from, to));
            let message = format!("{:#}", single_file(dir.path()).unwrap_err());
            assert!(
                message.contains(expected),
                "{expected:?} not in {message:?}"
            );
        }
    }

    #[test]
    fn precache_lists_the_files_and_changes_version_with_their_contents() {
        let dir = dist(INDEX);
        let single = dir.path().join(SINGLE);
        std::fs::write(&single, "not listed").unwrap();
        let (count, version) = precache(dir.path(), &single).unwrap();
        let sw = std::fs::read_to_string(dir.path().join(SW)).unwrap();
        let files = r#""files":["favicon.svg","index.html","js/a.js","js/main.js","js/offline.js","style-1.css"]"#;
        assert!(sw.contains(files), "{sw}");
        assert_eq!(count, 6);
        assert!(
            sw.starts_with("// head\nconst PRECACHE = {")
                && sw.ends_with(";\nself.x = PRECACHE;\n"),
            "{sw}"
        );
        // Again: the same version (sw.js itself is not hashed); a changed file: a new one.
        assert_eq!(precache(dir.path(), &single).unwrap().1, version);
        std::fs::write(dir.path().join("js/a.js"), "export const a = 2;\n").unwrap();
        assert_ne!(precache(dir.path(), &single).unwrap().1, version);
    }
}
