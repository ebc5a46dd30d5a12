//! Constructed stories (tests/fixtures/stories): every finding each story must raise is listed,
//! and nothing else may fire; the quiet stories must raise none at all.

use authtrail_core::summary::summary_json;
use authtrail_core::{findings, Finding, Ingest, Severity, Store, Thresholds};
use std::path::PathBuf;

fn store(name: &str) -> Store {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/stories")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut store = Store::new();
    let mut ingest = Ingest::new(&mut store, name);
    ingest.push(&mut store, &bytes);
    let file = ingest.finish(&mut store);
    assert_eq!(file.errors, 0, "{name} should read cleanly");
    store
}

/// Asserts that exactly `expected` (rule, severity, a fragment of the title) fire, in that order.
fn check(name: &str, expected: &[(&str, Severity, &str)]) -> Vec<Finding> {
    let got = findings(&store(name), &Thresholds::default());
    let summary: Vec<String> = got
        .iter()
        .map(|f| format!("{} {:?} {}", f.rule, f.severity, f.title))
        .collect();
    assert_eq!(got.len(), expected.len(), "{name}: {summary:#?}");
    for (f, (rule, severity, title)) in got.iter().zip(expected) {
        assert_eq!(
            (f.rule, f.severity),
            (*rule, *severity),
            "{name}: {summary:#?}"
        );
        assert!(
            f.title.contains(title),
            "{name}: {:?} lacks {title:?}",
            f.title
        );
        assert!(!f.events.is_empty() && f.from <= f.to, "{name}: {f:?}");
    }
    got
}

#[test]
fn quiet_routine_raises_nothing() {
    check("story_quiet_routine.ndjson", &[]);
}

#[test]
fn quiet_trip_raises_nothing() {
    check("story_quiet_trip.ndjson", &[]);
}

#[test]
fn mfa_downgrade() {
    let f = check(
        "story_mfa_downgrade.ndjson",
        &[
            (
                "account-mfa-lowered",
                Severity::Critical,
                "from TOTP4ALL to NONE",
            ),
            (
                "auth-while-mfa-none",
                Severity::High,
                "2 successful authentications",
            ),
            (
                "new-settings-actor",
                Severity::Medium,
                "sec-admin@acme.example",
            ),
        ],
    );
    assert!(
        f[0].detail.contains("stayed lowered for 6 h 30 min"),
        "{}",
        f[0].detail
    );
    assert_eq!(f[0].ips, ["203.0.113.66"]);
    assert_eq!(
        f[1].users,
        [
            "ana@acme.example (IBMid-ana)",
            "owner@acme.example (IBMid-owner)"
        ]
    );
}

#[test]
fn user_settings() {
    let f = check(
        "story_user_settings.ndjson",
        &[
            (
                "user-mfa-off",
                Severity::High,
                "by carla@acme.example (IBMid-carla) themselves",
            ),
            (
                "account-mfa-change-failed",
                Severity::High,
                "from LEVEL3 to LEVEL1",
            ),
            (
                "user-mfa-off",
                Severity::Medium,
                "2FA turned off for bob@acme.example by owner@acme.example",
            ),
            (
                "new-settings-actor",
                Severity::Medium,
                "intern@acme.example",
            ),
        ],
    );
    assert!(
        f[2].detail.contains("turned back on 2 h later"),
        "{}",
        f[2].detail
    );
}

#[test]
fn verify_takeover() {
    let f = check(
        "story_verify_takeover.ndjson",
        &[
            (
                "enrollment-then-new-location",
                Severity::High,
                "new country (RU) 25 min later",
            ),
            ("impossible-travel", Severity::High, "DE to RU"),
            (
                "mfa-fatigue",
                Severity::High,
                "4 MFA failures then a success for frank@acme.example",
            ),
            (
                "password-spray",
                Severity::High,
                "6 users from 203.0.113.250 (4 never seen succeeding)",
            ),
            (
                "first-seen-country",
                Severity::Medium,
                "erin@acme.example from RU",
            ),
            ("first-seen-agent", Severity::Low, "python-requests/2.31.0"),
        ],
    );
    assert_eq!(f[3].events.len(), 6);
}

