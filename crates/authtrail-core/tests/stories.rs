//! Constructed stories (tests/fixtures/stories): every finding each story must raise is listed,
//! and nothing else may fire; the quiet stories must raise none at all.

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
    assert_eq!(f[1].users, ["ana@acme.example", "owner@acme.example"]);
}

#[test]
fn user_settings() {
    let f = check(
        "story_user_settings.ndjson",
        &[
            (
                "user-mfa-off",
                Severity::High,
                "by carla@acme.example themselves",
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
