//! `cargo xtask bench`: native ingest figures on generated exports (prints; never asserts).

use anyhow::{bail, Result};
use authtrail_core::generate::{generate, Options};
use authtrail_core::{Ingest, Store};
use std::io::Write;
use std::time::Instant;

const CHUNK: usize = 1 << 20;

struct Figures {
    input_mb: f64,
    text_mb: f64,
    seconds: f64,
    events: usize,
    store_bytes: usize,
}

fn ingest(name: &str, bytes: &[u8], text_len: usize) -> Figures {
    let start = Instant::now();
    let mut store = Store::new();
    let mut ing = Ingest::new(&mut store, name);
    for chunk in bytes.chunks(CHUNK) {
        ing.push(&mut store, chunk);
    }
    let summary = ing.finish(&mut store);
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(
        summary.records,
        summary.events + summary.duplicates + summary.errors
    );
    Figures {
        input_mb: bytes.len() as f64 / 1e6,
        text_mb: text_len as f64 / 1e6,
        seconds,
        events: store.len(),
        store_bytes: store.heap_bytes(),
    }
}

fn bench(size_mb: u64, runs: usize) -> Result<()> {
    println!("authtrail native ingest benchmark ({size_mb} MB generated, best of {runs} runs, {CHUNK} byte chunks)");
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH
    );
    let mut text = Vec::with_capacity((size_mb as usize + 1) << 20);
    generate(
        &Options {
            bytes: size_mb * 1_000_000,
            ..Options::default()
        },
        &mut text,
    )?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text)?;
    let gz = gz.finish()?;
    println!(
        "{:<8} {:>10} {:>10} {:>9} {:>12} {:>10} {:>14}",
        "input", "file MB", "text MB", "seconds", "text MB/s", "events", "store B/event"
    );
    for (name, bytes) in [("ndjson", &text), ("gzip", &gz)] {
        let best = (0..runs)
            .map(|_| ingest(name, bytes, text.len()))
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .expect("at least one run");
        println!(
            "{:<8} {:>10.1} {:>10.1} {:>9.3} {:>12.0} {:>10} {:>14.1}",
            name,
            best.input_mb,
            best.text_mb,
            best.seconds,
            best.text_mb / best.seconds,
            best.events,
            best.store_bytes as f64 / best.events as f64
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => {
            let size = args
                .iter()
                .position(|a| a == "--size")
                .and_then(|i| args.get(i + 1))
                .map_or(Ok(100), |s| s.parse())?;
            let runs = args
                .iter()
                .position(|a| a == "--runs")
                .and_then(|i| args.get(i + 1))
                .map_or(Ok(3), |s| s.parse())?;
            bench(size, runs)
        }
        _ => bail!("usage: cargo xtask bench [--size MB] [--runs N]"),
    }
}