/// Regression (issue 21): a forged record reusing a real event's id hid it. De-duplication kept
/// the first record of each id, so a harmless line carrying the id of the account MFA downgrade
/// to NONE (and one for its `set-off` companion), read first, made the downgrade vanish: no
/// critical finding, the account still at TOTP4ALL, only "2 duplicates". Records that share an
/// id but differ are both kept now, with a diagnostic each and a finding per id.
#[test]
fn forged_records_reusing_a_downgrades_ids_do_not_hide_it() {
    let name = "story_forged_id.ndjson";
    let f = check(
        name,
        &[
            (
                "account-mfa-lowered",
                Severity::Critical,
                "from TOTP4ALL to NONE",
            ),
            (
                "id-reused",
                Severity::High,
                "2 records share the id \"at-0303\" but differ",
            ),
            (
                "id-reused",
                Severity::High,
                "2 records share the id \"at-0304\" but differ",
            ),
        ],
    );
    for (finding, (forged, real)) in f[1..].iter().zip([(1, 5), (2, 6)]) {
        assert_eq!(finding.events.len(), 2, "{finding:?}");
        for line in [forged, real] {
            assert!(
                finding.detail.contains(&format!("{name} line {line} (")),
                "line {line}: {}",
                finding.detail
            );
        }
    }
    let store = store(name);
    let v = summary_json(&store);
    assert_eq!(
        (v["events"].as_u64(), v["duplicates"].as_u64()),
        (Some(6), Some(0))
    );
    let last = &v["account_mfa"][1];
    assert_eq!(
        (last["from"].as_str(), last["to"].as_str()),
        (Some("TOTP4ALL"), Some("NONE"))
    );
    let diagnostics: Vec<(u64, String)> = store
        .diagnostics()
        .iter()
        .map(|d| (d.line, d.message()))
        .collect();
    let diagnostics: Vec<(u64, &str)> = diagnostics.iter().map(|(l, m)| (*l, m.as_str())).collect();
    assert_eq!(
        diagnostics,
        [
            (5, "record shares the id \"at-0303\" with a different record at line 1 of this file: not a duplicate, both are kept (finding \"records share an id but differ\")"),
            (6, "record shares the id \"at-0304\" with a different record at line 2 of this file: not a duplicate, both are kept (finding \"records share an id but differ\")"),
        ]
    );
}

/// The same file read twice: the second adds nothing, every record a duplicate, no conflict.
#[test]
fn a_story_read_twice_gives_pure_duplicates() {
    let name = "story_forged_id.ndjson";
    let once = store(name);
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/stories")
            .join(name),
    )
    .expect("story");
    let mut twice = store(name);
    let mut ingest = Ingest::new(&mut twice, "again.ndjson");
    ingest.push(&mut twice, &bytes);
    let again = ingest.finish(&mut twice);
    assert_eq!((again.records, again.events, again.duplicates), (6, 0, 6));
    assert_eq!(twice.diagnostics_total(), once.diagnostics_total());
    assert_eq!(
        findings(&twice, &Thresholds::default()),
        findings(&once, &Thresholds::default())
    );
}

#[test]
fn thresholds_change_what_fires() {
    let strict = Thresholds {
        spray_users: 7,
        fatigue_failures: 5,
        travel_kmh: 20_000.0,
        baseline_successes: 50,
        ..Thresholds::default()
    };
    let got = findings(&store("story_verify_takeover.ndjson"), &strict);
    let rules: Vec<&str> = got.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["enrollment-then-new-location"]);
}

// Forged and out-of-place records (issue 21): each story lists what it must raise, and each
// quiet variant raises nothing.

/// The diagnostics of a story as (line, part of the message).
fn diagnostics(name: &str) -> Vec<(u64, String)> {
    let s = store(name);
    s.diagnostics()
        .iter()
        .map(|d| (d.line, d.message()))
        .collect()
}

/// Regression: a forged record setting an undocumented level (`LEVEL9`) just before a real
/// legacy downgrade (`mfa: ""`) removed the critical finding.
#[test]
fn regression_forged_undocumented_level_keeps_the_downgrade_critical() {
    let f = check(
        "story_forged_undocumented_level.ndjson",
        &[
            (
                "account-mfa-lowered",
                Severity::Critical,
                "Account MFA lowered from LEVEL9 (undocumented) to NONE",
            ),
            (
                "account-mfa-lowered",
                Severity::High,
                "set to an undocumented level, from TOTP4ALL to LEVEL9 (undocumented)",
            ),
            (
                "new-settings-actor",
                Severity::Medium,
                "mallory@acme.example (IBMid-mallory)",
            ),
        ],
    );
    assert!(
        f[0].detail.contains("stayed lowered for 3 h"),
        "{}",
        f[0].detail
    );
    let d = diagnostics("story_forged_undocumented_level.ndjson");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, 2);
    assert!(
        d[0].1.contains("\"LEVEL9\" is not one IBM documents"),
        "{d:?}"
    );
}

