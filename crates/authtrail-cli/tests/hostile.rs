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

// ------------------------------------------------------------------------------------------------
// Terminal escapes, bidi and invisible characters in log fields and file names: every text output
// writes them as `⟨U+XXXX⟩`, every JSON output keeps them exactly.

const ESCAPES: &str = "terminal-escapes_every-shown-field.ndjson";

/// The actor of the fixture's account MFA change: it erases the lines above and writes "No
/// findings.", links elsewhere, clears the screen (C1 CSI), reverses and hides text.
const ACTOR: &str = "\u{1b}[2K\r\u{1b}[1A\u{1b}[2K\u{1b}[1A\u{1b}[2KNo findings.\u{1b}]8;;https://evil.example/\u{7}admin\u{1b}]8;;\u{7}\u{9b}2J\u{202e}admin\u{200b}@example.com";

/// How a text output shows [`ACTOR`].
const ACTOR_SHOWN: &str = "⟨U+001B⟩[2K⟨U+000D⟩⟨U+001B⟩[1A⟨U+001B⟩[2K⟨U+001B⟩[1A⟨U+001B⟩[2KNo findings.⟨U+001B⟩]8;;https://evil.example/⟨U+0007⟩admin⟨U+001B⟩]8;;⟨U+0007⟩⟨U+009B⟩2J⟨U+202E⟩admin⟨U+200B⟩@example.com";

/// A Verify user of the fixture: a zero-width character and a space at either end.
const SPACED: &str = " bob@example.com\u{200b} ";

/// The fixture's payload in field `name`, as written there and as a text output shows it.
fn payload(name: &str) -> (String, String) {
    (
        format!("\u{1b}[2K\r\u{1b}[1A\u{1b}[2K{name}\u{1b}]8;;https://evil.example/{name}\u{7}link\u{1b}]8;;\u{7}\u{9b}2J\u{202e}{name}\u{200b}"),
        format!("⟨U+001B⟩[2K⟨U+000D⟩⟨U+001B⟩[1A⟨U+001B⟩[2K{name}⟨U+001B⟩]8;;https://evil.example/{name}⟨U+0007⟩link⟨U+001B⟩]8;;⟨U+0007⟩⟨U+009B⟩2J⟨U+202E⟩{name}⟨U+200B⟩"),
    )
}

/// Characters a terminal or a bidi renderer acts on, other than the line feeds of the output
/// itself: C0 and C1 controls, DEL, bidi controls, zero-width and other invisible format
/// characters.
fn acted_on(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
        )
}

