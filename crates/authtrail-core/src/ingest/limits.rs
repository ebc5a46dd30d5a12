//! What a read keeps: caps on one record's size and on the events kept, and a subset (a time range,
//! MFA-relevant events only). Records the caps or the subset leave out are counted per file
//! (`outside_subset`, `over_cap`) and told in the file's `note`, so that
//! `records == events + duplicates + errors + outside_subset + over_cap` always holds.
//!
//! **MFA-relevant events** ([`mfa_relevant`]) are:
//! - account MFA level changes, successful or not, and their `set-on` / `set-off` companions;
//! - per-user login setting changes (2FA, security questions, self-managed login, allowed IPs);
//! - Verify MFA device enrollment, update or removal (`mfa_device`) and tenant factor
//!   configuration (`auth_factor`);
//! - Verify MFA steps (second-factor authentications), successful or failed.
//!
//! That is everything the account and user histories, the moment's MFA state and the rules
//! `account-mfa-lowered`, `account-mfa-change-failed`, `new-settings-actor`, `user-mfa-off` and
//! `mfa-fatigue` read, so on the subset they give the same answers as on the whole export (a
//! window that runs "until the end of the data" ends at the subset's last event). First factors,
//! SSO, IAM logins and everything else are left out: they are most of an export. The rules about
//! sign-ins in general (`auth-while-mfa-none`, `impossible-travel`, `first-seen-*`,
//! `enrollment-then-new-location`) then see MFA steps only, and `password-spray`, which reads
//! first-factor failures, sees none.
//!
//! ```
//! use authtrail_core::ingest::limits::{Keep, Options};
//! use authtrail_core::{Ingest, Store};
//! let text = br#"{"id":"a","eventTime":"2024-05-01T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success"}
//! {"id":"b","eventTime":"2024-05-01T10:01:00Z","action":"iam-identity.accountsettings.update","outcome":"failure","requestData":{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}}
//! "#;
//! let mut store = Store::new();
//! let options = Options { keep: Keep { mfa_only: true, ..Keep::default() }, ..Options::default() };
//! let mut ingest = Ingest::with_options(&mut store, "a.ndjson", &options);
//! ingest.push(&mut store, text);
//! let f = ingest.finish(&mut store);
//! assert_eq!((f.records, f.events, f.outside_subset), (2, 1, 1));
//! assert!(f.note.unwrap().contains("only MFA-relevant events"));
//! ```

use crate::model::{AuthStage, Detail, Event, Kind};
use crate::time::format_iso;
use serde::{Deserialize, Serialize};

/// Default cap on one record's size (a Verify page of 1000 events is about 2 MB).
pub const DEFAULT_MAX_RECORD: usize = 64 << 20;

/// Which events a read keeps; the default keeps all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Keep {
    /// Keep events at or after this time (UTC ms).
    pub from: Option<i64>,
    /// Keep events before this time (UTC ms).
    pub to: Option<i64>,
    /// Keep only MFA-relevant events (see the module documentation).
    pub mfa_only: bool,
}

impl Keep {
    /// Whether `event` is in the subset.
    pub fn keeps(&self, event: &Event<'_>) -> bool {
        self.from.is_none_or(|f| event.time >= f)
            && self.to.is_none_or(|t| event.time < t)
            && (!self.mfa_only || mfa_relevant(event))
    }

    /// Whether every event is kept.
    pub fn is_all(&self) -> bool {
        *self == Keep::default()
    }

