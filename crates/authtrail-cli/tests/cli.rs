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

fn story(name: &str) -> String {
    fixture(&format!("stories/{name}"))
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

#[test]
fn findings_exit_status_gates_on_fail_on() {
    let downgrade = story("story_mfa_downgrade.ndjson");
    let out = run(&["findings", &downgrade], None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a critical finding fails the default --fail-on high"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("3 findings (1 critical, 1 high, 1 medium)"),
        "{text}"
    );
    assert!(
        text.contains("CRITICAL  Account MFA lowered from TOTP4ALL to NONE"),
        "{text}"
    );

    let out = run(&["findings", "--fail-on", "never", &downgrade], None);
    assert_eq!(out.status.code(), Some(0));
    let quiet = story("story_quiet_routine.ndjson");
    let out = run(&["findings", "--fail-on", "info", &quiet], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "No findings.");

    let out = run(&["findings", "--fail-on", "severe", &quiet], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown severity"));
}

/// Regression (issue 21): records reusing the ids of an account MFA downgrade and its `set-off`
/// companion, read first, hid it: `findings --fail-on critical` exited 0. Both records of each
/// id are kept, the downgrade fails the run, and each pair is a high finding listing both.
#[test]
fn findings_fail_on_critical_despite_records_forged_with_the_downgrades_ids() {
    let forged = story("story_forged_id.ndjson");
    let out = run(&["findings", "--fail-on", "critical", &forged], None);
    assert_eq!(out.status.code(), Some(1), "the downgrade is critical");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("3 findings (1 critical, 2 high)"),
        "{text}"
    );
    let out = run(&["findings", "--json", "--fail-on", "never", &forged], None);
    let v = json(&out);
    let reused: Vec<&serde_json::Value> = (v["findings"].as_array().unwrap().iter())
        .filter(|f| f["rule"] == "id-reused")
        .collect();
    assert_eq!(reused.len(), 2);
    let offsets: Vec<&serde_json::Value> = (reused[0]["records"].as_array().unwrap().iter())
        .map(|r| &r["offset"])
        .collect();
    assert_eq!(offsets, [0, 3080], "the forged line 1 and the real line 5");
}

/// `events` keeps a record that reuses an id with other content, and says so where it is, naming
/// the first record's line and, in another file, that file.
#[test]
fn events_streams_records_that_share_an_id_but_differ() {
    let forged = story("story_forged_id.ndjson");
    // The real downgrade once more, and a record reusing its id with another outcome.
    let real = std::fs::read_to_string(&forged).expect("story");
    let real = real.lines().nth(4).expect("line 5");
    let again = format!("{real}\n{}\n", real.replace("\"success\"", "\"failure\""));
    let out = run(
        &["events", "--jsonl", &forged, &forged, "-"],
        Some(again.as_bytes()),
    );
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let actions: Vec<String> = (stdout.lines())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["action"].to_string()
        })
        .collect();
    assert_eq!(actions.len(), 7, "the six records once, then the failure");
    assert!(actions[4].contains("accountsettings.update") && actions[5].contains("set-off"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    let kept = "not a duplicate, both are kept (finding \"records share an id but differ\")";
    let want = format!("story_forged_id.ndjson:5 (byte 3080): record shares the id \"at-0303\" with a different record at line 1 of this file: {kept}");
    assert!(lines[0].ends_with(&want), "{stderr}");
    let want = format!("(stdin):2 (byte {}): record shares the id \"at-0303\" with a different record at line 1 of {forged}: {kept}", real.len() + 1);
    assert!(lines[2].ends_with(&want), "{stderr}");
}

#[test]
fn findings_json_lists_records_and_threshold_flags_apply() {
    let takeover = story("story_verify_takeover.ndjson");
    let out = run(
        &["findings", "--json", "--fail-on", "critical", &takeover],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "no critical finding in this story"
    );
    let v = json(&out);
    assert_eq!(v["counts"]["high"], 4);
    let spray = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "password-spray")
        .expect("a spray finding");
    assert_eq!(spray["ips"], serde_json::json!(["203.0.113.250"]));
    assert_eq!(spray["records"].as_array().unwrap().len(), 6);
    assert!(spray["records"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("story_verify_takeover.ndjson"));
    assert!(spray["from"].as_str().unwrap().ends_with('Z'));

    let out = run(
        &["findings", "--json", "--spray-users", "7", &takeover],
        None,
    );
    let v = json(&out);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "password-spray"));
    assert_eq!(v["thresholds"]["spray_users"], 7);
}

#[test]
fn state_at_a_moment() {
    let downgrade = story("story_mfa_downgrade.ndjson");
    let out = run(&["state", "--at", "2024-05-08T10:00:00Z", &downgrade], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Account MFA level: NONE (no MFA required), since 2024-05-08T08:00:00.000Z (by owner@acme.example)"),
        "{text}"
    );
    let out = run(
        &["state", "--json", "--at", "1715180400000", &downgrade],
        None,
    );
    let v = json(&out);
    assert_eq!(v["account"]["level"], "LEVEL2");
    assert_eq!(v["time"], "2024-05-08T15:00:00.000Z");
    let out = run(&["state", "--at", "yesterday", &downgrade], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a time"));
}
