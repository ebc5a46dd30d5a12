//! `cargo xtask bench`: ingest, page and latency figures on generated exports, written to a JSON file
//! and printed as a table with the targets beside them (pass / miss is shown, never asserted).
//! `cargo xtask compare --base DIR`: this dist/ against another build's, the same files loaded into
//! each in turn (compare.rs).
//! `cargo xtask dist`: finishes trunk's dist/ (the scripts without their comment lines, the service
//! worker's precache list, the single-file page dist/authtrail.html; see dist.rs).
//!
//! ```text
//! cargo xtask bench                          # 10 MB, 200 MB and 1 GB, 3 runs each: about 6 minutes on
//!                                            # 2 cores, 2 more the first time (generating the exports)
//! cargo xtask bench --sizes 10 --runs 1      # about 20 seconds: what scripts/test.sh runs
//! ```

mod browser;
mod bundle;
mod compare;
mod dataset;
mod dist;
mod machine;
mod native;
mod report;
mod strip;
mod transfer;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const USAGE: &str =
    "usage: cargo xtask bench [--sizes 10,200,1G] [--runs N] [--seed N] [--out FILE] \
                     [--native-only] [--profile]\n\
  --sizes        export sizes in MB (or with a G suffix); default 10,200,1G\n\
  --runs         runs per size and container; default 3\n\
  --seed         generator seed; default 7\n\
  --out          the JSON results; default target/bench/results.json\n\
  --native-only  skip the browser part (no dist/, Node or Chromium needed)\n\
  --profile      also write CPU profiles of the page and its worker to target/bench/profiles/";

#[derive(Debug)]
struct Args {
    sizes: Vec<u64>,
    runs: usize,
    seed: u64,
    out: Option<PathBuf>,
    native_only: bool,
    profile: bool,
}

/// `10`, `200MB`, `1G`, `1GB` -> MB.
pub(crate) fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim().to_ascii_uppercase();
    let (digits, scale) = if let Some(d) = s.strip_suffix("GB").or(s.strip_suffix('G')) {
        (d, 1000)
    } else {
        (
            s.strip_suffix("MB").or(s.strip_suffix('M')).unwrap_or(&s),
            1,
        )
    };
    let n: u64 = digits
        .parse()
        .with_context(|| format!("invalid size {s:?}"))?;
    if n == 0 {
        bail!("a size must be at least 1 MB");
    }
    Ok(n * scale)
}

/// Reads `args` as flags, each handed to `on` with `value`, which takes the word after it (missing:
/// an error naming the flag, with `usage`); `on` says whether it knew the flag, and an unknown one
/// is an error with `usage`.
pub(crate) fn flags(
    args: &[String],
    usage: &str,
    mut on: impl FnMut(&str, &mut dyn FnMut() -> Result<String>) -> Result<bool>,
) -> Result<()> {
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .with_context(|| format!("{flag} needs a value\n{usage}"))
        };
        if !on(flag, &mut value)? {
            bail!("unknown argument {flag:?}\n{usage}");
        }
    }
    Ok(())
}

fn parse_args(args: &[String]) -> Result<Args> {
    let mut a = Args {
        sizes: vec![10, 200, 1000],
        runs: 3,
        seed: 7,
        out: None,
        native_only: false,
        profile: false,
    };
    flags(args, USAGE, |flag, value| {
        match flag {
            "--sizes" => a.sizes = value()?.split(',').map(parse_size).collect::<Result<_>>()?,
            "--runs" => a.runs = value()?.parse().context("--runs")?,
            "--seed" => a.seed = value()?.parse().context("--seed")?,
            "--out" => a.out = Some(PathBuf::from(value()?)),
            "--native-only" => a.native_only = true,
            "--profile" => a.profile = true,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if a.runs == 0 {
        bail!("--runs must be at least 1");
    }
    Ok(a)
}

pub(crate) fn git_revision(repo: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .current_dir(repo)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn bench(args: &Args) -> Result<()> {
    let started = Instant::now();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let dir = repo.join("target/bench");
    let out = args.out.clone().unwrap_or_else(|| dir.join("results.json"));
    if !args.native_only {
        browser::check(&repo)?;
    }
    let sets = args
        .sizes
        .iter()
        .map(|&mb| dataset::prepare(&dir, args.seed, mb))
        .collect::<Result<Vec<_>>>()?;

    let mut native_rows = Vec::new();
    for set in &sets {
        eprintln!("native ingest: {} MB", set.size_mb);
        native_rows.extend(native::bench(set, args.runs)?);
    }
    let events: Vec<usize> = sets
        .iter()
        .map(|s| report::native_events(&native_rows, s.size_mb))
        .collect();
    let store = native::store_model(&native_rows, args.seed)?;
    let page = if args.native_only {
        Value::Null
    } else {
        browser::run(&repo, &dir, &sets, &events, args.runs, args.profile)?
    };
    let transfer = if repo.join("dist").is_dir() {
        transfer::measure(&repo.join("dist"))?
    } else {
        Value::Null
    };
    let mut results = json!({
        "command": format!("cargo xtask bench {}", std::env::args().skip(2).collect::<Vec<_>>().join(" ")),
        "unix_time": SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs(),
        "revision": git_revision(&repo),
        "machine": machine::describe(),
        "seed": args.seed,
        "runs": args.runs,
        "datasets": sets.iter().zip(&events).map(|(s, e)| json!({
            "size_mb": s.size_mb,
            "ndjson": s.ndjson,
            "gz": s.gz,
            "text_bytes": s.text_bytes,
            "gz_bytes": s.gz_bytes,
            "events": e,
        })).collect::<Vec<_>>(),
        "native": native_rows,
        "store": store,
        "browser": page,
        "transfer": transfer,
    });
    results["targets"] = report::targets(&results);
    results["seconds"] = json!(started.elapsed().as_secs_f64());
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, serde_json::to_vec_pretty(&results)?)?;
    report::print(&results);
    println!(
        "\nresults: {} ({:.0} s)",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The usage a `-h` or `--help` among `args` asks for: the command's, or all of them.
fn help(args: &[String]) -> Option<String> {
    if !args.iter().any(|a| a == "-h" || a == "--help") {
        return None;
    }
    Some(match args.first().map(String::as_str) {
        Some("bench") => USAGE.to_string(),
        Some("compare") => compare::USAGE.to_string(),
        Some("dist") => dist::USAGE.to_string(),
        _ => all_usage(),
    })
}

/// Every command's usage.
fn all_usage() -> String {
    format!("{USAGE}\n{}\n{}", compare::USAGE, dist::USAGE)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(usage) = help(&args) {
        println!("{usage}");
        return Ok(());
    }
    let repo = || {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
    };
    match args.first().map(String::as_str) {
        Some("bench") => bench(&parse_args(&args[1..])?),
        Some("compare") => compare::run(&repo()?, &args[1..]),
        Some("dist") => dist::run(&repo()?, &args[1..]),
        _ => bail!("{}", all_usage()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn help_gives_the_usage_of_the_command_asked() {
        assert_eq!(
            help(&words("bench --sizes 10 --help")).as_deref(),
            Some(USAGE)
        );
        assert_eq!(help(&words("compare -h")).as_deref(), Some(compare::USAGE));
        assert_eq!(help(&words("dist --help")).as_deref(), Some(dist::USAGE));
        let all = help(&words("--help")).unwrap();
        assert!(all.contains(USAGE) && all.contains(compare::USAGE) && all.contains(dist::USAGE));
        assert_eq!(help(&words("bench --sizes 10")), None);
    }
}
