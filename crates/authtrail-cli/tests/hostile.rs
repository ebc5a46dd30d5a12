//! The `authtrail` binary on the hostile corpus (tests/fixtures/hostile) plus one good export:
//! it exits 0, the good file's events are all there, every broken input is listed, and reading the
//! files together gives exactly what reading each alone gives.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn good() -> PathBuf {
    fixtures().join("at_logdna-export_mfa-story.ndjson")
}

/// Every corpus file, sorted.
fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("hostile"))
        .expect("tests/fixtures/hostile")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} corpus files", files.len());
    files
}

fn run(args: &[&str], files: &[PathBuf]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authtrail"))
        .args(args)
        .args(files)
        .output()
        .expect("run authtrail")
}

fn summary(files: &[PathBuf]) -> (Option<i32>, serde_json::Value) {
    let out = run(&["summary", "--json"], files);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

fn num(v: &serde_json::Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn corpus_and_a_good_file_together_add_up_to_each_read_alone() {
    let (code, good_alone) = summary(&[good()]);
    assert_eq!(code, Some(0));
    let mut want_events = num(&good_alone, "events");
    let mut want_errors = num(&good_alone, "errors_total");
    for f in corpus() {
        let (code, v) = summary(std::slice::from_ref(&f));
        let name = f.display();
        let events = num(&v, "events");
        // Alone, a file with nothing readable exits 2; with events, 0.
        assert_eq!(code, Some(if events > 0 { 0 } else { 2 }), "{name}");
        let file = &v["files"][0];
        assert_eq!(
            num(file, "records"),
            num(file, "events") + num(file, "duplicates") + num(file, "errors"),
            "{name}: accounting identity"
        );
        assert!(num(file, "records") >= 1, "{name}: nothing reported");
        want_events += events;
        want_errors += num(&v, "errors_total");
    }

    let mut all = corpus();
    all.push(good());
    let (code, v) = summary(&all);
    assert_eq!(
        code,
        Some(0),
        "diagnostics do not fail a run that read events"
    );
    assert_eq!(v["files"].as_array().map(Vec::len), Some(all.len()));
    assert_eq!(num(&v, "events"), want_events);
    assert_eq!(num(&v, "errors_total"), want_errors);
    assert_eq!(num(&v, "duplicates"), num(&good_alone, "duplicates"));
    // The good file is read exactly as alone, its account MFA story included.
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.last(), good_alone["files"].get(0));
    let changes = v["account_mfa"].as_array().unwrap();
    for c in good_alone["account_mfa"].as_array().unwrap() {
        assert!(changes.contains(c), "{c} missing after the hostile corpus");
    }
    // Every diagnostic names its file, line, byte offset and says what is wrong.
    for e in v["errors"].as_array().unwrap() {
        assert!(
            e["file"].as_str().is_some_and(|f| f.contains("hostile")),
            "{e}"
        );
        assert!(e["line"].is_u64() && e["offset"].is_u64(), "{e}");
        assert!(e["message"].as_str().is_some_and(|m| m.len() > 10), "{e}");
    }
}

#[test]
fn summary_json_names_each_kind_of_damage_where_it_is() {
    let mut all = corpus();
    all.push(good());
    let (_, v) = summary(&all);
    let errors = v["errors"].as_array().unwrap();
    let find = |file: &str, line: u64, part: &str| {
        errors.iter().any(|e| {
            e["file"].as_str().is_some_and(|f| f.ends_with(file))
                && e["line"] == line
                && e["message"].as_str().is_some_and(|m| m.contains(part))
        })
    };
    for (file, line, part) in [
        (
            "zip.zip",
            0,
            "a zip archive; extract it and drop the files inside",
        ),
        ("utf16le-bom.json", 0, "UTF-16 text; save it as UTF-8"),
        ("empty.json", 0, "the file is empty"),
        ("gzip_of-garbage.gz", 1, "not JSON records"),
        ("nul-bytes.ndjson", 3, "control character"),
        ("duplicate-keys.ndjson", 2, "duplicate field `id`"),
        (
            "array-never-closes.json",
            4,
            "the file ends inside a JSON record",
        ),
        (
            "verify-page_events-null.json",
            1,
            "response.events.events is missing or null",
        ),
        (
            "time-year-9999-and-beyond.ndjson",
            2,
            "no readable eventTime",
        ),
    ] {
        assert!(
            find(file, line, part),
            "no diagnostic {file}:{line} \"{part}\""
        );
    }
    let file = |name: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"].as_str().is_some_and(|n| n.ends_with(name)))
            .unwrap_or_else(|| panic!("{name} not in files[]"))
            .clone()
    };
    assert_eq!(num(&file("xss_every-field.ndjson"), "events"), 11);
    assert_eq!(num(&file("xss_every-field_verify-page.json"), "events"), 4);
    assert_eq!(num(&file("pdf.pdf"), "errors"), 1);
    assert_eq!(num(&file("time-seconds-ms-us.ndjson"), "events"), 4);
}

#[test]
fn text_summary_and_event_stream_list_every_diagnostic() {
    let mut all = corpus();
    all.push(good());
    let (_, v) = summary(&all);
    let total = num(&v, "errors_total");
    assert!(total > 20);

    let out = run(&["summary"], &all);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("diagnostics {total}")), "{text}");
    assert!(
        text.contains(&format!("... and {} more (see --json)", total - 20)),
        "{text}"
    );
    let first = &v["errors"][0];
    let name = first["file"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "{name}:{} (byte {}): {}",
            first["line"],
            first["offset"],
            first["message"].as_str().unwrap()
        )),
        "{text}"
    );

    let out = run(&["events", "--jsonl"], &all);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len() as u64, num(&v, "events"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let reported = stderr.lines().filter(|l| l.contains(" (byte ")).count() as u64;
    assert_eq!(reported, total, "{stderr}");
}

#[test]
fn nothing_readable_exits_2_and_says_why() {
    let files: Vec<PathBuf> = ["zip.zip", "pdf.pdf", "empty.json", "utf16be-bom.json"]
        .iter()
        .map(|n| fixtures().join("hostile").join(n))
        .collect();
    let out = run(&["summary"], &files);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nothing could be read: no events found in 4 file(s)"),
        "{stderr}"
    );
}
