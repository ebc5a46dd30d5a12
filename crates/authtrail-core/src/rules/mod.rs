//! Findings: what a reviewer must not miss, derived from the store by one rule per file.
//!
//! Every rule reads the same `Context` (the account MFA history, the user setting history and
//! the authentications in time order, built once) and appends [`Finding`]s. Thresholds live in
//! [`Thresholds`], with documented defaults; the page and the CLI can change each of them.

mod account_mfa_failed_change;
mod account_mfa_lowered;
mod auth_while_mfa_none;
mod enrollment_then_new_location;
mod first_seen;
mod id_reused;
mod impossible_travel;
mod look_alike_names;
mod mfa_fatigue;
mod new_settings_actor;
mod password_spray;
mod user_mfa_off;

pub use impossible_travel::distance_km;

use crate::store::Naming;

use crate::model::{Kind, Outcome};
use crate::store::history::{AccountMfaChange, UserSettingChange};
use crate::store::Store;
use crate::text::visible;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How much a finding matters. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Reads a severity name, case-insensitively.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// The numbers the rules compare against. Every field has a documented default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// MFA fatigue: this many MFA failures of one user, then a success... (default 3)
    pub fatigue_failures: u32,
    /// ...all within this many minutes (default 10).
    pub fatigue_window_minutes: u32,
    /// Password spraying: first-factor failures for this many distinct users from one IP... (default 5)
    pub spray_users: u32,
    /// ...within this many minutes (default 60).
    pub spray_window_minutes: u32,
    /// Impossible travel: faster than this between two successful authentications (default 1000).
    pub travel_kmh: f64,
    /// Impossible travel: positions closer than this are the same place, since geo-IP positions
    /// are approximate (default 100).
    pub travel_min_km: f64,
    /// First-seen country or user agent: only once the user has this many earlier successful
    /// authentications to compare with (default 5).
    pub baseline_successes: u32,
    /// MFA enrollment change followed by a login from a new country or device within this many
    /// hours (default 24).
    pub enrollment_window_hours: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            fatigue_failures: 3,
            fatigue_window_minutes: 10,
            spray_users: 5,
            spray_window_minutes: 60,
            travel_kmh: 1000.0,
            travel_min_km: 100.0,
            baseline_successes: 5,
            enrollment_window_hours: 24,
        }
    }
}

/// One thing a reviewer must see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id, e.g. `account-mfa-lowered`.
    pub rule: &'static str,
    pub severity: Severity,
    /// One plain-language line.
    pub title: String,
    /// What happened, in a few sentences, with the figures behind the finding.
    pub detail: String,
    /// The time window the finding covers (UTC; ISO-8601 when serialized).
    #[serde(serialize_with = "crate::time::serialize_iso")]
    pub from: i64,
    #[serde(serialize_with = "crate::time::serialize_iso")]
    pub to: i64,
    /// Users the finding is about, actors who made the changes, IP addresses involved (sorted).
    pub users: Vec<String>,
    pub actors: Vec<String>,
    pub ips: Vec<String>,
    /// The store indices of its events (as [`Store::event`] and the page's rows use), time order.
    pub events: Vec<u32>,
    /// Those of its events that are out of place: of another family (Activity Tracker, Verify)
    /// than the rest of their file. The detail says so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub out_of_place: Vec<u32>,
}

/// A user or actor as findings name them: `name (identifier)` when the records tell an
/// identifier other than the name, else the name.
pub fn person(name: &str, id: Option<&str>) -> String {
    match id.filter(|id| *id != name) {
        Some(id) => format!("{name} ({id})"),
        None => name.to_owned(),
    }
}

/// A successful or failed authentication (IAM login or Verify authentication), with interned ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Auth {
    pub event: u32,
    pub time: i64,
    pub user: u32,
    pub ok: bool,
    /// A Verify MFA step (second factor), as opposed to a first factor, an SSO or an IAM login.
    pub mfa: bool,
    pub ip: u32,
    pub country: u32,
    /// The browser or client of a Verify authentication (IAM logins name a CLI or SDK there,
    /// which changes with tooling rather than with who signs in: not kept).
    pub agent: u32,
    pub coordinates: Option<(f32, f32)>,
}

