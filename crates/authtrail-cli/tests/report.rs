//! `authtrail report`: one self-contained HTML file (and JSON) with each file's SHA-256, the
//! findings, and every log value escaped.

use authtrail_core::text::prose;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

const FILES: [&str; 3] = [
    "stories/story_mfa_downgrade.ndjson",
    "at_archive_2019-2020.ndjson.gz",
    "hostile/xss_every-field.ndjson",
];

fn paths() -> Vec<String> {
    FILES
        .iter()
        .map(|f| fixture(f).to_str().unwrap().to_owned())
        .collect()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authtrail"))
        .args(args)
        .output()
        .expect("run authtrail")
}

fn stdout(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn sha256_hex(name: &str) -> String {
    let bytes = std::fs::read(fixture(name)).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// HTML text as maud escapes it.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn finding_titles() -> Vec<String> {
    let mut args = vec!["findings".to_owned(), "--json".to_owned()];
    args.extend(paths());
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let v: Value = serde_json::from_slice(&out.stdout).expect("findings JSON");
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn html_report_has_hashes_findings_and_no_script() {
    let dir = std::env::temp_dir().join(format!("authtrail-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.html");
    let mut args = vec![
        "report".to_owned(),
        "--html".to_owned(),
        out.to_str().unwrap().to_owned(),
    ];
    args.extend(paths());
    assert_eq!(stdout(&args), "", "--html alone prints nothing");
    let html = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(html.starts_with("<!DOCTYPE html>"));
    for f in FILES {
        let hash = sha256_hex(f);
        assert!(
            html.contains(&format!(">{hash}</td>")),
            "SHA-256 of {f} ({hash}) missing"
        );
    }
    let titles = finding_titles();
    assert!(
        titles.iter().any(|t| t.contains("lowered")),
        "the downgrade story raises its finding: {titles:?}"
    );
    for t in &titles {
        assert!(
            html.contains(&escaped(&prose(t))),
            "finding title missing: {t}"
        );
    }

    // Log text is escaped, so every `<` opens one of the report's own elements.
    let allowed = [
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p",
        "table", "thead", "tbody", "tr", "th", "td", "div",
    ];
    let mut styles = 0;
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').expect("a closed tag")];
        let name = tag.trim_start_matches('/').split(' ').next().unwrap();
        assert!(allowed.contains(&name), "element <{tag}>");
        for attr in ["src=", "href=", "on", "style="] {
            assert!(
                !tag.contains(&format!(" {attr}")),
                "attribute {attr} in <{tag}>"
            );
        }
        styles += usize::from(tag == "style");
    }
    assert_eq!(styles, 1, "only the report's own stylesheet");
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'"));
    // Payloads of the XSS fixture, shown as text.
    for payload in [
        "<script>window.__pwned=\"initiator.name\"</script>",
        "</style><style>*{background:url(//evil.example/initiator.name)}</style>",
    ] {
        assert!(
            html.contains(&escaped(payload)),
            "payload not shown escaped: {payload}"
        );
    }
}

#[test]
fn json_report_matches_the_other_commands() {
    let mut args = vec!["report".to_owned(), "--json".to_owned()];
    args.extend(paths());
    let report: Value = serde_json::from_str(&stdout(&args)).expect("report JSON");
    let mut summary_args = vec!["summary".to_owned(), "--json".to_owned()];
    summary_args.extend(paths());
    let summary: Value = serde_json::from_str(&stdout(&summary_args)).unwrap();

    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for (f, name) in files.iter().zip(FILES) {
        assert_eq!(f["sha256"], sha256_hex(name).as_str(), "{name}");
        assert_eq!(
            f["bytes"],
            std::fs::metadata(fixture(name)).unwrap().len(),
            "{name}"
        );
    }
    assert_eq!(report["events"], summary["events"]);
    assert_eq!(
        report["account_mfa"].as_array().unwrap().len(),
        summary["account_mfa"].as_array().unwrap().len()
    );
    assert_eq!(
        report["user_settings"].as_array().unwrap().len(),
        summary["user_mfa"].as_array().unwrap().len()
    );
    assert_eq!(report["auth_success"], summary["auth"]["success"]);
    let titles: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, finding_titles());
    assert_eq!(report["from"], "2019-05-31T19:33:02.970Z");
}

#[test]
fn thresholds_flags_change_the_findings() {
    let story = fixture("stories/story_verify_takeover.ndjson");
    let story = story.to_str().unwrap();
    let rules = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["report", "--json"];
        args.extend(extra);
        args.push(story);
        let out = run(&args);
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(rules(&[]).contains(&"mfa-fatigue".to_owned()));
    assert!(!rules(&["--fatigue-failures", "50"]).contains(&"mfa-fatigue".to_owned()));
    let out = run(&["report", "--html", "-", "--fatigue-failures", "50", story]);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains("Rule thresholds: MFA fatigue at 50 MFA failures then a success"),
        "the thresholds used are printed"
    );
}

