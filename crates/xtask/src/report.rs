//! The targets checked against the figures, and the printed table.

use serde_json::{json, Value};

/// Native NDJSON ingest, MB/s of text (judged on the 100 MB export and larger).
const NATIVE_NDJSON_MB_S: f64 = 400.0;
/// The size from which the native ingest target is judged.
const NATIVE_TARGET_MB: u64 = 100;
/// NDJSON page ingest, file given to the page until the timeline is drawn.
const PAGE_NDJSON_MB_S: f64 = 250.0;
/// Page NDJSON throughput over the plain-JS reader's.
const PAGE_OVER_PLAIN: f64 = 2.0;
/// Page gzip ingest, MB/s of decompressed text.
const PAGE_GZ_MB_S: f64 = 150.0;
/// Store bytes per event beyond a fixed overhead.
const STORE_BYTES_PER_EVENT: f64 = 64.0;
/// Brush to redrawn views, at about 1 M events.
const BRUSH_MS: f64 = 16.0;
/// One page of 100 rows, worker round trip.
const ROWS_MS: f64 = 5.0;
/// dist/ gzip-compressed, in KB (1000 bytes).
const TRANSFER_GZIP_KB: f64 = 400.0;
/// The size from which the "1 GB NDJSON ingests" target is judged.
const GIGABYTE_MB: u64 = 1000;

pub fn native_events(rows: &[Value], size_mb: u64) -> usize {
    rows.iter()
        .find(|r| r["size_mb"] == size_mb && r["format"] == "ndjson")
        .and_then(|r| r["events"].as_u64())
        .unwrap_or(0) as usize
}

/// The median of `xs` (sorted here), if any.
pub(crate) fn median_of(mut xs: Vec<f64>) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    (n > 0).then(|| {
        if n % 2 == 1 {
            xs[n / 2]
        } else {
            (xs[n / 2 - 1] + xs[n / 2]) / 2.0
        }
    })
}

/// The median of an array's numbers, if any.
fn median(v: &Value) -> Option<f64> {
    median_of(v.as_array()?.iter().filter_map(Value::as_f64).collect())
}

/// Medians of the latency figures of one dataset: brush, reset, the round trips (facets summed over
/// the six facets, rows the worst of the first, middle and last page).
fn latency(d: &Value) -> Option<Value> {
    let l = d.get("latency").filter(|l| l.get("ms").is_some())?;
    let ms = &l["ms"];
    let facets: f64 = ms
        .as_object()?
        .iter()
        .filter(|(k, _)| k.starts_with("facet_"))
        .filter_map(|(_, v)| median(v))
        .sum();
    let rows = ["rows_first", "rows_middle", "rows_last"]
        .iter()
        .filter_map(|k| median(&ms[*k]))
        .fold(0.0, f64::max);
    Some(json!({
        "store_events": l["store_events"],
        "window_events": l["window_events"],
        "brush_ms": median(&l["brush_ms"]),
        "brush_painted_ms": median(&l["brush_painted_ms"]),
        "reset_ms": median(&l["reset_ms"]),
        "reset_painted_ms": median(&l["reset_painted_ms"]),
        "refresh_ms": median(&ms["refresh"]),
        "histogram_ms": median(&ms["histogram"]),
        "facets_ms": facets,
        "select_ms": median(&ms["select"]),
        "rows_ms": rows,
        "state_at_ms": median(&ms["state_at"]),
    }))
}

fn target(name: String, value: Option<f64>, unit: &str, limit: f64, at_least: bool) -> Value {
    let pass = value.map(|v| if at_least { v >= limit } else { v <= limit });
    json!({
        "target": name,
        "value": value,
        "unit": unit,
        "limit": format!("{} {limit} {unit}", if at_least { ">=" } else { "<=" }),
        "pass": pass,
    })
}