/// Regression: a legacy `billing.account-traits.update` with `mfa: ""` and no earlier change
/// turned account MFA off without a finding.
#[test]
fn regression_mfa_off_with_the_level_before_unknown_is_critical() {
    check(
        "story_mfa_off_level_before_unknown.ndjson",
        &[
            (
                "account-mfa-lowered",
                Severity::Critical,
                "Account MFA turned off: set to NONE, the level before unknown",
            ),
            (
                "auth-while-mfa-none",
                Severity::High,
                "2 successful authentications while account MFA was NONE",
            ),
        ],
    );
}

#[test]
fn quiet_legacy_mfa_on_raises_nothing() {
    check("story_quiet_legacy_mfa_on.ndjson", &[]);
}

/// Regression: one forged record pairing the victim's IAM ID with mallory's name renamed the
/// victim, and mallory turning the victim's 2FA off read "turned off by mallory themselves".
#[test]
fn regression_forged_alias_is_shown_and_is_no_self_change() {
    let f = check(
        "story_forged_alias.ndjson",
        &[
            (
                "user-mfa-off",
                Severity::High,
                "2FA turned off for mallory@acme.example (IBMid-victim) by mallory@acme.example (IBMid-mallory)",
            ),
            (
                "new-settings-actor",
                Severity::Medium,
                "mallory@acme.example (IBMid-mallory)",
            ),
        ],
    );
    assert!(
        f[0].detail.contains(
            "IBMid-victim has been given 2 names by the records: mallory@acme.example (story_forged_alias.ndjson line 4), victim@acme.example (story_forged_alias.ndjson line 2)"
        ),
        "{}",
        f[0].detail
    );
    let aliases = store("story_forged_alias.ndjson").aliases_shown();
    assert_eq!(aliases.len(), 1, "{aliases:?}");
    assert_eq!(
        (
            aliases[0].other_names[0].name.as_str(),
            aliases[0].other_names[0].line
        ),
        ("victim@acme.example", 2)
    );
}

#[test]
fn quiet_rename_raises_nothing_and_shows_both_names() {
    check("story_quiet_rename.ndjson", &[]);
    let aliases = store("story_quiet_rename.ndjson").aliases_shown();
    let names: Vec<(&str, &str)> = (aliases.iter())
        .flat_map(|a| {
            a.other_names
                .iter()
                .map(move |o| (a.name.as_str(), o.name.as_str()))
        })
        .collect();
    assert_eq!(names, [("pat.lee@acme.example", "pat@acme.example")]);
}

/// Regression: an IAM account settings record inside a Verify export moved the account timeline
/// like any other, without a word.
#[test]
fn regression_wrong_family_record_is_marked_in_its_findings() {
    let f = check(
        "story_wrong_family.ndjson",
        &[
            (
                "account-mfa-lowered",
                Severity::Critical,
                "Account MFA lowered from TOTP4ALL to NONE",
            ),
            (
                "auth-while-mfa-none",
                Severity::High,
                "successful authentications while account MFA was NONE",
            ),
        ],
    );
    for finding in &f {
        assert_eq!(finding.out_of_place.len(), 1, "{finding:?}");
        assert!(
            finding.detail.contains(
                "Out of place: an Activity Tracker record at story_wrong_family.ndjson line 7"
            ),
            "{}",
            finding.detail
        );
    }
    let d = diagnostics("story_wrong_family.ndjson");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, 7);
    assert!(
        d[0].1.contains(
            "an Activity Tracker record in a file whose other 12 records are Security Verify"
        ),
        "{d:?}"
    );
}

#[test]
fn quiet_exports_mark_nothing_out_of_place() {
    check("story_quiet_verify_export.ndjson", &[]);
    // A re-export mixing both families in earnest (24 Verify and 32 Activity Tracker records).
    for name in [
        "story_quiet_verify_export.ndjson",
        "story_quiet_routine.ndjson",
    ] {
        assert_eq!(diagnostics(name), [], "{name}");
    }
}

#[test]
fn look_alike_names_of_one_user_are_found() {
    let f = check(
        "story_look_alike_names.ndjson",
        &[(
            "look-alike-names",
            Severity::High,
            "4 names look alike: frank@acme.example and 3 others (invisible characters, whitespace, look-alike letters)",
        )],
    );
    for variant in [
        "\"frank@acme.example\" (5 events)",
        "\"frank@acme.example⟨U+200B⟩\" (1 event)",
        "\"frаnk@acme.example\" (1 event; U+0430)",
        "\"frank@acme.example⟨U+0020⟩\" (1 event)",
    ] {
        assert!(f[0].detail.contains(variant), "{variant}: {}", f[0].detail);
    }
}
