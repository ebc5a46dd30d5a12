//! `cargo xtask bench`: ingest, page and latency figures on generated exports, written to a JSON file
//! and printed as a table with the targets beside them (pass / miss is shown, never asserted).
//! `cargo xtask compare --base DIR`: this dist/ against another build's, the same files loaded into
//! each in turn (compare.rs).
//! `cargo xtask dist`: finishes trunk's dist/ (the scripts minified and the single-file page
//! dist/authtrail.html by esbuild, the service worker's precache list, the single file's CSP; see
//! dist.rs).
//!
//! ```text
//! cargo xtask bench                          # 10 MB, 200 MB and 1 GB, 3 runs each: about 6 minutes on
//!                                            # 2 cores, 2 more the first time (generating the exports)
//! cargo xtask bench --sizes 10 --runs 1      # about 20 seconds: what scripts/test.sh runs
//! ```

mod browser;
mod compare;
mod dataset;
mod dist;
mod machine;
mod native;
mod report;
mod transfer;

use anyhow::{bail, Context, Result};
use clap::Parser;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Project tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", about)]
enum Cli {
    /// Ingest, page and latency figures on generated exports (printed, never asserted)
    Bench(BenchArgs),
    /// This dist/ against another build's, the same files loaded into each in turn
    Compare(compare::Args),
    /// Finishes trunk's dist/: scripts minified, sw.js's precache list, dist/authtrail.html
    Dist(dist::Args),
}

#[derive(Debug, clap::Args)]
struct BenchArgs {
    /// Export sizes in MB (or with a G suffix)
    #[arg(long, value_name = "10,200,1G", value_delimiter = ',', value_parser = parse_size, default_value = "10,200,1G")]
    sizes: Vec<u64>,
    /// Runs per size and container
    #[arg(long, value_name = "N", value_parser = at_least_one, default_value_t = 3)]
    runs: usize,
    /// Generator seed
    #[arg(long, value_name = "N", default_value_t = 7)]
    seed: u64,
    /// The JSON results [default: target/bench/results.json]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Skip the browser part (no dist/, Node or Chromium needed)
    #[arg(long)]
    native_only: bool,
    /// Also write CPU profiles of the page and its worker to target/bench/profiles/
    #[arg(long)]
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

/// A count of at least 1.
pub(crate) fn at_least_one(s: &str) -> Result<usize> {
    match s.parse().with_context(|| format!("invalid count {s:?}"))? {
        0 => bail!("must be at least 1"),
        n => Ok(n),
    }
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

fn bench(args: &BenchArgs) -> Result<()> {
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

fn main() -> Result<()> {
    let repo = || {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
    };
    match Cli::parse() {
        Cli::Bench(args) => bench(&args),
        Cli::Compare(args) => compare::run(&repo()?, args),
        Cli::Dist(args) => dist::run(&repo()?, &args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(line: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(line.split_whitespace()))
    }

    /// The text `--help` prints for `line`.
    fn help(line: &str) -> String {
        let e = parse(line).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{line}");
        e.to_string()
    }

    #[test]
    fn help_gives_the_usage_of_the_command_asked() {
        let bench = help("bench --sizes 10 --help");
        assert!(
            bench.contains("--native-only") && bench.contains("[default: 10,200,1G]"),
            "{bench}"
        );
        let compare = help("compare -h");
        assert!(
            compare.contains("--base <DIR>") && compare.contains("--no-brush"),
            "{compare}"
        );
        let dist = help("dist --help");
        assert!(
            dist.contains("--dist <DIR>") && dist.contains("--out <FILE>"),
            "{dist}"
        );
        let all = help("--help");
        assert!(
            ["bench", "compare", "dist"].iter().all(|c| all.contains(c)),
            "{all}"
        );
        assert!(matches!(parse("bench --sizes 10"), Ok(Cli::Bench(_))));
    }

    #[test]
    fn bench_arguments() {
        let Cli::Bench(a) = parse("bench --sizes 10,200MB,1G --runs 1 --native-only").unwrap()
        else {
            panic!("not bench");
        };
        assert_eq!(
            (a.sizes, a.runs, a.seed, a.native_only, a.profile),
            (vec![10, 200, 1000], 1, 7, true, false)
        );
        let Cli::Bench(a) = parse("bench").unwrap() else {
            panic!("not bench");
        };
        assert_eq!((a.sizes, a.runs, a.out), (vec![10, 200, 1000], 3, None));
        for bad in [
            "bench --sizes 0",
            "bench --runs 0",
            "bench --runs",
            "bench --frobnicate",
            "frobnicate",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