/// Every target with its measured value and pass (true / false / null when not measured).
pub fn targets(r: &Value) -> Value {
    let mut out = Vec::new();
    for row in r["native"].as_array().into_iter().flatten() {
        let judged = row["format"] == "ndjson"
            && row["size_mb"]
                .as_u64()
                .is_some_and(|s| s >= NATIVE_TARGET_MB);
        if judged {
            out.push(target(
                format!("native NDJSON ingest, {} MB", row["size_mb"]),
                row["best_text_mb_s"].as_f64(),
                "MB/s",
                NATIVE_NDJSON_MB_S,
                true,
            ));
        }
    }
    let browser = r["browser"]["datasets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for d in &browser {
        let size = &d["size_mb"];
        out.push(target(
            format!("page NDJSON end to end, {size} MB"),
            d["page"]["ndjson"]["best_text_mb_s"].as_f64(),
            "MB/s",
            PAGE_NDJSON_MB_S,
            true,
        ));
        out.push(target(
            format!("page NDJSON / plain JS, {size} MB"),
            d["ratio"]["ndjson"].as_f64(),
            "x",
            PAGE_OVER_PLAIN,
            true,
        ));
        out.push(target(
            format!("page gzip end to end (decompressed), {size} MB"),
            d["page"]["gz"]["best_text_mb_s"].as_f64(),
            "MB/s",
            PAGE_GZ_MB_S,
            true,
        ));
    }
    let gigabyte: Vec<&Value> = browser
        .iter()
        .filter(|d| d["size_mb"].as_u64().is_some_and(|s| s >= GIGABYTE_MB))
        .collect();
    let failures = gigabyte
        .iter()
        .flat_map(|d| {
            d["page"]["ndjson"]["runs"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|run| run.get("failed").is_some())
        .count();
    out.push(json!({
        "target": "1 GB NDJSON ingests without the tab failing",
        "value": if gigabyte.is_empty() { Value::Null } else { json!(failures) },
        "unit": "failed runs",
        "limit": "0 failed runs",
        "pass": if gigabyte.is_empty() { Value::Null } else { json!(failures == 0) },
    }));
    out.push(target(
        "store bytes per event (beyond the fixed overhead)".into(),
        r["store"]["bytes_per_event"].as_f64(),
        "B/event",
        STORE_BYTES_PER_EVENT,
        false,
    ));
    for d in &browser {
        if let Some(failed) = d["latency"]["failed"].as_str() {
            out.push(json!({
                "target": format!("brush to redrawn and painted views, {} MB: {failed}", d["size_mb"]),
                "value": null,
                "unit": "ms",
                "limit": format!("<= {BRUSH_MS} ms"),
                "pass": false,
            }));
        }
        if let Some(l) = latency(d) {
            let at = format!(
                "{} events, {} in the window",
                l["store_events"], l["window_events"]
            );
            out.push(target(
                format!("brush to redrawn and painted views ({at})"),
                l["brush_painted_ms"].as_f64(),
                "ms",
                BRUSH_MS,
                false,
            ));
            out.push(target(
                format!("a page of 100 rows ({at})"),
                l["rows_ms"].as_f64(),
                "ms",
                ROWS_MS,
                false,
            ));
        }
    }
    out.push(target(
        "transfer, dist/ gzip".into(),
        r["transfer"]["total"]["gzip"].as_f64().map(|b| b / 1e3),
        "KB",
        TRANSFER_GZIP_KB,
        false,
    ));
    Value::Array(out)
}

/// The brush's measure on a blank page (page-bench.js, frameFloor): what it gives with no page work.
fn print_frame_floor(floor: &Value) {
    if let Some(failed) = floor["failed"].as_str() {
        println!("  the brush's measure on a blank page failed: {failed}");
    }
    let Some(ms) = floor["painted_ms"].as_array() else {
        return;
    };
    let ms: Vec<f64> = ms.iter().filter_map(Value::as_f64).collect();
    let (lo, hi) = (
        ms.iter().copied().reduce(f64::min),
        ms.iter().copied().reduce(f64::max),
    );
    println!(
        "  the same gesture and measure on a blank page that only changes a line of text: painted {} ms \
         (median of {}, {}-{}): the wait for the next frame is in every painted figure",
        fig(median_of(ms.clone()), 1),
        ms.len(),
        fig(lo, 1),
        fig(hi, 1)
    );
}

/// `12.3` or `-`.
pub(crate) fn fig(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.digits$}"))
}

fn f(v: &Value, digits: usize) -> String {
    fig(v.as_f64(), digits)
}

fn mb(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "-".into(), |x| format!("{:.1}", x / 1e6))
}