/// `text` (the output `what`) holds no character a terminal would act on, and shows each kind the
/// fixture carries as its code point, once: the fixture holds no `⟨`, so a `⟨U+27E8⟩` would be a
/// character the core wrote out (in a finding's title or detail, a diagnostic) written out again.
fn assert_shown(what: &str, text: &str) {
    let raw: Vec<String> = text
        .chars()
        .filter(|&c| acted_on(c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(raw.is_empty(), "{what}: raw {raw:?} in\n{text}");
    assert!(
        !text.contains("⟨U+27E8⟩"),
        "{what}: written out twice in\n{text}"
    );
    for shown in [
        "⟨U+001B⟩[2K⟨U+000D⟩",
        "⟨U+001B⟩]8;;",
        "⟨U+009B⟩",
        "⟨U+202E⟩",
        "⟨U+200B⟩",
    ] {
        assert!(text.contains(shown), "{what}: no {shown} in\n{text}");
    }
}

fn escapes_file() -> PathBuf {
    fixtures().join("hostile").join(ESCAPES)
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr"),
    )
}

/// A fresh temporary folder for one test.
fn temp(label: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("authtrail-hostile-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An actor with ANSI codes erased the CRITICAL line of `findings` and wrote "No findings." in
/// its place: the terminal ran the codes.
#[test]
fn findings_text_shows_terminal_escapes_of_an_actor_instead_of_running_them() {
    let out = run(&["findings", "--fail-on", "critical"], &[escapes_file()]);
    assert_eq!(out.status.code(), Some(1), "the critical finding gates");
    let (stdout, _) = text(&out);
    assert_shown("findings", &stdout);
    assert!(
        stdout.starts_with("3 findings (1 critical, 2 high)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nCRITICAL  Account MFA lowered from TOTP4ALL to NONE\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("actors: {ACTOR_SHOWN} (IBMid-esc⟨U+200B⟩1)\n")),
        "{stdout}"
    );
    // A name that differs from another only by a zero-width character and spaces shows them.
    assert!(
        stdout.contains("users: ⟨U+0020⟩bob@example.com⟨U+200B⟩⟨U+0020⟩\n"),
        "{stdout}"
    );
    let (ip, ip_shown) = payload("host.address");
    assert!(stdout.contains(&format!("IPs: {ip_shown}\n")), "{stdout}");

    let out = run(
        &["findings", "--json", "--fail-on", "never"],
        &[escapes_file()],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let critical = &v["findings"][0];
    assert_eq!(critical["severity"], "critical");
    assert_eq!(
        critical["actors"][0],
        format!("{ACTOR} (IBMid-esc\u{200b}1)"),
        "JSON keeps the actor exactly"
    );
    assert_eq!(critical["ips"][0], ip.as_str());
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["users"][0] == SPACED));
}

#[test]
fn summary_text_shows_terminal_escapes_and_its_json_keeps_them() {
    let out = run(&["summary"], &[escapes_file()]);
    assert_eq!(out.status.code(), Some(0));
    let (stdout, _) = text(&out);
    assert_shown("summary", &stdout);
    let (setting, setting_shown) = payload("updateType");
    let (from, from_shown) = payload("initialValue");
    let (to, to_shown) = payload("newValue");
    let (user, user_shown) = payload("target.name");
    let (method, method_shown) = payload("mfamethod");
    let (_, login_shown) = payload("login.name");
    for line in [
        format!("  TOTP4ALL -> NONE  by {ACTOR_SHOWN} from {}  success", payload("host.address").1),
        // The user's trailing space is shown too.
        format!("  {user_shown}⟨U+0020⟩  {setting_shown}: {from_shown} -> {to_shown}  by {ACTOR_SHOWN}  success"),
        format!("  {method_shown}: 0 succeeded, 1 failed"),
        format!("    {login_shown}: 1 failed, 0 succeeded"),
    ] {
        assert!(stdout.contains(&line), "no line {line:?} in\n{stdout}");
    }

    let (_, v) = summary(&[escapes_file()]);
    assert_eq!(v["account_mfa"][0]["actor"], ACTOR);
    let settings = v["user_mfa"].as_array().unwrap();
    let changed = settings.iter().find(|c| c["setting"] == setting.as_str());
    let changed = changed.unwrap_or_else(|| panic!("{settings:?}"));
    assert_eq!(changed["user"], format!("{user} "));
    assert_eq!(
        (&changed["from"], &changed["to"]),
        (&from.into(), &to.into())
    );
    assert!(
        v["auth"]["by_method"].get(&method).is_some(),
        "{}",
        v["auth"]
    );
}

#[test]
fn state_text_shows_terminal_escapes_and_its_json_keeps_them() {
    let at = "2025-06-01T10:03:00Z";
    let out = run(&["state", "--at", at], &[escapes_file()]);
    assert_eq!(out.status.code(), Some(0));
    let (stdout, _) = text(&out);
    assert_shown("state", &stdout);
    assert!(
        stdout.contains(&format!(
            "  Account MFA level: NONE (no MFA required), since 2025-06-01T10:00:00.000Z (by {ACTOR_SHOWN})\n"
        )),
        "{stdout}"
    );
    let (user, user_shown) = payload("target.name");
    assert!(
        stdout.contains(&format!("\n  {user_shown}⟨U+0020⟩\n")),
        "{stdout}"
    );

    let out = run(&["state", "--at", at, "--json"], &[escapes_file()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["account"]["actor"], ACTOR);
    let users: Vec<&str> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user"].as_str().unwrap())
        .collect();
    assert!(users.contains(&format!("{user} ").as_str()), "{users:?}");
}

#[test]
fn events_jsonl_keeps_terminal_escapes_exactly() {
    let out = run(&["events", "--jsonl"], &[escapes_file()]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["event"]["actor"], ACTOR);
    assert!(lines.iter().any(|l| l["event"]["user"] == SPACED));
}

/// A record whose action carries escapes and which has no time: the diagnostic quotes the
/// action; text shows it escaped (summary's list, the stderr of `events`), JSON keeps it.
#[test]
fn diagnostics_quoting_a_field_show_its_terminal_escapes() {
    let dir = temp("diagnostic");
    let (action, action_shown) = payload("action");
    let file = dir.join("diagnostic.ndjson");
    let record = serde_json::json!({"id": "esc-d", "action": action, "outcome": "success"});
    let login = r#"{"id":"esc-d2","eventTime":"2025-06-01T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}"#;
    std::fs::write(&file, format!("{record}\n{login}\n")).unwrap();

    let (_, v) = summary(std::slice::from_ref(&file));
    let message = v["errors"][0]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains(&action),
        "JSON keeps the action exactly: {message:?}"
    );

    let (stdout, _) = text(&run(&["summary"], std::slice::from_ref(&file)));
    let (_, stderr) = text(&run(&["events", "--jsonl"], std::slice::from_ref(&file)));
    std::fs::remove_dir_all(&dir).unwrap();
    for (what, out) in [("summary", stdout), ("events stderr", stderr)] {
        assert_shown(what, &out);
        assert!(
            out.contains(&format!("{action_shown} has no readable eventTime")),
            "{what}: {out}"
        );
    }
}

/// A file name is the reviewer's own, but it comes from an archive too: shown escaped in the
/// file list, the diagnostics, and the messages of a file that cannot be opened or written.
#[test]
fn file_names_with_terminal_escapes_are_shown_escaped() {
    let dir = temp("names");
    let name = "x\u{1b}[2K\r\u{1b}]8;;mailto:x@evil.example\u{7}\u{9b}2J\u{202e}\u{200b}.ndjson";
    let shown = "x⟨U+001B⟩[2K⟨U+000D⟩⟨U+001B⟩]8;;mailto:x@evil.example⟨U+0007⟩⟨U+009B⟩2J⟨U+202E⟩⟨U+200B⟩.ndjson";
    let file = dir.join(name);
    let login = r#"{"id":"esc-n","eventTime":"2025-06-01T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}"#;
    std::fs::write(&file, format!("not json\n{login}\n")).unwrap();
    let missing = dir.join(format!("missing-{name}"));

    let (_, v) = summary(std::slice::from_ref(&file));
    assert_eq!(
        v["files"][0]["name"],
        file.to_str().unwrap(),
        "JSON keeps the name"
    );

    let files = [file.clone(), missing.clone()];
    let (summary_text, summary_err) = text(&run(&["summary"], &files));
    let (_, findings_err) = text(&run(&["findings"], &files));
    let (_, events_err) = text(&run(&["events", "--jsonl"], &files));
    let out_html = dir.join(format!("no-such-folder-{name}")).join("r.html");
    let (_, report_err) = text(&run(
        &["report", "--html", out_html.to_str().unwrap()],
        std::slice::from_ref(&file),
    ));
    let extracted = dir.join(format!("out-{name}"));
    let (_, extract_err) = text(&run(
        &["extract", "-o", extracted.to_str().unwrap()],
        std::slice::from_ref(&file),
    ));
    let (_, nothing_err) = text(&run(&["summary"], std::slice::from_ref(&missing)));
    std::fs::remove_dir_all(&dir).unwrap();

    let dir = dir.to_str().unwrap();
    assert!(
        summary_text.contains(&format!("  {dir}/{shown}  [")),
        "{summary_text}"
    );
    assert!(
        summary_text.contains(&format!("  {dir}/{shown}:1 (byte 0): ")),
        "{summary_text}"
    );
    for (what, out) in [
        ("summary", summary_text.as_str()),
        ("summary stderr", summary_err.as_str()),
        ("findings stderr", findings_err.as_str()),
        ("events stderr", events_err.as_str()),
        ("report stderr", report_err.as_str()),
        ("extract stderr", extract_err.as_str()),
        ("nothing read", nothing_err.as_str()),
    ] {
        let raw: Vec<char> = out.chars().filter(|&c| acted_on(c)).collect();
        assert!(raw.is_empty(), "{what}: raw {raw:?} in {out}");
        assert!(out.contains(shown), "{what}: {out}");
    }
    for out in [&summary_err, &findings_err, &events_err, &nothing_err] {
        assert!(
            out.contains(&format!("cannot open {dir}/missing-{shown}")),
            "{out}"
        );
    }
    assert!(
        report_err.contains(&format!("cannot write {dir}/no-such-folder-{shown}")),
        "{report_err}"
    );
    assert!(
        extract_err.contains(&format!("to {dir}/out-{shown} (")),
        "{extract_err}"
    );
    assert!(
        events_err.contains(&format!("{dir}/{shown}:1 (byte 0)")),
        "{events_err}"
    );
}