    /// The subset in words, e.g. `only MFA-relevant events, from 2024-03-01T00:00:00.000Z`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.mfa_only {
            parts.push("only MFA-relevant events".to_owned());
        }
        if let Some(f) = self.from {
            parts.push(format!("from {}", format_iso(f)));
        }
        if let Some(t) = self.to {
            parts.push(format!("before {}", format_iso(t)));
        }
        if parts.is_empty() {
            "every event".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The caps and the subset of a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// A record larger than this many bytes is skipped with a diagnostic.
    pub max_record_bytes: usize,
    /// At most this many events are kept in all (over every file of the collector); `None` for
    /// no cap. Once reached, new events are counted, never stored.
    pub max_events: Option<u64>,
    /// Events are kept while what the collector holds uses fewer bytes than this (the store: its
    /// string arena and columns, [`crate::Store::memory`]); `None` for no cap. Once reached, new
    /// events are counted, never stored.
    pub max_memory_bytes: Option<u64>,
    pub keep: Keep,
}

/// Default memory cap.
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;

impl Default for Options {
    fn default() -> Self {
        Options {
            max_record_bytes: DEFAULT_MAX_RECORD,
            max_events: None,
            max_memory_bytes: Some(DEFAULT_MAX_MEMORY),
            keep: Keep::default(),
        }
    }
}

impl Options {
    /// The file-level message for what this read left out (records outside the subset, over
    /// the events cap, over the memory cap), or `None` when it kept everything.
    pub fn note(&self, outside_subset: u64, over_events: u64, over_memory: u64) -> Option<String> {
        let mut out = Vec::new();
        if outside_subset > 0 {
            out.push(format!(
                "Subset: {}; {outside_subset} record(s) outside it were not kept.",
                self.keep.describe()
            ));
        }
        if over_events > 0 {
            out.push(format!(
                "Events cap reached: at most {} events are kept; {over_events} more record(s) of \
                 this file were not kept. Raise the cap (authtrail --max-events, or Limits on the \
                 page) or read a subset (MFA-relevant only, a time range).",
                self.max_events.unwrap_or(u64::MAX)
            ));
        }
        if over_memory > 0 {
            out.push(format!(
                "Memory cap reached: the events kept use the {} allowed; {over_memory} more \
                 record(s) of this file were not kept. Raise the cap (authtrail --max-memory-mb, \
                 or Limits on the page) or read a subset (MFA-relevant only, a time range).",
                megabytes(self.max_memory_bytes.unwrap_or(u64::MAX))
            ));
        }
        (!out.is_empty()).then(|| out.join(" "))
    }
}

/// `n` bytes in MB (2^20 bytes), e.g. `1024 MB`, `0.5 MB`.
fn megabytes(n: u64) -> String {
    if n % (1 << 20) == 0 {
        format!("{} MB", n >> 20)
    } else {
        format!("{:.1} MB", n as f64 / f64::from(1 << 20))
    }
}

