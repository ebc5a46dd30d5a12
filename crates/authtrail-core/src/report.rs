//! The printable report: what `authtrail report` writes as one HTML file and the page's Report
//! view shows. Time range, the files read with their SHA-256, the account MFA history, user setting
//! changes, the identifiers shown by a name (with any other names they were given, and where),
//! findings and the authentication summary by method and country, times as ISO-8601 UTC. People
//! are named as findings name them, `name (identifier)` when the records tell an identifier, and
//! undocumented MFA levels as `LEVEL9 (undocumented)`.
//!
//! The caller hashes each file's original bytes (compressed, when gzip) with [`FileHash`] while it
//! reads them, and hands the digests to [`Report::build`] in store file order.
//!
//! ```
//! use authtrail_core::report::{FileHash, Report};
//! use authtrail_core::{Ingest, Store, Thresholds};
//!
//! let bytes = br#"{"id":"a1","eventTime":"2024-03-01T09:00:00Z","action":"iam-identity.accountsettings.update","outcome":"success","initiator":{"name":"admin@example.com"},"requestData":{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}}"#;
//! let mut store = Store::new();
//! let mut hash = FileHash::new();
//! let mut ingest = Ingest::new(&mut store, "export.ndjson");
//! hash.update(bytes);
//! ingest.push(&mut store, bytes);
//! ingest.finish(&mut store);
//! let report = Report::build(&store, &Thresholds::default(), &[Some(hash.finish())]);
//! assert_eq!(report.files[0].sha256.as_deref().map(str::len), Some(64));
//! assert_eq!(report.account_mfa[0].to, "NONE");
//! assert_eq!(report.findings[0].severity, "critical");
//! ```

use crate::model::level_label;
use crate::rules::{findings, person, Thresholds};
use crate::store::history::Counts;
use crate::time::format_iso;
use crate::{Alias, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Shown for a value the logs do not tell.
pub const UNKNOWN: &str = "—";

/// SHA-256 of a file's bytes, fed in pieces as they are read.
#[derive(Debug, Clone, Default)]
pub struct FileHash(Sha256);

impl FileHash {
    pub fn new() -> Self {
        FileHash::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest as 64 lowercase hex digits.
    pub fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFile {
    pub name: String,
    pub format: String,
    /// Bytes read (the compressed size for gzip).
    pub bytes: u64,
    pub records: u64,
    pub events: u64,
    pub duplicates: u64,
    pub errors: u64,
    /// SHA-256 of the bytes read, hex; `None` when the caller could not hash the file.
    pub sha256: Option<String>,
}

/// One row of the account MFA history (failed attempts included). Unknown values are [`UNKNOWN`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRow {
    pub time: String,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub ip: String,
    pub outcome: String,
}

/// One change (or attempted change) of a user's setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingRow {
    pub time: String,
    pub user: String,
    pub setting: String,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    pub severity: String,
    pub rule: String,
    pub title: String,
    pub detail: String,
    pub from: String,
    pub to: String,
}

/// Authentications of one method or country.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRow {
    pub name: String,
    pub success: u64,
    pub failure: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// First and last event time; `None` without events.
    pub from: Option<String>,
    pub to: Option<String>,
    pub events: u64,
    pub duplicates: u64,
    /// Every diagnostic: the records that could not be read (each file's `errors`) and the notes
    /// on records that were read (an impossible time, an undocumented level, a reused id...).
    pub diagnostics: u64,
    pub files: Vec<ReportFile>,
    pub account_mfa: Vec<AccountRow>,
    pub user_settings: Vec<SettingRow>,
    /// The identifiers shown by a name in the rows and findings; those given other names list
    /// them with the file and line of each ([`Alias::other_names`]).
    pub aliases: Vec<Alias>,
    pub findings: Vec<FindingRow>,
    /// The thresholds the findings were computed with, and the same in words.
    pub thresholds: Thresholds,
    pub thresholds_note: String,
    pub auth_success: u64,
    pub auth_failure: u64,
    /// Most authentications first, then by name.
    pub auth_by_method: Vec<CountRow>,
    pub auth_by_country: Vec<CountRow>,
}

fn or_unknown(v: Option<String>) -> String {
    v.filter(|s| !s.is_empty())
        .unwrap_or_else(|| UNKNOWN.to_owned())
}

fn level(v: Option<String>) -> String {
    or_unknown(v.map(|l| level_label(&l).into_owned()))
}

fn named(name: Option<String>, id: Option<String>) -> String {
    or_unknown(name.map(|n| person(&n, id.as_deref())))
}

fn count_rows(map: BTreeMap<String, Counts>) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> = map
        .into_iter()
        .map(|(name, c)| CountRow {
            name,
            success: c.success,
            failure: c.failure,
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.success + b.failure)
            .cmp(&(a.success + a.failure))
            .then_with(|| a.name.cmp(&b.name))
    });
    rows
}

