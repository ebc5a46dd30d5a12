//! The `authtrail` binary as a user runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authtrail"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run authtrail");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.unwrap_or_default())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn summary_json_has_the_documented_shape_and_iso_times() {
    let story = fixture("at_logdna-export_mfa-story.ndjson");
    let pages = fixture("verify_events-api_two-pages.json");
    let out = run(
        &[
            "summary",
            "--json",
            story.to_str().unwrap(),
            pages.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    for key in [
        "name",
        "format",
        "records",
        "events",
        "duplicates",
        "errors",
    ] {
        assert!(v["files"][0].get(key).is_some(), "files[].{key}");
    }
    assert_eq!(
        (v["events"].as_u64(), v["duplicates"].as_u64()),
        (Some(16), Some(2))
    );
    let mfa = v["account_mfa"].as_array().unwrap();
    assert_eq!(mfa.len(), 4);
    assert_eq!(mfa[2]["time"], "2023-03-02T22:31:44.120Z");
    assert_eq!(
        (
            &mfa[2]["from"],
            &mfa[2]["to"],
            &mfa[2]["actor"],
            &mfa[2]["ip"]
        ),
        (
            &"TOTP4ALL".into(),
            &"NONE".into(),
            &"owner@acme.example".into(),
            &"95.165.28.14".into()
        )
    );
    assert_eq!(mfa[1]["outcome"], "failure");
    assert_eq!(v["user_mfa"][0]["setting"], "2FA");
    assert_eq!(v["auth"]["by_method"]["SMS OTP"]["failure"], 1);
    assert!(v["auth"]["users"].is_array());
}

#[test]
fn stdin_is_read_with_a_dash_and_the_text_summary_names_the_change() {
    let text = std::fs::read(fixture("at_logdna-export_mfa-story.ndjson")).unwrap();
    let out = run(&["summary", "-"], Some(&text));
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("(stdin)"), "{s}");
    assert!(
        s.contains("TOTP4ALL -> NONE  by owner@acme.example from 95.165.28.14  success"),
        "{s}"
    );
}

#[test]
fn diagnostics_do_not_fail_the_run_but_nothing_readable_does() {
    let broken = fixture("broken_mixed.ndjson");
    let out = run(&["summary", "--json", broken.to_str().unwrap()], None);
    assert!(out.status.success());
    let v = json(&out);
    assert_eq!(
        (v["events"].as_u64(), v["errors"].as_array().unwrap().len()),
        (Some(2), 4)
    );
    assert_eq!(v["errors"][1]["line"], 3);

    let fragment = fixture("samples/at_billing-account-traits-update_mfa-TOTP_doc-fragment.txt");
    let out = run(&["summary", fragment.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("nothing could be read: no events found in 1 file(s)"));

    let out = run(&["summary", "/nonexistent/export.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/export.json"));
}

#[test]
fn events_jsonl_streams_normalized_events_without_duplicates() {
    let gz = fixture("at_archive_2019-2020.ndjson.gz");
    let out = run(
        &[
            "events",
            "--jsonl",
            gz.to_str().unwrap(),
            gz.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "the second copy of the file adds nothing");
    assert_eq!(lines[0]["event"]["action"], "iam-groups.group.read");
    assert_eq!(lines[0]["event"]["time"], "2019-11-27T00:05:11.790Z");
    assert!(lines.iter().any(|l| l["event"]["outcome"] == "pending"));
}

#[test]
fn generate_is_deterministic_and_readable() {
    let a = run(&["generate", "--size", "200k", "--seed", "3"], None);
    let b = run(&["generate", "--size", "200k", "--seed", "3"], None);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.len() >= 200_000);
    let out = run(&["summary", "--json", "-"], Some(&a.stdout));
    let v = json(&out);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
    assert!(v["events"].as_u64().unwrap() > 150);
    assert!(v["account_mfa"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["to"] == "NONE"));
}
