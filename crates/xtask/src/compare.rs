//! `cargo xtask compare --base DIR`: this dist/ against another build's, loaded in turn. On a machine
//! whose speed moves from one quarter of an hour to the next, two builds' figures taken minutes
//! apart say little; the same file loaded into each build's page alternately, round after round,
//! says which is faster and by how much.
//!
//! ```text
//! git worktree add /tmp/base <revision> && (cd /tmp/base && trunk build --release --offline --public-url ./)
//! cargo xtask compare --base /tmp/base/dist --sizes 200 --rounds 8
//! cargo xtask compare --base /tmp/base/dist --sizes 1G --files 100 --formats ndjson,gz --no-brush
//! ```

use crate::report::{fig, median_of as median};
use crate::{at_least_one, browser, dataset, parse_size, transfer};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// `cargo xtask compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Another build's dist/ (trunk build); this one's is dist/
    #[arg(long, value_name = "DIR")]
    base: PathBuf,
    /// Export sizes in MB (or with a G suffix)
    #[arg(long, value_name = "200", value_delimiter = ',', value_parser = parse_size, default_value = "200")]
    sizes: Vec<u64>,
    /// Loads of each file into each build
    #[arg(long, value_name = "N", value_parser = at_least_one, default_value_t = 6)]
    rounds: usize,
    /// ndjson, gz or both
    #[arg(long, value_name = "ndjson,gz", value_delimiter = ',', value_parser = ["ndjson", "gz"], default_value = "ndjson")]
    formats: Vec<String>,
    /// The export split into this many files of whole lines, loaded at once
    #[arg(long, value_name = "N", value_parser = at_least_one, default_value_t = 1)]
    files: usize,
    /// Skip the brush latency after each NDJSON load
    #[arg(long = "no-brush", action = clap::ArgAction::SetFalse)]
    brush: bool,
    /// Generator seed
    #[arg(long, value_name = "N", default_value_t = 7)]
    seed: u64,
    /// The JSON results [default: target/bench/compare.json]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(repo: &Path, args: Args) -> Result<()> {
    browser::check(repo)?;
    let base = args
        .base
        .canonicalize()
        .with_context(|| format!("--base {}", args.base.display()))?;
    if !base.join("index.html").is_file() {
        bail!("{} has no index.html: not a built dist/", base.display());
    }
    let dir = repo.join("target/bench");
    let sets = (args.sizes.iter())
        .map(|&mb| dataset::prepare(&dir, args.seed, mb))
        .collect::<Result<Vec<_>>>()?;
    let page = browser::run_config(
        repo,
        &json!({ "compare": {
            "base": base,
            "rounds": args.rounds,
            "formats": args.formats,
            "brush": args.brush,
            "datasets": sets.iter().map(|s| match args.files {
                1 => Ok(browser::dataset(s, None)),
                n => Ok(browser::dataset_in_files(s, &dataset::split(s, n)?)),
            }).collect::<Result<Vec<_>>>()?,
        }}),
    )?;
    let results = json!({
        "command": format!("cargo xtask compare {}", std::env::args().skip(2).collect::<Vec<_>>().join(" ")),
        "revision": crate::git_revision(repo),
        "machine": crate::machine::describe(),
        "browser": page,
        "transfer": {
            "dist": transfer::measure(&repo.join("dist"))?,
            "base": transfer::measure(&base)?,
        },
    });
    let out = args.out.unwrap_or_else(|| dir.join("compare.json"));
    std::fs::write(&out, serde_json::to_vec_pretty(&results)?)?;
    print(&results);
    println!("\nresults: {}", out.display());
    Ok(())
}

/// Each run's `key` (a number, or every number of an array) where the run did not fail.
fn figures(runs: &Value, key: &[&str]) -> Vec<f64> {
    let mut out = Vec::new();
    for run in runs.as_array().into_iter().flatten() {
        let v = key.iter().fold(run, |v, k| &v[*k]);
        match v {
            Value::Array(a) => out.extend(a.iter().filter_map(Value::as_f64)),
            v => out.extend(v.as_f64()),
        }
    }
    out
}