/// The thresholds in words, as the report prints them under the findings.
pub fn thresholds_note(t: &Thresholds) -> String {
    format!(
        "Rule thresholds: MFA fatigue at {} MFA failures then a success within {} min; password \
         spraying at {} users failing from one IP within {} min; impossible travel above {} km/h \
         (distances under {} km ignored); first-seen country or user agent after {} successful \
         sign-ins; MFA enrollment then a new place within {} h.",
        t.fatigue_failures,
        t.fatigue_window_minutes,
        t.spray_users,
        t.spray_window_minutes,
        t.travel_kmh,
        t.travel_min_km,
        t.baseline_successes,
        t.enrollment_window_hours,
    )
}

impl Report {
    /// The report of `store`, its findings run with `thresholds`. `sha256[i]` is the digest of
    /// store file `i` (missing entries mean not hashed).
    pub fn build(store: &Store, thresholds: &Thresholds, sha256: &[Option<String>]) -> Report {
        let bounds = store.time_bounds();
        let auth = store.auth_summary();
        Report {
            from: bounds.map(|b| format_iso(b.0)),
            to: bounds.map(|b| format_iso(b.1)),
            events: store.len() as u64,
            duplicates: store.duplicates(),
            diagnostics: store.diagnostics_total(),
            files: store
                .files()
                .iter()
                .enumerate()
                .map(|(i, f)| ReportFile {
                    name: f.name.clone(),
                    format: f.format.clone(),
                    bytes: f.bytes,
                    records: f.records,
                    events: f.events,
                    duplicates: f.duplicates,
                    errors: f.errors,
                    sha256: sha256.get(i).cloned().flatten(),
                })
                .collect(),
            account_mfa: store
                .account_mfa_history()
                .into_iter()
                .map(|c| AccountRow {
                    time: format_iso(c.time),
                    from: level(c.from),
                    to: level(c.to),
                    actor: named(c.actor, c.actor_id),
                    ip: or_unknown(c.ip),
                    outcome: c.outcome.to_owned(),
                })
                .collect(),
            user_settings: store
                .user_setting_history()
                .into_iter()
                .map(|c| SettingRow {
                    time: format_iso(c.time),
                    user: named(Some(c.user), c.user_id),
                    setting: c.setting,
                    from: or_unknown(c.from),
                    to: or_unknown(Some(c.to)),
                    actor: named(c.actor, c.actor_id),
                    outcome: c.outcome.to_owned(),
                })
                .collect(),
            aliases: store.aliases_shown(),
            findings: findings(store, thresholds)
                .into_iter()
                .map(|f| FindingRow {
                    severity: f.severity.name().to_owned(),
                    rule: f.rule.to_owned(),
                    title: f.title,
                    detail: f.detail,
                    from: format_iso(f.from),
                    to: format_iso(f.to),
                })
                .collect(),
            thresholds: thresholds.clone(),
            thresholds_note: thresholds_note(thresholds),
            auth_success: auth.success,
            auth_failure: auth.failure,
            auth_by_method: count_rows(auth.by_method),
            auth_by_country: count_rows(auth.by_country),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_events::*;
    use crate::test_support::store_from;

    fn story() -> Store {
        store_from(
            &[
                account_mfa(
                    0,
                    "TOTP4ALL",
                    "NONE",
                    "mallory@example.com",
                    "203.0.113.66",
                    "success",
                ),
                user_setting(
                    5,
                    "bob@example.com",
                    "2FA update",
                    true,
                    false,
                    "mallory@example.com",
                ),
                account_mfa(8, "NONE", "LEVEL3", "intern@example.com", "", "failure"),
                iam_login(20, "bob@example.com", true, "192.0.2.5"),
                iam_login(21, "bob@example.com", false, "192.0.2.5"),
                verify_auth(
                    1500,
                    "erin",
                    "mfa",
                    false,
                    "198.51.100.1",
                    ("DE", 52.5, 13.4),
                    "Firefox",
                ),
                verify_auth(
                    1510,
                    "erin",
                    "mfa",
                    true,
                    "198.51.100.1",
                    ("DE", 52.5, 13.4),
                    "Firefox",
                ),
                verify_auth(
                    1520,
                    "erin",
                    "mfa",
                    true,
                    "198.51.100.1",
                    ("DE", 52.5, 13.4),
                    "Firefox",
                ),
            ]
            .join("\n"),
        )
    }

    #[test]
    fn file_hash_is_sha256_in_hex() {
        let mut h = FileHash::new();
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(
            h.finish(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            FileHash::new().finish(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn report_holds_range_files_and_histories() {
        let store = story();
        let r = Report::build(&store, &Thresholds::default(), &[Some("ab".repeat(32))]);
        assert_eq!(r.from.as_deref(), Some("2024-03-01T00:00:00.000Z"));
        assert_eq!(r.to.as_deref(), Some("2024-03-01T00:25:20.000Z"));
        assert_eq!(r.events, 8);
        assert_eq!(r.files.len(), 1);
        assert_eq!(r.files[0].name, "test.json");
        assert_eq!(r.files[0].sha256.as_deref(), Some("ab".repeat(32).as_str()));
        assert_eq!(r.files[0].events, 8);
        assert_eq!(
            r.account_mfa[0],
            AccountRow {
                time: "2024-03-01T00:00:00.000Z".into(),
                from: "TOTP4ALL".into(),
                to: "NONE".into(),
                actor: "mallory@example.com".into(),
                ip: "203.0.113.66".into(),
                outcome: "success".into(),
            }
        );
        assert_eq!(r.account_mfa[1].outcome, "failure");
        assert_eq!(
            r.account_mfa[1].ip, UNKNOWN,
            "an empty IP is shown as unknown"
        );
        assert_eq!(r.user_settings.len(), 1);
        let s = &r.user_settings[0];
        assert_eq!(
            (
                s.user.as_str(),
                s.setting.as_str(),
                s.from.as_str(),
                s.to.as_str()
            ),
            ("bob@example.com", "2FA", "true", "false")
        );
        assert_eq!(s.actor, "mallory@example.com");
    }

    #[test]
    fn report_findings_follow_the_rules_and_thresholds() {
        let store = story();
        let r = Report::build(&store, &Thresholds::default(), &[]);
        assert_eq!(r.files[0].sha256, None, "no digest given");
        assert_eq!(r.findings[0].severity, "critical");
        assert_eq!(r.findings[0].rule, "account-mfa-lowered");
        assert_eq!(r.findings[0].from, "2024-03-01T00:00:00.000Z");
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains(&"user-mfa-off"), "{rules:?}");
        assert!(!rules.contains(&"mfa-fatigue"), "{rules:?}");
        let strict = Thresholds {
            fatigue_failures: 1,
            ..Thresholds::default()
        };
        let r = Report::build(&store, &strict, &[]);
        assert!(r.findings.iter().any(|f| f.rule == "mfa-fatigue"));
        assert_eq!(r.thresholds.fatigue_failures, 1);
        assert!(
            r.thresholds_note.starts_with(
                "Rule thresholds: MFA fatigue at 1 MFA failures then a success within 10 min;"
            ),
            "{}",
            r.thresholds_note
        );
        assert!(
            r.thresholds_note
                .contains("above 1000 km/h (distances under 100 km ignored)"),
            "{}",
            r.thresholds_note
        );
    }

    #[test]
    fn report_counts_authentications_by_method_and_country() {
        let r = Report::build(&story(), &Thresholds::default(), &[]);
        assert_eq!((r.auth_success, r.auth_failure), (3, 2));
        assert_eq!(
            r.auth_by_country[0],
            CountRow {
                name: "DE".into(),
                success: 2,
                failure: 1
            }
        );
        assert_eq!(r.auth_by_country.len(), 2);
        let total: u64 = r.auth_by_method.iter().map(|c| c.success + c.failure).sum();
        assert_eq!(total, 5);
    }

    #[test]
    fn report_names_identifiers_other_names_and_undocumented_levels() {
        let login = |minutes: i64, name: &str| {
            format!(
                r#"{{"id":"l-{minutes}","eventTime":"{}","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{{"id":"IBMid-7","name":"{name}"}}}}"#,
                at(minutes)
            )
        };
        let flat = format!(
            r#"{{"id":"f","eventTime":"{}","action":"user-management.user-setting.update","outcome":"success","initiator":{{"id":"IBMid-1","name":"admin@example.com"}},"requestData":{{"2FA":true,"iam_id":"IBMid-7"}}}}"#,
            at(1)
        );
        let store = store_from(
            &[
                login(0, "pat@example.com"),
                flat,
                legacy_mfa(2, "LEVEL9", "admin@example.com"),
                login(3, "pat.lee@example.com"),
            ]
            .join("\n"),
        );
        let r = Report::build(&store, &Thresholds::default(), &[]);
        assert_eq!(r.account_mfa[0].to, "LEVEL9 (undocumented)");
        assert_eq!(r.user_settings[0].user, "pat.lee@example.com (IBMid-7)");
        assert_eq!(r.user_settings[0].actor, "admin@example.com (IBMid-1)");
        assert_eq!(r.aliases.len(), 1);
        let other = &r.aliases[0].other_names[0];
        assert_eq!((other.name.as_str(), other.line), ("pat@example.com", 1));
        assert_eq!(r.aliases[0].source.as_ref().map(|s| s.line), Some(4));
    }

    #[test]
    fn report_of_an_empty_store_has_no_range() {
        let r = Report::build(&Store::new(), &Thresholds::default(), &[]);
        assert_eq!((r.from, r.to, r.events), (None, None, 0));
        assert!(r.findings.is_empty() && r.auth_by_method.is_empty());
    }
}
