//! Native ingest: the core reading an export from memory in 1 MiB chunks, as the CLI does.

use crate::dataset::Dataset;
use anyhow::Result;
use authtrail_core::generate::{generate, Options};
use authtrail_core::{Ingest, Store};
use serde_json::{json, Value};
use std::time::Instant;

const CHUNK: usize = 1 << 20;

struct Run {
    seconds: f64,
    events: usize,
    store_bytes: usize,
}

fn ingest(name: &str, bytes: &[u8]) -> Run {
    let start = Instant::now();
    let mut store = Store::new();
    let mut ing = Ingest::new(&mut store, name);
    for chunk in bytes.chunks(CHUNK) {
        ing.push(&mut store, chunk);
    }
    let summary = ing.finish(&mut store);
    store.compact();
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(
        summary.records,
        summary.events + summary.duplicates + summary.errors,
        "accounting identity"
    );
    Run {
        seconds,
        events: store.len(),
        store_bytes: store.heap_bytes(),
    }
}

/// `runs` ingests of each container of `set`: one JSON object per container.
pub fn bench(set: &Dataset, runs: usize) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for (format, path) in [("ndjson", &set.ndjson), ("gz", &set.gz)] {
        let bytes = std::fs::read(path)?;
        let results: Vec<Run> = (0..runs).map(|_| ingest(format, &bytes)).collect();
        let best = results
            .iter()
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .expect("at least one run");
        out.push(json!({
            "size_mb": set.size_mb,
            "format": format,
            "file_bytes": bytes.len(),
            "text_bytes": set.text_bytes,
            "seconds": results.iter().map(|r| r.seconds).collect::<Vec<_>>(),
            "best_text_mb_s": set.text_bytes as f64 / 1e6 / best.seconds,
            "events": best.events,
            "store_bytes": best.store_bytes,
            "store_bytes_per_event": best.store_bytes as f64 / best.events.max(1) as f64,
        }));
    }
    Ok(out)
}

/// Store bytes as `fixed + per_event * events`, fitted (least squares) over the NDJSON rows and a
/// 1 MB export read here, so that even one benchmark size gives both figures.
pub fn store_model(rows: &[Value], seed: u64) -> Result<Value> {
    let mut small = Vec::new();
    generate(
        &Options {
            seed,
            bytes: 1_000_000,
            ..Options::default()
        },
        &mut small,
    )?;
    let one = ingest("ndjson", &small);
    let mut points = vec![(one.events as f64, one.store_bytes as f64)];
    points.extend(
        rows.iter()
            .filter(|r| r["format"] == "ndjson")
            .filter_map(|r| {
                Some((
                    r["events"].as_u64()? as f64,
                    r["store_bytes"].as_u64()? as f64,
                ))
            }),
    );
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let per_event = if sxx > 0.0 { sxy / sxx } else { my / mx };
    Ok(json!({
        "bytes_per_event": per_event,
        "fixed_bytes": my - per_event * mx,
        "points": points.iter().map(|(x, y)| json!({"events": x, "store_bytes": y})).collect::<Vec<_>>(),
    }))
}
