//! The browser half: `tests/e2e/bench/page-bench.js` drives the built page (dist/) in headless
//! Chromium and prints its figures as JSON.

use crate::dataset::{Dataset, Split};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

pub const SCRIPT: &str = "tests/e2e/bench/page-bench.js";

/// Fails with the command that builds whatever the browser run needs and is missing.
pub fn check(repo: &Path) -> Result<()> {
    if !repo.join("dist/index.html").is_file()
        || !repo.join("dist").join(crate::dist::SINGLE).is_file()
    {
        bail!(
            "dist/ is missing or unfinished: build the page first, from the repository root:\n    \
             trunk build --release --offline --public-url ./ && cargo xtask dist\n\
             (or skip the browser part with --native-only)"
        );
    }
    if !repo
        .join("tests/e2e/node_modules/playwright-core/package.json")
        .is_file()
    {
        bail!(
            "tests/e2e/node_modules is missing: install it with\n    scripts/setup.sh test\n\
             (or: cd tests/e2e && npm ci; or skip the browser part with --native-only)"
        );
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        bail!("node (20 or later) is not on PATH: scripts/setup.sh test installs it");
    }
    Ok(())
}

/// A dataset as the page benchmark takes it; `events`, the native core's count, when known.
pub fn dataset(s: &Dataset, events: Option<usize>) -> Value {
    json!({
        "size_mb": s.size_mb,
        "ndjson": s.ndjson,
        "gz": s.gz,
        "text_bytes": s.text_bytes,
        "events": events,
    })
}

/// The same for `s` split into files (`ndjson` and `gz` are then lists of paths, given at once).
pub fn dataset_in_files(s: &Dataset, split: &Split) -> Value {
    let mut v = dataset(s, None);
    v["ndjson"] = json!(split.ndjson);
    v["gz"] = json!(split.gz);
    v["files"] = json!(split.ndjson.len());
    v
}

/// Runs the page benchmark on `sets` (with the native event counts in `events`); returns its JSON.
pub fn run(
    repo: &Path,
    out_dir: &Path,
    sets: &[Dataset],
    events: &[usize],
    runs: usize,
    profile: bool,
) -> Result<Value> {
    run_config(
        repo,
        &json!({
            "runs": runs,
            "profile_dir": profile.then(|| out_dir.join("profiles")),
            "datasets": sets.iter().zip(events).map(|(s, e)| dataset(s, Some(*e))).collect::<Vec<_>>(),
        }),
    )
}

/// Runs the page benchmark with `config` (see the script); returns its JSON.
pub fn run_config(repo: &Path, config: &Value) -> Result<Value> {
    // The configuration goes through stdin: concurrent runs share no file.
    let mut child = Command::new("node")
        .arg(repo.join(SCRIPT))
        .arg("-")
        .current_dir(repo.join("tests/e2e"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("running node {SCRIPT}"))?;
    child
        .stdin
        .take()
        .context("node's stdin")?
        .write_all(&serde_json::to_vec(config)?)?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!("node {SCRIPT} failed ({})", output.status);
    }
    serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading the output of {SCRIPT}"))
}