/// What every rule reads, built once per run.
pub(crate) struct Context<'s> {
    pub store: &'s Store,
    /// The profiles as read, for the actors' identifiers.
    pub read: crate::store::ProfilesAsRead,
    pub account: Vec<AccountMfaChange>,
    pub settings: Vec<UserSettingChange>,
    /// Authentications with a success or failure outcome, in time order.
    pub auths: Vec<Auth>,
    /// The latest event time in the store: "until the end of the data".
    pub end: i64,
}

impl<'s> Context<'s> {
    pub fn new(store: &'s Store) -> Self {
        // Counted first: growing the vector as it filled took a large part of this walk.
        let authentications = (store.kind.iter())
            .filter(|&&k| Kind::from_u8(k).is_authentication())
            .count();
        let mut auths = Vec::with_capacity(authentications);
        for &i in &store.order {
            let k = i as usize;
            let kind = Kind::from_u8(store.kind[k]);
            if !kind.is_authentication() {
                continue;
            }
            let ok = match Outcome::from_u8(store.outcome[k]) {
                Outcome::Success => true,
                Outcome::Failure => false,
                _ => continue,
            };
            let p = store.profiles.get(store.profile[k]);
            let verify = kind == Kind::Authentication;
            auths.push(Auth {
                event: i,
                time: store.time[k],
                user: store.user[k],
                ok,
                mfa: verify && p.stage == 1,
                ip: store.ip[k],
                country: store.geos.get(store.geo[k]).country,
                agent: if verify { p.user_agent } else { 0 },
                coordinates: store.coordinates(k),
            });
        }
        Context {
            store,
            read: store.profiles_as_read(),
            account: store.account_mfa_history(),
            settings: store.user_setting_history(),
            auths,
            end: store.time_bounds().map_or(0, |(_, end)| end),
        }
    }

    /// An interned string, or `fallback` when empty.
    pub fn name(&self, id: u32, fallback: &str) -> String {
        let s = self.store.str(id);
        if s.is_empty() { fallback } else { s }.to_owned()
    }

    /// An interned string as a title or detail shows it ([`visible`]), or `fallback` when empty.
    pub fn shown(&self, id: u32, fallback: &str) -> String {
        visible(&self.name(id, fallback)).into_owned()
    }

    /// The user of event `e` as findings name them ([`person`]), or `fallback` when it has none.
    pub fn user(&self, e: u32, fallback: &str) -> String {
        let who = self.store.user_of(e as usize);
        if who.shown == 0 {
            return fallback.to_owned();
        }
        let id = (who.id != 0).then(|| self.store.str(who.id));
        person(self.store.str(who.shown), id)
    }

    /// The actor of event `e` (its user when the record names no other) as findings name them.
    pub fn actor(&self, e: u32) -> Option<String> {
        let who = self.store.actor_of_event(e as usize, &self.read);
        let id = (who.id != 0).then(|| self.store.str(who.id));
        (who.shown != 0).then(|| person(self.store.str(who.shown), id))
    }
}

/// Accumulates the people and addresses a finding is about.
#[derive(Default)]
pub(crate) struct Involved {
    pub users: BTreeSet<String>,
    pub actors: BTreeSet<String>,
    pub ips: BTreeSet<String>,
    pub events: Vec<u32>,
    /// The interned users (with the identifier behind each) and IPs [`Involved::auth`] has
    /// named already: a finding over many authentications names each once instead of once per
    /// authentication.
    auth_users: FxHashSet<(u32, u32)>,
    auth_ips: FxHashSet<u32>,
}