/// Whether an event is MFA-relevant: an account MFA change (or attempt), a user login setting
/// change, a Verify MFA enrollment or factor configuration, or a Verify MFA step.
pub fn mfa_relevant(event: &Event<'_>) -> bool {
    match event.kind {
        Kind::AccountMfa | Kind::UserSetting | Kind::MfaEnrollment | Kind::FactorConfig => true,
        Kind::Authentication => matches!(
            event.detail,
            Detail::Authentication {
                stage: AuthStage::Mfa,
                ..
            }
        ),
        Kind::IamLogin | Kind::IamLogout | Kind::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, Ingest, Store};

    fn export(bytes: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let options = generate::Options {
            bytes,
            ..Default::default()
        };
        generate::generate(&options, &mut out).unwrap();
        out
    }

    fn read(store: &mut Store, text: &[u8], options: &Options) -> crate::FileSummary {
        let mut ingest = Ingest::with_options(store, "export.ndjson", options);
        for chunk in text.chunks(64 << 10) {
            ingest.push(store, chunk);
        }
        let f = ingest.finish(store);
        assert_eq!(
            f.records,
            f.events + f.duplicates + f.errors + f.outside_subset + f.over_cap,
            "accounting identity: {f:?}"
        );
        f
    }

    fn mfa_only() -> Options {
        Options {
            keep: Keep {
                mfa_only: true,
                ..Keep::default()
            },
            ..Options::default()
        }
    }

    #[test]
    fn the_mfa_subset_holds_exactly_the_mfa_relevant_events_and_the_same_histories() {
        let text = export(1 << 20);
        let mut full = Store::new();
        let all = read(&mut full, &text, &Options::default());
        let mut sub = Store::new();
        let f = read(&mut sub, &text, &mfa_only());
        let relevant: Vec<_> = (0..full.len())
            .filter(|&i| mfa_relevant(&full.event(i)))
            .collect();
        assert!(relevant.len() > 100 && relevant.len() < full.len() / 2);
        assert_eq!(sub.len(), relevant.len());
        assert!((0..sub.len()).all(|i| mfa_relevant(&sub.event(i))));
        assert_eq!(f.records, all.records);
        assert_eq!(
            f.outside_subset,
            all.events + all.duplicates - f.events - f.duplicates
        );
        let note = f.note.unwrap();
        assert!(
            note.contains(&format!(
                "only MFA-relevant events; {} record(s) outside",
                f.outside_subset
            )),
            "{note}"
        );
        // The same changes, at other store indices.
        let account = |s: &Store| {
            let mut h = s.account_mfa_history();
            h.iter_mut().for_each(|c| c.event = 0);
            h
        };
        let users = |s: &Store| {
            let mut h = s.user_setting_history();
            h.iter_mut().for_each(|c| c.event = 0);
            h
        };
        assert!(account(&full).len() >= 3 && users(&full).len() >= 3);
        assert_eq!(account(&sub), account(&full));
        assert_eq!(users(&sub), users(&full));
        let kinds = |s: &Store| -> Vec<_> {
            Kind::ALL
                .into_iter()
                .filter(|&k| (0..s.len()).any(|i| s.event(i).kind == k))
                .collect()
        };
        assert_eq!(
            kinds(&sub),
            [
                Kind::AccountMfa,
                Kind::UserSetting,
                Kind::Authentication,
                Kind::MfaEnrollment,
                Kind::FactorConfig
            ]
        );
    }

    #[test]
    fn rules_over_mfa_changes_and_mfa_steps_find_the_same_on_the_subset() {
        let text = export(2 << 20);
        let (mut full, mut sub) = (Store::new(), Store::new());
        read(&mut full, &text, &Options::default());
        read(&mut sub, &text, &mfa_only());
        let exact = [
            "account-mfa-lowered",
            "account-mfa-change-failed",
            "new-settings-actor",
            "user-mfa-off",
            "mfa-fatigue",
        ];
        let of = |s: &Store| -> Vec<_> {
            let mut v: Vec<_> = crate::findings(s, &crate::Thresholds::default())
                .into_iter()
                .filter(|f| exact.contains(&f.rule))
                .map(|f| {
                    (
                        f.rule, f.severity, f.title, f.from, f.users, f.actors, f.ips,
                    )
                })
                .collect();
            v.sort_by(|a, b| (a.0, &a.2, a.3).cmp(&(b.0, &b.2, b.3)));
            v
        };
        let want = of(&full);
        for rule in exact {
            assert!(want.iter().any(|f| f.0 == rule), "no {rule} in the export");
        }
        assert_eq!(of(&sub), want);
    }

    #[test]
    fn a_time_range_keeps_the_events_inside_it() {
        let text = export(1 << 20);
        let mut full = Store::new();
        read(&mut full, &text, &Options::default());
        let (a, b) = full.time_bounds().unwrap();
        let (from, to) = (a + (b - a) / 3, a + (b - a) / 2);
        let inside = (0..full.len())
            .filter(|&i| (from..to).contains(&full.event(i).time))
            .count();
        let mut sub = Store::new();
        let options = Options {
            keep: Keep {
                from: Some(from),
                to: Some(to),
                mfa_only: false,
            },
            ..Options::default()
        };
        let f = read(&mut sub, &text, &options);
        assert_eq!(sub.len(), inside);
        let (x, y) = sub.time_bounds().unwrap();
        assert!(x >= from && y < to);
        assert!(f.note.unwrap().starts_with(&format!(
            "Subset: from {}, before {}",
            format_iso(from),
            format_iso(to)
        )));
    }

    #[test]
    fn the_events_cap_stops_storing_and_says_which_cap_and_how_to_raise_it() {
        let text = export(1 << 20);
        let options = Options {
            max_events: Some(500),
            ..Options::default()
        };
        let mut store = Store::new();
        let f = read(&mut store, &text, &options);
        assert_eq!((store.len(), f.events), (500, 500));
        assert!(f.over_cap > 200, "{f:?}");
        let note = f.note.unwrap();
        assert!(
            note.starts_with(&format!(
                "Events cap reached: at most 500 events are kept; {} more record(s)",
                f.over_cap
            )) && note.contains("--max-events")
                && note.contains("Limits on the page"),
            "{note}"
        );
        // A second file: nothing more is stored, and what is a duplicate of a kept event is still
        // told as one.
        let heap = store.heap_bytes();
        let again = read(&mut store, &text, &options);
        assert_eq!((store.len(), again.events), (500, 0));
        assert!(again.duplicates >= 500, "{again:?}");
        assert_eq!(
            again.over_cap,
            f.over_cap + f.duplicates + 500 - again.duplicates
        );
        assert_eq!(store.heap_bytes(), heap);
    }

    /// Regression: memory was bounded by no cap (the events cap counts events, not their
    /// strings): 100,000 distinct 16 KB names took the page's whole memory.
    #[test]
    fn the_memory_cap_stops_storing_and_says_how_to_raise_it() {
        let text = export(1 << 20);
        let mut whole = Store::new();
        read(&mut whole, &text, &Options::default());
        let cap = whole.memory() / 2;
        let options = Options {
            max_memory_bytes: Some(cap),
            ..Options::default()
        };
        let mut store = Store::new();
        let f = read(&mut store, &text, &options);
        // Stopped at the first event past the cap.
        assert!(
            store.memory() >= cap && store.memory() < cap + 4096,
            "{} for a cap of {cap}",
            store.memory()
        );
        assert!(f.events > 100 && f.over_cap > 100, "{f:?}");
        assert_eq!(f.events + f.duplicates + f.over_cap, f.records);
        let note = f.note.unwrap();
        assert!(
            note.starts_with(&format!(
                "Memory cap reached: the events kept use the {:.1} MB allowed; {} more record(s)",
                cap as f64 / f64::from(1 << 20),
                f.over_cap
            )) && note.contains("--max-memory-mb")
                && note.contains("Limits on the page"),
            "{note}"
        );
        // A second file: nothing more is stored.
        let memory = store.memory();
        let again = read(&mut store, &text, &options);
        assert_eq!((again.events, store.memory()), (0, memory));
        // No cap: everything is kept.
        let mut all = Store::new();
        let options = Options {
            max_memory_bytes: None,
            ..Options::default()
        };
        assert_eq!(read(&mut all, &text, &options).events, whole.len() as u64);
    }

    #[test]
    fn the_record_size_cap_says_how_to_raise_it() {
        let line = format!(
            r#"{{"id":"x","eventTime":"2024-05-01T10:00:00Z","action":"a.b.c","outcome":"success","pad":"{}"}}"#,
            "p".repeat(500)
        );
        let mut store = Store::new();
        let options = Options {
            max_record_bytes: 300,
            ..Options::default()
        };
        let f = read(&mut store, format!("{line}\n").as_bytes(), &options);
        assert_eq!((f.events, f.errors), (0, 1));
        let message = &store.diagnostics()[0].message();
        assert!(
            message.contains("300 byte limit") && message.contains("--max-record-bytes"),
            "{message}"
        );
    }
}