fn print(r: &Value) {
    let c = &r["browser"]["compare"];
    println!(
        "authtrail compare: {}, revision {}\nmachine: {}\nbase: {}",
        r["command"].as_str().unwrap_or_default(),
        r["revision"].as_str().unwrap_or("?"),
        crate::machine::line(&r["machine"]),
        c["base"].as_str().unwrap_or("?"),
    );
    for d in c["datasets"].as_array().into_iter().flatten() {
        let text_mb = d["text_bytes"].as_f64().unwrap_or(0.0) / 1e6;
        let files = match d["files"].as_u64() {
            Some(n) if n > 1 => format!(" in {n} files"),
            _ => String::new(),
        };
        println!(
            "\n{} MB {}{files}, {} rounds, each build in turn (file input's change to ready; brush: pointer up to the next frame painted)",
            d["size_mb"], d["format"].as_str().unwrap_or("?"), c["rounds"]
        );
        println!(
            "  {:<6} {:>9} {:>7} {:>13} {:>8} {:>14} {:>14} {:>10}",
            "build",
            "median s",
            "MB/s",
            "range s",
            "wasm MB",
            "brush painted",
            "reset painted",
            "faster in"
        );
        let ready = |b: &str| {
            (d["runs"][b].as_array().into_iter().flatten())
                .map(|run| run["seconds_ready"].as_f64())
                .collect::<Vec<_>>()
        };
        let (dist, base) = (ready("dist"), ready("base"));
        for (name, own, other) in [("dist", &dist, &base), ("base", &base, &dist)] {
            let runs = &d["runs"][name];
            let ok: Vec<f64> = own.iter().flatten().copied().collect();
            let m = median(ok.clone());
            let range = (ok.iter().copied().reduce(f64::min))
                .zip(ok.iter().copied().reduce(f64::max))
                .map_or_else(|| "-".into(), |(a, b)| format!("{a:.2}-{b:.2}"));
            let won = (own.iter().zip(other))
                .filter(|(a, b)| matches!((a, b), (Some(a), Some(b)) if a < b))
                .count();
            let failed = own.iter().filter(|v| v.is_none()).count();
            println!(
                "  {:<6} {:>9} {:>7} {:>13} {:>8} {:>14} {:>14} {:>10}{}",
                name,
                fig(m, 2),
                fig(m.map(|s| text_mb / s), 0),
                range,
                fig(median(figures(runs, &["wasm_bytes"])).map(|b| b / 1e6), 1),
                fig(median(figures(runs, &["latency", "brush_painted_ms"])), 1),
                fig(median(figures(runs, &["latency", "reset_painted_ms"])), 1),
                format!("{won} of {}", own.len()),
                if failed > 0 {
                    format!("  ({failed} failed)")
                } else {
                    String::new()
                },
            );
        }
    }
    let gz = |b: &str, k: &str| {
        r["transfer"][b]["kinds"][k]["gzip"]
            .as_f64()
            .map(|v| v / 1e3)
    };
    println!("\nTransfer, gzip KB (wasm, JS):");
    for b in ["dist", "base"] {
        println!(
            "  {:<6} {:>7} ({}, {})",
            b,
            fig(
                r["transfer"][b]["total"]["gzip"].as_f64().map(|v| v / 1e3),
                1
            ),
            fig(gz(b, "wasm"), 1),
            fig(gz(b, "js"), 1),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_take_numbers_and_arrays_and_skip_failed_runs() {
        let runs = json!([
            {"seconds_ready": 1.5, "latency": {"brush_painted_ms": [20.0, 30.0]}},
            {"failed": "the page crashed"},
            {"seconds_ready": 0.5, "latency": {"failed": "no pointer-up"}},
        ]);
        assert_eq!(figures(&runs, &["seconds_ready"]), [1.5, 0.5]);
        assert_eq!(
            figures(&runs, &["latency", "brush_painted_ms"]),
            [20.0, 30.0]
        );
        assert_eq!(median(vec![3.0, 1.0, 2.0, 10.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }

    fn parse(line: &str) -> Result<Args, clap::Error> {
        match <crate::Cli as clap::Parser>::try_parse_from(
            ["xtask", "compare"]
                .into_iter()
                .chain(line.split_whitespace()),
        )? {
            crate::Cli::Compare(a) => Ok(a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arguments() {
        let a = parse("--base x --sizes 1G").unwrap();
        assert_eq!(
            (a.sizes, a.rounds, a.files, a.brush, a.formats),
            (vec![1000], 6, 1, true, vec!["ndjson".to_string()])
        );
        let a = parse("--base x --files 100 --no-brush --formats ndjson,gz").unwrap();
        assert_eq!((a.files, a.brush, a.formats.len()), (100, false, 2));
        let none = parse("--base x --files 0").unwrap_err().to_string();
        assert!(none.contains("at least 1"), "{none}");
        assert!(parse("--sizes 10")
            .unwrap_err()
            .to_string()
            .contains("--base <DIR>"));
        assert!(parse("--base x --formats zip")
            .unwrap_err()
            .to_string()
            .contains("zip"));
    }
}