impl Involved {
    pub fn user(&mut self, u: impl Into<Option<String>>) -> &mut Self {
        if let Some(u) = u.into().filter(|u| !u.is_empty()) {
            self.users.insert(u);
        }
        self
    }
    pub fn actor(&mut self, a: impl Into<Option<String>>) -> &mut Self {
        if let Some(a) = a.into().filter(|a| !a.is_empty()) {
            self.actors.insert(a);
        }
        self
    }
    pub fn ip(&mut self, ip: impl Into<Option<String>>) -> &mut Self {
        if let Some(ip) = ip.into().filter(|ip| !ip.is_empty()) {
            self.ips.insert(ip);
        }
        self
    }
    pub fn event(&mut self, e: u32) -> &mut Self {
        self.events.push(e);
        self
    }

    /// Adds an authentication: its user, its IP and the event.
    pub fn auth(&mut self, cx: &Context<'_>, a: &Auth) -> &mut Self {
        let who = cx.store.user_of(a.event as usize);
        if self.auth_users.insert((who.shown, who.id)) {
            self.user(cx.user(a.event, ""));
        }
        if self.auth_ips.insert(a.ip) {
            self.ip(cx.name(a.ip, ""));
        }
        self.event(a.event)
    }

    #[allow(clippy::too_many_arguments)] // each field a finding has beyond what the builder holds
    pub fn finding(
        self,
        rule: &'static str,
        severity: Severity,
        title: String,
        detail: String,
        from: i64,
        to: i64,
    ) -> Finding {
        let mut events = self.events;
        events.sort_unstable();
        events.dedup();
        Finding {
            rule,
            severity,
            title,
            detail,
            from,
            to: to.max(from),
            users: self.users.into_iter().collect(),
            actors: self.actors.into_iter().collect(),
            ips: self.ips.into_iter().collect(),
            events,
            out_of_place: Vec::new(),
        }
    }
}

/// A duration in words: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// Adds to `f`'s detail what its events do not say themselves: those out of place in their file
/// ([`Finding::out_of_place`]), and the other names of the identifiers behind its users and
/// actors (`several`: [`Store::several_names`]).
fn notes(cx: &Context<'_>, several: &FxHashMap<u32, Vec<(u32, Naming)>>, f: &mut Finding) {
    let s = cx.store;
    let file = |e: u32| {
        let l = s.locate(e as usize);
        (s.files().get(usize::from(l.file))).map_or("", |f| f.name.as_str())
    };
    let mut placed = Vec::new();
    for &e in &f.events {
        if let Some(line) = s.out_of_place_at(e) {
            f.out_of_place.push(e);
            let family = s.event(e as usize).family.a_record();
            if placed.len() < 5 {
                placed.push(format!("{family} at {} line {line}", visible(file(e))));
            }
        }
    }
    if !f.out_of_place.is_empty() {
        let more = f.out_of_place.len() - placed.len();
        f.detail.push_str(&format!(
            " Out of place: {}{} {} in a file whose other records are of the other product; check that {} belong{} to this account's logs.",
            placed.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() },
            if f.out_of_place.len() == 1 { "is" } else { "are" },
            if f.out_of_place.len() == 1 { "it" } else { "they" },
            if f.out_of_place.len() == 1 { "s" } else { "" },
        ));
    }
    if several.is_empty() {
        return;
    }
    let mut ids: Vec<u32> = Vec::new();
    for &e in &f.events {
        for who in [
            s.user_of(e as usize),
            s.actor_of_event(e as usize, &cx.read),
        ] {
            if who.id != 0 && several.contains_key(&who.id) && !ids.contains(&who.id) {
                ids.push(who.id);
            }
        }
    }
    for id in ids {
        let names: Vec<String> = several[&id]
            .iter()
            .map(|(name, n)| {
                let file = (s.files().get(usize::from(n.file))).map_or("", |f| f.name.as_str());
                format!(
                    "{} ({} line {})",
                    visible(s.str(*name)),
                    visible(file),
                    n.line
                )
            })
            .collect();
        f.detail.push_str(&format!(
            " {} has been given {} names by the records: {}; it is shown as the first, from the latest record, and the others may be a rename or a forged record.",
            visible(s.str(id)),
            names.len(),
            names.join(", ")
        ));
    }
}

