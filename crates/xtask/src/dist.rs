//! `cargo xtask dist`: finishes the dist/ Trunk built.
//!
//! - `node scripts/dist.mjs` (esbuild): the scripts minified, and the single-file page
//!   `authtrail.html`, the whole page in one file that works opened from disk (file://);
//! - `sw.js`: its precache list (every file of dist/ the page loads) and a version hashed from their
//!   contents, so a new build's service worker replaces the old cache;
//! - the single file's CSP: it allows exactly its inline script and style blocks by hash, the
//!   workers by `blob:`, and no request at all.

use anyhow::{bail, ensure, Context, Result};
use base64::Engine;
use regex::Regex;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
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
/// An inline script or style block of the single file (its contents never hold `</script` or
/// `</style`: checked by `seal`).
static SCRIPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<script\b[^>]*>(.*?)</script>").unwrap());
static STYLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<style\b[^>]*>(.*?)</style>").unwrap());
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

/// The single file `html` as scripts/dist.mjs wrote it, with the CSP that allows its one inline
/// script and its inline styles by hash; refused when it would need a request or an inline block
/// could end early.
fn seal(html: &str) -> Result<String> {
    for c in REFERENCE.captures_iter(html) {
        if !(c[1].starts_with("data:") || c[1].starts_with('#')) {
            bail!(
                "the single file still references {:?}: it would need a request",
                &c[1]
            );
        }
    }
    let lower = html.to_ascii_lowercase();
    for (open, close, blocks) in [
        ("<script", "</script", 1),
        ("<style", "</style", STYLE.find_iter(html).count()),
    ] {
        ensure!(
            lower.matches(open).count() == blocks && lower.matches(close).count() == blocks,
            "the single file has {open} or {close} outside its {blocks} inline block(s): it may end early"
        );
    }
    let script = SCRIPT
        .captures(html)
        .context("the single file has no inline script")?;
    ensure!(
        !script[1].contains("<!--"),
        "the single file's script holds <!--: it may not end where it should"
    );
    let styles: Vec<String> = STYLE
        .captures_iter(html)
        .map(|c| sha256_base64(c[1].as_bytes()))
        .collect();
    ensure!(
        CSP_META.find_iter(html).count() == 1,
        "index.html: expected one Content-Security-Policy meta tag"
    );
    let csp = format!(
        r#"<meta http-equiv="Content-Security-Policy" content="{}">"#,
        single_csp(&sha256_base64(script[1].as_bytes()), &styles)
    );
    Ok(CSP_META.replace(html, regex::NoExpand(&csp)).into_owned())
}

/// `node scripts/dist.mjs DIST OUT`: dist/'s scripts minified, the single file written (its CSP
/// still the served page's).
fn esbuild(repo: &Path, dist: &Path, out: &Path) -> Result<()> {
    ensure!(
        repo.join("node_modules/esbuild").is_dir(),
        "{} has no node_modules/esbuild: run scripts/setup.sh (npm ci)",
        repo.display()
    );
    let status = Command::new("node")
        .arg(repo.join("scripts/dist.mjs"))
        .args([dist, out])
        .status()
        .context("running node scripts/dist.mjs (Node.js is needed to build dist/)")?;
    ensure!(status.success(), "node scripts/dist.mjs failed ({status})");
    Ok(())
}

/// `cargo xtask dist`: finishes the dist/ `trunk build --release --offline --public-url ./` wrote.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory trunk built [default: the repository's dist/]
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
    esbuild(repo, &dist, &out)?;
    let (count, version) = precache(&dist, &out)?;
    println!(
        "{}: {count} files precached, version {version}",
        dist.join(SW).display()
    );
    let html = seal(
        &std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?,
    )?;
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

    const SINGLE_FILE: &str = r##"<!doctype html>
<html><head>
  <meta http-equiv="Content-Security-Policy" content="default-src 'self'">
  <link rel="icon" href="data:image/svg+xml,%3Csvg/%3E" type="image/svg+xml">
  <style>body{color:red}</style>
  <script type="module">console.log(1)</script>
</head><body><a href="#top">top</a></body></html>
"##;

    #[test]
    fn seal_allows_the_inline_script_and_style_by_hash() {
        let html = seal(SINGLE_FILE).unwrap();
        let csp = single_csp(
            &sha256_base64(b"console.log(1)"),
            &[sha256_base64(b"body{color:red}")],
        );
        assert_eq!(
            html,
            SINGLE_FILE.replace("default-src 'self'", &csp),
            "{html}"
        );
        assert!(csp.contains("connect-src 'none'") && csp.contains("worker-src blob:"));
        // Sealed again: the same file.
        assert_eq!(seal(&html).unwrap(), html);
    }

    #[test]
    fn seal_refuses_what_would_need_a_request_or_end_early() {
        for (from, to, expected) in [
            (
                "<a href=\"#top\">",
                "<img src=\"logo.png\">",
                "still references \"logo.png\"",
            ),
            (
                "console.log(1)",
                "console.log('</script>')",
                "outside its 1 inline block",
            ),
            (
                "</head>",
                "<script>x</script></head>",
                "outside its 1 inline block",
            ),
            ("console.log(1)", "a<!--b", "holds <!--"),
            ("body{color:red}", "body{content:'</style>'}", "outside its"),
            (
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">",
                "",
                "one Content-Security-Policy",
            ),
        ] {
            let html = SINGLE_FILE.replace(from, to);
            assert_ne!(html, SINGLE_FILE, "{from:?}");
            let message = format!("{:#}", seal(&html).unwrap_err());
            assert!(
                message.contains(expected),
                "{expected:?} not in {message:?}"
            );
        }
    }

    fn dist() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("index.html", "<!doctype html>"),
            ("favicon.ico", "ico"),
            ("style-1.css", "body{color:red}"),
            ("js/main.js", "import { a } from './a.js';\nconsole.log(a);\n"),
            ("js/a.js", "export const a = 1;\n"),
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
    fn precache_lists_the_files_and_changes_version_with_their_contents() {
        let dir = dist();
        let single = dir.path().join(SINGLE);
        std::fs::write(&single, "not listed").unwrap();
        let (count, version) = precache(dir.path(), &single).unwrap();
        let sw = std::fs::read_to_string(dir.path().join(SW)).unwrap();
        let files = r#""files":["favicon.ico","index.html","js/a.js","js/main.js","style-1.css"]"#;
        assert!(sw.contains(files), "{sw}");
        assert_eq!(count, 5);
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
