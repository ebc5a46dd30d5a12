//! The caps (`--max-record-bytes`, `--max-events`), the subsets (`--mfa-only`, `--from` / `--to`)
//! and `authtrail extract`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authtrail"))
        .args(args)
        .output()
        .expect("run authtrail")
}

fn ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `summary --json` of `args` (whatever the exit status: an empty extract reads as nothing).
fn summary(args: &[&str]) -> Value {
    let out = run(&[&["summary", "--json"], args].concat());
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A fresh temporary folder for one test.
fn temp(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authtrail-limits-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What an MFA subset must keep: the event count, both histories, the authentication results.
fn mfa_part(v: &Value) -> Value {
    serde_json::json!({
        "events": v["events"], "account_mfa": v["account_mfa"], "user_mfa": v["user_mfa"],
        "auth": v["auth"],
    })
}

/// Extracts `inputs` to one file and checks that it reads back to the MFA-relevant part of the
/// whole; returns the extract's summary.
fn extract_matches(dir: &Path, label: &str, inputs: &[&str]) -> Value {
    let out = dir.join(format!("{label}.ndjson"));
    let run = run(&[&["extract", "-o", path(&out)], inputs].concat());
    let subset = summary(&[&["--mfa-only"], inputs].concat());
    let whole = summary(inputs);
    // Exit status 2 only when nothing could be read at all.
    assert_eq!(
        run.status.success(),
        whole["events"] != 0,
        "{label}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let extract = summary(&[path(&out)]);
    // After the events, the records outside the subset that name IAM IDs the events use.
    let told = String::from_utf8_lossy(&run.stderr);
    let namings: u64 = told
        .split_once(" record(s) outside the subset that give the names")
        .map_or(0, |(before, _)| {
            before.rsplit(' ').next().unwrap().parse().unwrap()
        });
    if namings == 0 {
        assert_eq!(mfa_part(&extract), mfa_part(&subset), "{label}");
    } else {
        let events = |v: &Value| v["events"].as_u64().unwrap();
        assert_eq!(events(&extract), events(&subset) + namings, "{label}");
    }
    assert_eq!(extract["account_mfa"], whole["account_mfa"], "{label}");
    assert_eq!(extract["user_mfa"], whole["user_mfa"], "{label}");
    // The same names (the records that gave them are in another file, at other lines).
    let names = |v: &Value| -> Vec<Value> {
        let names = |a: &Value| -> Vec<Value> {
            let others = a["other_names"].as_array().map_or(&[][..], Vec::as_slice);
            others.iter().map(|o| o["name"].clone()).collect()
        };
        (v["aliases"].as_array().unwrap().iter())
            .map(|a| serde_json::json!([a["id"], a["name"], names(a)]))
            .collect()
    };
    assert_eq!(names(&extract), names(&subset), "{label}");
    // Nothing unreadable, except that an empty extract is an empty file; what the records read
    // gave (an undocumented MFA level) is told again.
    let empty = extract["events"] == 0 && extract["errors"][0]["message"] == "the file is empty";
    let told_again = (extract["errors"].as_array().unwrap().iter()).all(|e| {
        let told = subset["errors"].as_array().unwrap().iter();
        told.map(|t| &t["message"]).any(|m| *m == e["message"])
    });
    assert!(
        extract["errors_total"] == 0 || empty || told_again,
        "{label}: {}",
        extract["errors"]
    );
    extract
}

#[test]
fn extract_reads_back_to_the_mfa_relevant_events_of_every_fixture() {
    let dir = temp("fixtures");
    let mut inputs = Vec::new();
    for sub in ["", "stories", "samples"] {
        for entry in std::fs::read_dir(fixtures().join(sub)).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            if p.is_file() && !name.ends_with(".source.txt") && name != "README.md" {
                inputs.push(p);
            }
        }
    }
    inputs.sort();
    assert!(inputs.len() > 20, "{inputs:?}");
    let mut with_mfa = 0;
    for (k, p) in inputs.iter().enumerate() {
        let v = extract_matches(&dir, &format!("f{k}"), &[path(p)]);
        with_mfa += usize::from(v["events"].as_u64().unwrap() > 0);
    }
    assert!(with_mfa >= 6, "only {with_mfa} fixtures hold MFA events");
    let all: Vec<&str> = inputs.iter().map(|p| path(p)).collect();
    let v = extract_matches(&dir, "all", &all);
    assert!(v["account_mfa"].as_array().unwrap().len() >= 5, "{v}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extract_of_a_generated_export_is_smaller_and_reads_back_to_its_mfa_events() {
    let dir = temp("generated");
    let plain = dir.join("export.ndjson");
    let gz = dir.join("export.ndjson.gz");
    std::fs::write(&plain, ok(&["generate", "--size", "3MB"]).stdout).unwrap();
    std::fs::write(
        &gz,
        ok(&["generate", "--size", "2MB", "--seed", "11", "--gzip"]).stdout,
    )
    .unwrap();
    let v = extract_matches(&dir, "generated", &[path(&plain), path(&gz)]);
    // The story changes a user's 2FA by IAM ID (flat form) and by e-mail address (diff form):
    // the extract, read alone, still shows one user, as the whole export does.
    let named = v["aliases"].as_array().unwrap();
    assert!(
        named
            .iter()
            .any(|a| a["id"].as_str().unwrap().starts_with("IBMid-")),
        "{named:?}"
    );
    assert!(
        v["user_mfa"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["user"].as_str().unwrap().starts_with("IBMid-")),
        "{}",
        v["user_mfa"]
    );
    let events = v["events"].as_u64().unwrap();
    assert!(events > 500, "{events}");
    let size = std::fs::metadata(dir.join("generated.ndjson"))
        .unwrap()
        .len();
    assert!(size < 3_000_000 / 3, "the extract is {size} bytes");
    let out = ok(&[
        "extract",
        "-o",
        path(&dir.join("again.ndjson")),
        path(&plain),
    ]);
    let told = String::from_utf8_lossy(&out.stderr);
    assert!(
        told.contains("MFA-relevant event(s) to") && told.contains("outside the subset"),
        "{told}"
    );
    // With a time range too: only the MFA events inside it.
    let (from, to) = ("2024-03-08T00:00:00Z", "2024-03-15T00:00:00Z");
    let ranged = dir.join("ranged.ndjson");
    ok(&[
        "extract",
        "--from",
        from,
        "--to",
        to,
        "-o",
        path(&ranged),
        path(&plain),
    ]);
    let r = summary(&[path(&ranged)]);
    let want = summary(&["--mfa-only", "--from", from, "--to", to, path(&plain)]);
    assert_eq!(mfa_part(&r), mfa_part(&want));
    let n = r["events"].as_u64().unwrap();
    assert!(n > 0 && n < events, "{n} of {events}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extract_refuses_to_overwrite_an_input() {
    let dir = temp("overwrite");
    let file = dir.join("in.ndjson");
    std::fs::write(&file, ok(&["generate", "--size", "100k"]).stdout).unwrap();
    let before = std::fs::read(&file).unwrap();
    let out = run(&["extract", "-o", path(&file), path(&file)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is also an input file"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_events_cap_keeps_that_many_and_says_how_to_raise_it() {
    let dir = temp("cap");
    let file = dir.join("in.ndjson");
    std::fs::write(&file, ok(&["generate", "--size", "500k"]).stdout).unwrap();
    let v = summary(&["--max-events", "100", path(&file)]);
    assert_eq!(v["events"], 100);
    let f = &v["files"][0];
    let over = f["over_cap"].as_u64().unwrap();
    assert!(over > 100, "{f}");
    assert_eq!(
        f["records"].as_u64().unwrap(),
        100 + f["duplicates"].as_u64().unwrap() + f["errors"].as_u64().unwrap() + over
    );
    let note = f["note"].as_str().unwrap();
    assert!(
        note.contains("at most 100 events")
            && note.contains(&format!("{over} more record(s)"))
            && note.contains("--max-events"),
        "{note}"
    );
    // The text summary and the other commands say it too.
    let text =
        String::from_utf8(ok(&["summary", "--max-events", "100", path(&file)]).stdout).unwrap();
    assert!(
        text.contains("Events cap reached: at most 100 events"),
        "{text}"
    );
    let findings = run(&["findings", "--max-events", "100", path(&file)]);
    assert!(String::from_utf8_lossy(&findings.stderr).contains("Events cap reached"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_record_size_cap_is_a_flag() {
    let dir = temp("record");
    let file = dir.join("in.ndjson");
    let big = format!(
        r#"{{"id":"x","eventTime":"2024-05-01T10:00:00Z","action":"a.b.c","outcome":"success","pad":"{}"}}"#,
        "p".repeat(5000)
    );
    let small =
        r#"{"id":"y","eventTime":"2024-05-01T10:00:00Z","action":"a.b.c","outcome":"success"}"#;
    std::fs::write(&file, format!("{big}\n{small}\n")).unwrap();
    let v = summary(&["--max-record-bytes", "1k", path(&file)]);
    assert_eq!(
        (v["events"].as_u64(), v["errors_total"].as_u64()),
        (Some(1), Some(1))
    );
    let message = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("1000 byte limit") && message.contains("--max-record-bytes"),
        "{message}"
    );
    assert_eq!(summary(&[path(&file)])["events"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_time_range_on_summary_keeps_the_events_inside_it() {
    let story = fixtures().join("at_logdna-export_mfa-story.ndjson");
    let whole = summary(&[path(&story)]);
    let changes = whole["account_mfa"].as_array().unwrap();
    assert!(changes.len() >= 3);
    let (from, to) = (
        changes[1]["time"].as_str().unwrap(),
        changes[2]["time"].as_str().unwrap(),
    );
    let v = summary(&["--from", from, "--to", to, path(&story)]);
    let kept = v["account_mfa"].as_array().unwrap();
    assert!(!kept.is_empty() && kept.len() < changes.len(), "{kept:?}");
    assert!(kept.iter().all(|c| {
        let t = c["time"].as_str().unwrap();
        t >= from && t < to
    }));
    assert!(v["files"][0]["outside_subset"].as_u64().unwrap() > 0);
}

/// Runs the binary under `ulimit -v` (KiB of address space) with `args`.
fn run_within(kib: u64, args: &[&str]) -> Output {
    let mut script = format!("ulimit -v {kib} && exec \"$0\"");
    for k in 1..=args.len() {
        script.push_str(&format!(" \"${k}\""));
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_authtrail"))
        .args(args)
        .output()
        .expect("run authtrail under ulimit")
}

const LOGIN: &str = r#"{"id":"ok-1","eventTime":"2024-05-01T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}"#;

/// Regression: each 1 MB read of a gzip file was inflated at once, so a newline bomb (64 MB of
/// line ends in 64 KB, read in one piece) held its whole text twice.
/// Inflated in pieces, it reads within 100 MB of address space.
#[test]
fn a_gzip_newline_bomb_is_read_in_bounded_memory() {
    use std::io::Write;
    let dir = temp("bomb");
    let file = dir.join("bomb.ndjson.gz");
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b'\n'; 64 << 20]).unwrap();
    writeln!(z, "{LOGIN}").unwrap();
    let z = z.finish().unwrap();
    assert!(z.len() < 1 << 20, "{} bytes: read in one piece", z.len());
    std::fs::write(&file, &z).unwrap();
    let out = run_within(100_000, &["summary", "--json", path(&file)]);
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["events"].as_u64(), v["errors_total"].as_u64()),
        (Some(1), Some(0))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Regression: past 65,536 files `summary` and `findings` panicked and `events --jsonl` named the
/// 65,536th file for the events of every later one. The 65,537th is listed as not read; every
/// event names its own file. (One file named 65,535 times, then two others: the same 65,537 files
/// to the reader, without making as many.)
#[test]
fn the_65537th_file_is_not_read_and_no_event_names_another_file() {
    let dir = temp("many-files");
    for name in ["a", "y", "z"] {
        let line = LOGIN.replace("ok-1", &format!("m-{name}"));
        std::fs::write(dir.join(name), format!("{line}\n")).unwrap();
    }
    let mut names = vec!["a"; 65_535];
    names.extend(["y", "z"]);
    let out = Command::new(env!("CARGO_BIN_EXE_authtrail"))
        .arg("events")
        .args(&names)
        .current_dir(&dir)
        .output()
        .expect("run authtrail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let events: Vec<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let id = v["event"]["id"].as_str().unwrap().to_owned();
            (id, v["file"].as_str().unwrap().to_owned())
        })
        .collect();
    let named = |id: &str, file: &str| (id.to_owned(), file.to_owned());
    assert_eq!(events, [named("m-a", "a"), named("m-y", "y")]);
    assert_eq!(
        stderr.trim(),
        "authtrail: z:0 (byte 0): not read: at most 65536 files are read at once; read the files in smaller batches"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Regression: the CLI ran out of memory on 100,000 distinct 16 KB names (a 2.4 MB gzip,
/// tests/fixtures/hostile-large), even with `--max-events 1000`: each name was stored whole, as
/// were those of the events not kept, and each 1 MB read was inflated at once. Its first 9,200
/// records (the first 220,000 bytes of the gzip; the whole file takes minutes in a debug build)
/// read within 100 MB of address space, with the events cap and without (names are kept cut to
/// 4 KB), and so does `extract`.
#[test]
fn distinct_16_kb_names_are_read_in_bounded_memory() {
    let dir = temp("names");
    let file = dir.join("head.ndjson.gz");
    let whole =
        std::fs::read(fixtures().join("hostile-large/distinct-16KB-names.ndjson.gz")).unwrap();
    std::fs::write(&file, &whole[..220_000]).unwrap();
    for (cap, events) in [(&["--max-events", "1000"][..], 1000), (&[], 9200)] {
        let out = run_within(
            100_000,
            &[cap, &["summary", "--json", path(&file)]].concat(),
        );
        assert!(
            out.status.success(),
            "{cap:?}: {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = &v["files"][0];
        assert_eq!(
            (
                f["records"].as_u64(),
                f["events"].as_u64(),
                f["errors"].as_u64()
            ),
            (Some(9202), Some(events), Some(2)),
            "{cap:?}: {f}"
        );
    }
    // The stream collector, which holds the naming record of the identifier.
    let out = run_within(
        100_000,
        &["extract", "-o", path(&dir.join("out.ndjson")), path(&file)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.contains("9200 outside the subset"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--max-memory-mb` sets the memory cap; its note says which cap and how to raise it.
#[test]
fn the_memory_cap_is_a_flag_and_says_how_to_raise_it() {
    let dir = temp("memory");
    let file = dir.join("in.ndjson");
    std::fs::write(&file, ok(&["generate", "--size", "20MB"]).stdout).unwrap();
    let all = summary(&[path(&file)]);
    let capped = summary(&["--max-memory-mb", "1", path(&file)]);
    let f = &capped["files"][0];
    let over = f["over_cap"].as_u64().unwrap();
    assert!(over > 100, "{f}");
    assert!(capped["events"].as_u64().unwrap() < all["events"].as_u64().unwrap());
    let note = f["note"].as_str().unwrap();
    assert!(
        note.starts_with(&format!(
            "Memory cap reached: the events kept use the 1 MB allowed; {over} more record(s)"
        )) && note.contains("--max-memory-mb"),
        "{note}"
    );
    assert_eq!(
        summary(&["--max-memory-mb", "0", path(&file)])["events"],
        all["events"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