/// Every rule's findings on `store`, most severe first, then earliest first.
pub fn findings(store: &Store, thresholds: &Thresholds) -> Vec<Finding> {
    let cx = Context::new(store);
    let mut out = Vec::new();
    account_mfa_lowered::check(&cx, thresholds, &mut out);
    account_mfa_failed_change::check(&cx, thresholds, &mut out);
    new_settings_actor::check(&cx, thresholds, &mut out);
    user_mfa_off::check(&cx, thresholds, &mut out);
    enrollment_then_new_location::check(&cx, thresholds, &mut out);
    mfa_fatigue::check(&cx, thresholds, &mut out);
    password_spray::check(&cx, thresholds, &mut out);
    impossible_travel::check(&cx, thresholds, &mut out);
    first_seen::check(&cx, thresholds, &mut out);
    auth_while_mfa_none::check(&cx, thresholds, &mut out);
    look_alike_names::check(&cx, thresholds, &mut out);
    id_reused::check(&cx, thresholds, &mut out);
    let several = store.several_names();
    for f in &mut out {
        notes(&cx, &several, f);
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.from.cmp(&b.from))
            .then(a.rule.cmp(b.rule))
    });
    out
}

#[cfg(test)]
pub(crate) mod test_events {
    //! Small constructors of raw records for the rules' tests (the real shapes, trimmed).

    /// 2024-03-01T00:00:00Z plus `minutes`.
    pub fn at(minutes: i64) -> String {
        crate::time::format_iso(1_709_251_200_000 + minutes * 60_000)
    }

    /// An `iam-identity.accountsettings.update` changing the account MFA level.
    pub fn account_mfa(
        minutes: i64,
        from: &str,
        to: &str,
        actor: &str,
        ip: &str,
        outcome: &str,
    ) -> String {
        format!(
            r#"{{"id":"am-{minutes}-{to}-{outcome}","eventTime":"{}","action":"iam-identity.accountsettings.update","outcome":"{outcome}","initiator":{{"name":"{actor}","host":{{"address":"{ip}"}}}},"requestData":{{"request_body":{{"old_mfa_traits":"{from}","new_mfa_traits":"{to}"}}}}}}"#,
            at(minutes)
        )
    }

    /// A legacy `billing.account-traits.update` setting the account MFA to `mfa` (`""` is NONE).
    pub fn legacy_mfa(minutes: i64, mfa: &str, actor: &str) -> String {
        format!(
            r#"{{"id":"lm-{minutes}-{mfa}","eventTime":"{}","action":"billing.account-traits.update","outcome":"success","initiator":{{"name":"{actor}","host":{{"address":"198.51.100.9"}}}},"requestData":{{"mfa":"{mfa}","origin":"BSS"}}}}"#,
            at(minutes)
        )
    }

    /// A 2023+ `user-management.user-setting.update` diff of one boolean setting.
    pub fn user_setting(
        minutes: i64,
        user: &str,
        update_type: &str,
        from: bool,
        to: bool,
        actor: &str,
    ) -> String {
        format!(
            r#"{{"id":"us-{minutes}-{user}","eventTime":"{}","action":"user-management.user-setting.update","outcome":"success","initiator":{{"name":"{actor}","host":{{"address":"192.0.2.10"}}}},"target":{{"name":"{user}"}},"requestData":{{"totalNumberChanges":1,"update":[{{"initialValue":{from},"newValue":{to},"updateType":"{update_type}"}}]}}}}"#,
            at(minutes)
        )
    }