fn best_of<'a>(runs: &'a Value, key: &str) -> Option<&'a Value> {
    runs.as_array()?
        .iter()
        .filter(|r| r.get("failed").is_none())
        .max_by(|a, b| {
            a[key]
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b[key].as_f64().unwrap_or(0.0))
        })
}

pub fn print(r: &Value) {
    println!(
        "\nauthtrail benchmark: {}, seed {}, best of {} run(s), revision {}",
        r["command"].as_str().unwrap_or(""),
        r["seed"],
        r["runs"],
        r["revision"].as_str().unwrap_or("?")
    );
    println!("machine: {}", crate::machine::line(&r["machine"]));

    println!("\nNative core: ingest from memory in 1 MiB chunks (MB/s of NDJSON text)");
    println!(
        "{:>6} {:<7} {:>9} {:>9} {:>8} {:>8} {:>10} {:>10}",
        "size", "format", "file MB", "text MB", "seconds", "MB/s", "events", "store B/ev"
    );
    for n in r["native"].as_array().into_iter().flatten() {
        let best = n["seconds"]
            .as_array()
            .and_then(|s| s.iter().filter_map(Value::as_f64).reduce(f64::min));
        println!(
            "{:>6} {:<7} {:>9} {:>9} {:>8} {:>8} {:>10} {:>10}",
            format!("{}MB", n["size_mb"]),
            n["format"].as_str().unwrap_or(""),
            mb(&n["file_bytes"]),
            mb(&n["text_bytes"]),
            best.map_or("-".into(), |s| format!("{s:.2}")),
            f(&n["best_text_mb_s"], 0),
            n["events"].to_string(),
            f(&n["store_bytes_per_event"], 1)
        );
    }
    let s = &r["store"];
    println!(
        "store model: {} B/event + {} MB fixed (least squares over {} exports)",
        f(&s["bytes_per_event"], 1),
        mb(&s["fixed_bytes"]),
        s["points"].as_array().map_or(0, Vec::len)
    );

    if let Some(sets) = r["browser"]["datasets"].as_array() {
        println!(
            "\nPage in headless Chromium {} (file input -> timeline drawn; MB/s of text; best run)",
            r["browser"]["chromium"].as_str().unwrap_or("?")
        );
        println!(
            "{:>6} {:<7} {:>9} {:>9} {:>10} {:>9} {:>8} {:>8} {:>9} {:>9}",
            "size",
            "format",
            "page MB/s",
            "to ready",
            "worker MB/s",
            "plain MB/s",
            "ratio",
            "wasm MB",
            "page heap",
            "worker heap"
        );
        for d in sets {
            for format in ["ndjson", "gz"] {
                let page = &d["page"][format];
                let best = best_of(&page["runs"], "text_mb_s");
                let failed = page["runs"].as_array().map_or(0, |a| {
                    a.iter().filter(|x| x.get("failed").is_some()).count()
                });
                let worker_mb_s = best.and_then(|b| {
                    Some(d["text_bytes"].as_f64()? / 1e6 / b["seconds_worker_done"].as_f64()?)
                });
                println!(
                    "{:>6} {:<7} {:>9} {:>9} {:>10} {:>9} {:>8} {:>8} {:>9} {:>9}{}",
                    format!("{}MB", d["size_mb"]),
                    format,
                    f(&page["best_text_mb_s"], 0),
                    best.map_or("-".into(), |b| format!("{} s", f(&b["seconds_ready"], 2))),
                    worker_mb_s.map_or("-".into(), |v| format!("{v:.0}")),
                    f(&d["plain_js"][format]["best_text_mb_s"], 0),
                    f(&d["ratio"][format], 2),
                    best.map_or("-".into(), |b| mb(&b["wasm_bytes"])),
                    best.map_or("-".into(), |b| mb(&b["js_heap"]["page_peak"])),
                    best.map_or("-".into(), |b| mb(&b["js_heap"]["worker_peak"])),
                    if failed > 0 {
                        format!("  ({failed} run(s) FAILED)")
                    } else {
                        String::new()
                    }
                );
            }
        }
        println!(
            "\nLatency on the loaded page (ms, medians of {} brushes and {} round trips; window = middle 90%)",
            r["browser"]["brushes"], r["browser"]["round_trips"]
        );
        println!(
            "{:>6} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "size",
            "events",
            "window",
            "brush",
            "painted",
            "reset",
            "painted",
            "refresh",
            "histo",
            "facets",
            "select",
            "rows",
            "moment"
        );
        for d in sets {
            if let Some(l) = latency(d) {
                println!(
                    "{:>6} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
                    format!("{}MB", d["size_mb"]),
                    l["store_events"].to_string(),
                    l["window_events"].to_string(),
                    f(&l["brush_ms"], 1),
                    f(&l["brush_painted_ms"], 1),
                    f(&l["reset_ms"], 1),
                    f(&l["reset_painted_ms"], 1),
                    f(&l["refresh_ms"], 1),
                    f(&l["histogram_ms"], 1),
                    f(&l["facets_ms"], 1),
                    f(&l["select_ms"], 1),
                    f(&l["rows_ms"], 1),
                    f(&l["state_at_ms"], 1)
                );
            }
        }
        if r["browser"]["dist_rebuilt_during_run"] == true {
            println!("  WARNING: dist/ was rebuilt during the run; these figures mix two builds");
        }
        println!("  brush / reset: pointer up to body[data-state=ready] with every view redrawn; painted: to the next frame");
        println!("  after that (its style, layout and paint; the 16 ms target is read against it); refresh: the histogram,");
        println!("  6 facets and select in the one `refresh` question main.js asks; facets: the six summed; rows: 100 rows, worst page;");
        println!("  moment: the MFA state at a moment, which main.js asks on every pointer move over the timeline");
        print_frame_floor(&r["browser"]["frame_floor"]);
    }

    if let Some(kinds) = r["transfer"]["kinds"].as_object() {
        println!("\nTransfer: dist/ (KB, gzip at the best level)");
        for (k, v) in kinds {
            println!(
                "{:>6} {:>9.1} raw {:>8.1} gzip",
                k,
                v["raw"].as_f64().unwrap_or(0.0) / 1e3,
                v["gzip"].as_f64().unwrap_or(0.0) / 1e3
            );
        }
        let t = &r["transfer"]["total"];
        println!(
            "{:>6} {:>9.1} raw {:>8.1} gzip",
            "total",
            t["raw"].as_f64().unwrap_or(0.0) / 1e3,
            t["gzip"].as_f64().unwrap_or(0.0) / 1e3
        );
    }

    println!("\nTargets (shown, not asserted)");
    for t in r["targets"].as_array().into_iter().flatten() {
        let verdict = match t["pass"].as_bool() {
            Some(true) => "pass",
            Some(false) => "MISS",
            None => "not measured",
        };
        println!(
            "  {:<66} {:>12} {:<8} {:<18} {}",
            t["target"].as_str().unwrap_or(""),
            f(&t["value"], 1),
            t["unit"].as_str().unwrap_or(""),
            t["limit"].as_str().unwrap_or(""),
            verdict
        );
    }
}