#[test]
fn html_to_stdout_and_usage_errors() {
    let story = fixture("stories/story_quiet_routine.ndjson");
    let story = story.to_str().unwrap();
    let out = run(&["report", "--html", "-", story]);
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("No findings: no rule fired on these events."));
    assert!(html.contains(&sha256_hex("stories/story_quiet_routine.ndjson")));

    let out = run(&["report", story]);
    assert_eq!(out.status.code(), Some(2), "neither --html nor --json");
    let empty = fixture("hostile/empty.json");
    let out = run(&["report", "--json", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "nothing could be read");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing could be read"));
}

/// Log values with terminal escapes, bidi and invisible characters: the HTML shows each as
/// `⟨U+XXXX⟩` (a raw control is not allowed in HTML, and a bidi override would reverse the
/// report's own text after it); the JSON keeps them exactly.
#[test]
fn html_report_shows_hidden_characters_of_log_values() {
    let file = fixture("hostile/terminal-escapes_every-shown-field.ndjson");
    let file = file.to_str().unwrap();
    let html = stdout(&["report".into(), "--html".into(), "-".into(), file.into()]);
    let raw: Vec<String> = html
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{ad}')
        })
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in the HTML");
    let actor = "⟨U+001B⟩[2K⟨U+000D⟩⟨U+001B⟩[1A⟨U+001B⟩[2K⟨U+001B⟩[1A⟨U+001B⟩[2KNo findings.⟨U+001B⟩]8;;https://evil.example/⟨U+0007⟩admin⟨U+001B⟩]8;;⟨U+0007⟩⟨U+009B⟩2J⟨U+202E⟩admin⟨U+200B⟩@example.com";
    // The account row, its actor (with the identifier the record pairs with the name) and IP; the
    // user setting row, its user with a trailing space.
    assert!(
        html.contains(&format!("<td>{actor} (IBMid-esc⟨U+200B⟩1)</td>")),
        "{html}"
    );
    assert!(html.contains("⟨U+202E⟩host.address⟨U+200B⟩</td>"), "{html}");
    assert!(
        html.contains("⟨U+202E⟩target.name⟨U+200B⟩⟨U+0020⟩</td>"),
        "{html}"
    );
    // The methods and countries tables.
    assert!(html.contains("⟨U+202E⟩mfamethod⟨U+200B⟩</td>"), "{html}");
    assert!(
        html.contains("⟨U+202E⟩country_iso_code⟨U+200B⟩</td>"),
        "{html}"
    );
    // A finding title that names the user.
    assert!(
        html.contains("<div class=\"report-finding-title\">2FA turned off for ⟨U+001B⟩[2K⟨U+000D⟩"),
        "{html}"
    );

    let out = run(&["report", "--json", file]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["account_mfa"][0]["actor"],
        "\u{1b}[2K\r\u{1b}[1A\u{1b}[2K\u{1b}[1A\u{1b}[2KNo findings.\u{1b}]8;;https://evil.example/\u{7}admin\u{1b}]8;;\u{7}\u{9b}2J\u{202e}admin\u{200b}@example.com (IBMid-esc\u{200b}1)",
        "the JSON keeps the actor exactly"
    );
}