    /// A Verify authentication. `subtype` is `mfa` for a second factor, else a first factor
    /// (`password`...); `place` is (country, latitude, longitude).
    #[allow(clippy::too_many_arguments)] // one argument per field of the Verify event a test varies
    pub fn verify_auth(
        seconds: i64,
        user: &str,
        subtype: &str,
        ok: bool,
        ip: &str,
        place: (&str, f64, f64),
        agent: &str,
    ) -> String {
        let (country, lat, lon) = place;
        let t = 1_709_251_200_000 + seconds * 1000;
        format!(
            r#"{{"id":"va-{seconds}-{user}-{subtype}","time":{t},"event_type":"authentication","geoip":{{"country_iso_code":"{country}","location":{{"lat":{lat},"lon":{lon}}}}},"data":{{"result":"{}","subtype":"{subtype}","mfamethod":"{}","username":"{user}","origin":"{ip}","devicetype":"{agent}"}}}}"#,
            if ok { "success" } else { "failure" },
            if subtype == "mfa" { "TOTP" } else { "" },
        )
    }

    /// A Verify `mfa_device` event for `user`.
    pub fn mfa_device(seconds: i64, user: &str, action: &str) -> String {
        let t = 1_709_251_200_000 + seconds * 1000;
        format!(
            r#"{{"id":"md-{seconds}-{user}","time":{t},"event_type":"management","data":{{"resource":"mfa_device","action":"{action}","result":"success","username":"{user}","mfamethod":"TOTP"}}}}"#
        )
    }

    /// A successful or failed IAM console login.
    pub fn iam_login(minutes: i64, user: &str, ok: bool, ip: &str) -> String {
        format!(
            r#"{{"id":"il-{minutes}-{user}-{ok}","eventTime":"{}","action":"iam-identity.user-refreshtoken.login","outcome":"{}","initiator":{{"name":"{user}","host":{{"address":"{ip}"}}}}}}"#,
            at(minutes),
            if ok { "success" } else { "failure" }
        )
    }

    /// The findings of a store built from `records` (one per line), with default thresholds.
    pub fn run(records: &[String]) -> Vec<super::Finding> {
        run_with(records, &super::Thresholds::default())
    }

    pub fn run_with(records: &[String], t: &super::Thresholds) -> Vec<super::Finding> {
        let store = crate::test_support::store_from(&records.join("\n"));
        super::findings(&store, t)
    }

    /// Only the findings of `rule`.
    pub fn of(findings: &[super::Finding], rule: &str) -> Vec<super::Finding> {
        findings
            .iter()
            .filter(|f| f.rule == rule)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::parse(" HIGH "), Some(Severity::High));
        assert_eq!(Severity::parse("severe"), None);
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(12 * 60_000), "12 min");
        assert_eq!(duration(3 * 3_600_000 + 5 * 60_000), "3 h 5 min");
        assert_eq!(duration(2 * 86_400_000 + 4 * 3_600_000), "2 d 4 h");
    }

    #[test]
    fn names_in_titles_and_details_are_written_out_and_kept_exact_in_the_lists() {
        use super::test_events::*;
        let f = run(&[account_mfa(
            0,
            "TOTP4ALL",
            "NONE",
            "mallory\u{202e}moc.elpmaxe@",
            "203.0.113.66",
            "success",
        )]);
        let f = of(&f, "account-mfa-lowered");
        assert!(
            f[0].detail
                .starts_with("mallory⟨U+202E⟩moc.elpmaxe@ changed"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].actors, ["mallory\u{202e}moc.elpmaxe@"]);
    }

    #[test]
    fn person_names_the_identifier_only_when_it_differs() {
        assert_eq!(
            person("ana@example.com", Some("IBMid-1")),
            "ana@example.com (IBMid-1)"
        );
        assert_eq!(person("IBMid-1", Some("IBMid-1")), "IBMid-1");
        assert_eq!(person("ana@example.com", None), "ana@example.com");
    }

    #[test]
    fn thresholds_fill_missing_fields_with_defaults() {
        let t: Thresholds = serde_json::from_str(r#"{"spray_users":9}"#).unwrap();
        assert_eq!(t.spray_users, 9);
        assert_eq!(t.fatigue_failures, Thresholds::default().fatigue_failures);
    }
}
