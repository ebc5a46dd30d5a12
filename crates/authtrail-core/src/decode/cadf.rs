//! IBM Cloud Activity Tracker (CADF) events.
//!
//! MFA-relevant actions get kind-specific fields:
//! - account MFA level: `iam-identity.accountsettings.update` (`requestData.request_body.old_mfa_traits` /
//!   `new_mfa_traits`), legacy `billing.account-traits.update` (`requestData.mfa`, `""` = NONE; without an
//!   `mfa` key it is another trait), and the `billing.account-mfa.set-on` / `set-off` companions;
//! - per-user settings: `user-management.user-setting.update`, flat snapshot (before 2023) or
//!   `update[]` diff (since 2023);
//! - `iam-identity.*.login` and `iam-identity.user.logout`.

use super::lenient::{text, Obj, Raw, Text};
use super::scan::keys;
use super::Top;
use crate::diag::Problem;
use crate::model::{
    normalize_level, Detail, Event, Family, Kind, Outcome, SettingValue, TimeFallback,
};
use crate::text::sample_text;
use serde_json::Value;
use std::borrow::Cow;

keys! {
    pub struct Initiator<'a> {
        "id" => id: Option<Text<'a>>,
        "name" => name: Option<Text<'a>>,
        "authnName" => authn_name: Option<Text<'a>>,
        "typeURI" => type_uri: Option<Text<'a>>,
        "host" => host: Obj<Host<'a>>,
    }
}

keys! {
    pub struct Host<'a> {
        "address" => address: Option<Text<'a>>,
        "agent" => agent: Option<Text<'a>>,
    }
}

keys! {
    pub struct Target<'a> {
        "id" => id: Option<Text<'a>>,
        "name" => name: Option<Text<'a>>,
    }
}

keys! {
    /// The part of a login's `requestData` that tells the client: `HOP55v1CCT` is the console, `bx`
    /// the CLI (IBM's Activity Tracker documentation for IAM events).
    pub(super) struct LoginRequest<'a> {
        "client_id" => client_id: Option<Text<'a>>,
    }
}

/// The `client_id` of a login's `requestData`, given as an object or as a JSON-encoded string.
fn login_client(raw: Raw<'_>) -> Option<String> {
    let parse = |s: &str| {
        let mut fast = LoginRequest::default();
        let request = match super::scan::read(s.as_bytes(), &mut fast) {
            Some(()) => Some(fast),
            None => serde_json::from_str::<Obj<LoginRequest<'_>>>(s).ok()?.0,
        };
        request
            .and_then(|r| text(&r.client_id))
            .map(Cow::into_owned)
    };
    if raw.get().starts_with('"') {
        parse(&serde_json::from_str::<String>(raw.get()).ok()?)
    } else {
        parse(raw.get())
    }
}

/// `requestData` as a JSON value, also when given as a JSON-encoded string.
fn data_value(raw: Option<Raw<'_>>) -> Option<Value> {
    let v: Value = serde_json::from_str(raw?.get()).ok()?;
    match v {
        Value::String(s) => serde_json::from_str(&s).ok(),
        Value::Null => None,
        v => Some(v),
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(value_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(o) => o.get("address").and_then(value_text),
        Value::Null => None,
    }
}

/// A boolean setting written as `true`, `"true"`, `1`...: normalized to `true` / `false`.
fn flag_text(v: &Value) -> Option<String> {
    let t = value_text(v)?;
    Some(match t.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => "true".to_owned(),
        "false" | "0" | "no" | "off" => "false".to_owned(),
        _ => t,
    })
}

fn first_ip(s: &str) -> &str {
    s.split(',').next().unwrap_or("").trim()
}

pub fn normalize<'a>(top: &Top<'a>) -> Result<Event<'a>, Problem> {
    let action = text(&top.action).ok_or(Problem::Malformed {
        what: "Activity Tracker event",
        detail: "empty action".into(),
    })?;
    let (used, time) = [
        ("eventTime", &top.event_time),
        ("_ts", &top.ts),
        ("time", &top.time),
    ]
    .into_iter()
    .find_map(|(name, t)| Some((name, t.as_ref().and_then(Text::time)?)))
    .ok_or_else(|| Problem::Malformed {
        what: "Activity Tracker event",
        detail: format!("{action} has no readable eventTime"),
    })?;
    let time_note = (used != "eventTime")
        .then(|| text(&top.event_time))
        .flatten()
        .map(|given| TimeFallback { given, used });
    let outcome = top
        .outcome
        .as_ref()
        .and_then(Text::text)
        .map_or(Outcome::Unknown, |o| Outcome::parse(&o));
    let mut ev = Event::new(
        time,
        Family::ActivityTracker,
        Kind::Other,
        outcome,
        Cow::Owned(String::new()),
    );
    ev.time_note = time_note;
    ev.id = text(&top.id);
    ev.correlation_id = text(&top.correlation_id);
    let ini = top.initiator.0.as_ref();
    ev.actor = ini.and_then(|i| text(&i.name).or_else(|| text(&i.id)));
    ev.alias = ini
        .and_then(|i| Some((text(&i.id)?, text(&i.name)?)))
        .filter(|(id, name)| id != name);
    if let Some(host) = ini.and_then(|i| i.host.0.as_ref()) {
        ev.ip = text(&host.address)
            .map(|a| match a {
                Cow::Borrowed(s) => Cow::Borrowed(first_ip(s)),
                Cow::Owned(s) => Cow::Owned(first_ip(&s).to_owned()),
            })
            .filter(|a| !a.is_empty());
        ev.user_agent = text(&host.agent).filter(|a| a != "Not Set");
    }
    ev.user = ev.actor.clone();
    let a = action.as_ref();
    if let Some(problem) = unreadable_mfa_change(top, a) {
        return Err(problem);
    }
    match a {
        "iam-identity.accountsettings.update" => account_settings(top, &mut ev),
        "billing.account-traits.update" => {
            let mfa = data_value(top.request_data).and_then(|d| d.get("mfa").and_then(value_text));
            if let Some(level) = mfa {
                ev.kind = Kind::AccountMfa;
                ev.detail = Detail::AccountMfa {
                    from: None,
                    to: Some(normalize_level(&level)),
                    companion: false,
                };
            }
        }
        "billing.account-mfa.set-on" | "billing.account-mfa.set-off" => {
            ev.kind = Kind::AccountMfa;
            let to = a.ends_with("set-off").then(|| "NONE".to_owned());
            ev.detail = Detail::AccountMfa {
                from: None,
                to,
                companion: true,
            };
        }
        "user-management.user-setting.update" => user_settings(top, &mut ev),
        "iam-identity.user.logout" => ev.kind = Kind::IamLogout,
        _ if a.starts_with("iam-identity.") && a.ends_with(".login") => login(top, a, &mut ev),
        _ => {}
    }
    ev.action = action;
    Ok(ev)
}

/// An account settings change whose requestData mentions MFA but does not read as an object (a
/// JSON string holding broken JSON, say): whether and how it changed the account MFA level is
/// unknown, which the reviewer is told instead of seeing an event of no kind.
fn unreadable_mfa_change(top: &Top<'_>, action: &str) -> Option<Problem> {
    if !matches!(
        action,
        "billing.account-traits.update" | "iam-identity.accountsettings.update"
    ) {
        return None;
    }
    let raw = top.request_data?.get();
    if !raw.to_ascii_lowercase().contains("mfa")
        || data_value(top.request_data).is_some_and(|v| v.is_object())
    {
        return None;
    }
    Some(Problem::Malformed {
        what: "account MFA change",
        detail: format!(
            "the requestData of {action} mentions MFA but cannot be read, so the MFA level it set is unknown: {}",
            sample_text(raw.as_bytes(), 80)
        ),
    })
}

fn account_settings(top: &Top<'_>, ev: &mut Event<'_>) {
    let Some(req) = data_value(top.request_data) else {
        return;
    };
    let body = req.get("request_body").unwrap_or(&req);
    let old = body.get("old_mfa_traits").and_then(value_text);
    let new = body
        .get("new_mfa_traits")
        .and_then(value_text)
        .or_else(|| body.get("mfa").and_then(value_text));
    let Some(new) = new else { return };
    let (from, to) = (old.as_deref().map(normalize_level), normalize_level(&new));
    if from.as_deref() == Some(to.as_str()) {
        return; // another account setting changed; the MFA level stayed
    }
    ev.kind = Kind::AccountMfa;
    ev.detail = Detail::AccountMfa {
        from,
        to: Some(to),
        companion: false,
    };
}

/// Flat snapshot keys and the names authtrail shows for them.
const FLAT_SETTINGS: [&str; 5] = [
    "2FA",
    "security_questions_setup",
    "security_questions_required",
    "self_manage",
    "allowed_ip_addresses",
];

fn setting_name(update_type: &str) -> String {
    let t = update_type.trim();
    let base = t
        .strip_suffix(" update")
        .or_else(|| t.strip_suffix(" changes"))
        .unwrap_or(t);
    FLAT_SETTINGS
        .iter()
        .find(|s| s.eq_ignore_ascii_case(base))
        .map_or_else(|| base.to_owned(), |s| (*s).to_owned())
}

fn user_settings<'a>(top: &Top<'a>, ev: &mut Event<'a>) {
    ev.kind = Kind::UserSetting;
    let target = top.target.0.as_ref();
    let req = data_value(top.request_data);
    let mut values = Vec::new();
    let mut user: Option<Cow<'a, str>> = None;
    if let Some(req) = &req {
        if let Some(updates) = req.get("update").and_then(Value::as_array) {
            for u in updates {
                let setting = setting_name(
                    u.get("updateType")
                        .and_then(Value::as_str)
                        .unwrap_or("setting"),
                );
                let is_ips = setting == "allowed_ip_addresses";
                let from =
                    u.get("initialValue")
                        .and_then(if is_ips { value_text } else { flag_text });
                let to = u
                    .get("newValue")
                    .and_then(if is_ips { value_text } else { flag_text });
                if is_ips && to.is_none() {
                    let list = |k: &str| u.get(k).and_then(value_text).filter(|s| !s.is_empty());
                    let mut parts = Vec::new();
                    if let Some(a) = list("ips_added") {
                        parts.push(format!("added {a}"));
                    }
                    if let Some(r) = list("ips_removed") {
                        parts.push(format!("removed {r}"));
                    }
                    values.push(SettingValue {
                        setting: Cow::Owned(setting),
                        from,
                        to: parts.join("; "),
                    });
                } else if let Some(to) = to {
                    values.push(SettingValue {
                        setting: Cow::Owned(setting),
                        from,
                        to,
                    });
                }
            }
        } else {
            for key in FLAT_SETTINGS {
                if let Some(v) = req.get(key) {
                    let to = if key == "allowed_ip_addresses" {
                        value_text(v)
                    } else {
                        flag_text(v)
                    };
                    values.push(SettingValue {
                        setting: Cow::Borrowed(key),
                        from: None,
                        to: to.unwrap_or_default(),
                    });
                }
            }
        }
        user = req
            .get("iam_id")
            .and_then(value_text)
            .filter(|s| !s.is_empty())
            .map(Cow::Owned);
    }
    ev.user = user
        .or_else(|| target.and_then(|t| text(&t.name)))
        .or_else(|| target.and_then(|t| text(&t.id)))
        .or_else(|| ev.actor.clone());
    ev.detail = Detail::UserSetting { values };
}

fn login<'a>(top: &Top<'a>, action: &str, ev: &mut Event<'a>) {
    ev.kind = Kind::IamLogin;
    // As `trim_start_matches` / `trim_end_matches`, without building a substring searcher.
    let mut credential = action;
    while let Some(rest) = credential.strip_prefix("iam-identity.") {
        credential = rest;
    }
    while let Some(rest) = credential.strip_suffix(".login") {
        credential = rest;
    }
    let credential = credential.to_owned();
    let client = top
        .request_data
        .and_then(login_client)
        .map(|c| match c.as_str() {
            "HOP55v1CCT" => "UI".to_owned(),
            "bx" => "CLI".to_owned(),
            _ => c,
        })
        .or_else(|| (ev.user_agent.as_deref() == Some("IBM Cloud CLI")).then(|| "CLI".to_owned()));
    // Trusted profiles: the profile is the initiator, the person is authnName.
    if let Some(person) = top.initiator.0.as_ref().and_then(|i| text(&i.authn_name)) {
        ev.user = Some(person);
    }
    ev.method = Some(Cow::Owned(credential.clone()));
    ev.detail = Detail::IamLogin {
        credential: Cow::Owned(credential),
        client: client.map(Cow::Owned),
    };
}

#[cfg(test)]
mod tests {
    use crate::model::{Detail, Kind};
    use crate::test_support::store_from;

    fn ev(action: &str, outcome: &str, t: &str, actor: &str, request: &str) -> String {
        format!(
            r#"{{"eventTime":"{t}","action":"{action}","outcome":"{outcome}","initiator":{{"name":"{actor}","host":{{"address":" 10.0.0.1"}}}},"requestData":{request}}}"#
        )
    }

    #[test]
    fn account_levels_from_request_body_legacy_mfa_and_json_string_request_data() {
        let s = store_from(&[
            ev("billing.account-traits.update", "success", "2021-01-01T00:00:00Z", "a", r#"{"mfa":"","origin":"BSS"}"#),
            ev("billing.account-traits.update", "success", "2021-01-02T00:00:00Z", "a", r#"{"mfa":"TOTP","origin":"BSS"}"#),
            ev("iam-identity.accountsettings.update", "success", "2021-01-03T00:00:00Z", "b", r#""{\"request_body\":{\"old_mfa_traits\":\"TOTP\",\"new_mfa_traits\":\"LEVEL3\"}}""#),
        ].join("\n"));
        let h = s.account_mfa_history();
        let got: Vec<_> = h
            .iter()
            .map(|c| (c.from.as_deref(), c.to.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (None, Some("NONE")),
                (Some("NONE"), Some("TOTP")),
                (Some("TOTP"), Some("LEVEL3"))
            ]
        );
        assert_eq!(
            h[0].ip.as_deref(),
            Some("10.0.0.1"),
            "leading space trimmed"
        );
    }

    /// Regression: an MFA change whose requestData could not be read became an event of no kind,
    /// missing from the account MFA history without a word.
    #[test]
    fn an_mfa_change_with_unreadable_request_data_is_a_diagnostic() {
        let s = store_from(
            &[
                ev(
                    "billing.account-traits.update",
                    "success",
                    "2021-01-01T00:00:00Z",
                    "a",
                    r#"{"mfa":"TOTP"}"#,
                ),
                ev(
                    "billing.account-traits.update",
                    "success",
                    "2021-01-02T00:00:00Z",
                    "a",
                    r#""{\"mfa\":\"TOTP4A""#,
                ),
                ev(
                    "iam-identity.accountsettings.update",
                    "success",
                    "2021-01-03T00:00:00Z",
                    "a",
                    r#""request_body: new_mfa_traits=NONE""#,
                ),
                ev(
                    "billing.account-traits.update",
                    "success",
                    "2021-01-04T00:00:00Z",
                    "a",
                    r#""{\"team_directory\":""#,
                ),
            ]
            .join("\n"),
        );
        assert_eq!(s.account_mfa_history().len(), 1);
        let d: Vec<_> = s
            .diagnostics()
            .iter()
            .map(|d| (d.file, d.line, d.message()))
            .collect();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!((d[0].0, d[0].1, d[1].1), (0, 2, 3));
        assert!(
            d[0].2
                == r#"account MFA change: the requestData of billing.account-traits.update mentions MFA but cannot be read, so the MFA level it set is unknown: "{\"mfa\":\"TOTP4A""#,
            "{}",
            d[0].2
        );
        assert!(
            d[1].2.contains("iam-identity.accountsettings.update"),
            "{}",
            d[1].2
        );
        // Unreadable, but about another trait: an event of no MFA kind, as before.
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn traits_update_without_mfa_and_settings_update_with_same_level_are_not_mfa_changes() {
        let s = store_from(&[
            ev("billing.account-traits.update", "success", "2021-01-01T00:00:00Z", "a", r#"{"origin":"BSS","team_directory_enabled":false}"#),
            ev("iam-identity.accountsettings.update", "success", "2021-01-02T00:00:00Z", "a", r#"{"request_body":{"old_mfa_traits":"LEVEL2","new_mfa_traits":"LEVEL2","new_restrict_create_service_id":"RESTRICTED"}}"#),
        ].join("\n"));
        assert_eq!(s.len(), 2);
        assert!(s.account_mfa_history().is_empty());
        assert_eq!(s.event(0).kind, Kind::Other);
    }

    #[test]
    fn companions_do_not_double_count_but_a_lone_set_off_is_a_change_to_none() {
        let s = store_from(
            &[
                ev(
                    "billing.account-traits.update",
                    "success",
                    "2021-01-01T00:00:00Z",
                    "a",
                    r#"{"mfa":"TOTP4ALL"}"#,
                ),
                ev(
                    "billing.account-mfa.set-on",
                    "success",
                    "2021-01-01T00:00:02Z",
                    "a",
                    "null",
                ),
                ev(
                    "billing.account-mfa.set-off",
                    "success",
                    "2021-02-01T00:00:00Z",
                    "a",
                    "null",
                ),
            ]
            .join("\n"),
        );
        let h = s.account_mfa_history();
        assert_eq!(h.len(), 2);
        assert_eq!(
            (
                h[1].from.as_deref(),
                h[1].to.as_deref(),
                h[1].action.as_str()
            ),
            (
                Some("TOTP4ALL"),
                Some("NONE"),
                "billing.account-mfa.set-off"
            )
        );
    }

    #[test]
    fn failed_attempts_are_listed_but_do_not_move_the_level_and_pending_success_pairs_are_one() {
        let s = store_from(
            &[
                ev(
                    "billing.account-traits.update",
                    "pending",
                    "2021-01-01T00:00:00Z",
                    "a",
                    r#"{"mfa":"TOTP"}"#,
                ),
                ev(
                    "billing.account-traits.update",
                    "success",
                    "2021-01-01T00:00:01Z",
                    "a",
                    r#"{"mfa":"TOTP"}"#,
                ),
                ev(
                    "iam-identity.accountsettings.update",
                    "failure",
                    "2021-01-02T00:00:00Z",
                    "m",
                    r#"{"request_body":{"old_mfa_traits":"TOTP","new_mfa_traits":"NONE"}}"#,
                ),
                ev(
                    "billing.account-traits.update",
                    "success",
                    "2021-01-03T00:00:00Z",
                    "a",
                    r#"{"mfa":"TOTP4ALL"}"#,
                ),
            ]
            .join("\n"),
        );
        let h = s.account_mfa_history();
        let got: Vec<_> = h
            .iter()
            .map(|c| (c.outcome, c.from.as_deref(), c.to.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("success", None, Some("TOTP")),
                ("failure", Some("TOTP"), Some("NONE")),
                ("success", Some("TOTP"), Some("TOTP4ALL"))
            ]
        );
    }

    #[test]
    fn user_settings_flat_snapshot_and_2023_diff() {
        let s = store_from(&[
            ev("user-management.user-setting.update", "success", "2021-01-01T00:00:00Z", "admin", r#"{"2FA":"true","iam_id":"IBMid-1","security_questions_setup":false,"allowed_ip_addresses":""}"#),
            ev("user-management.user-setting.update", "success", "2021-01-02T00:00:00Z", "admin", r#"{"2FA":true,"iam_id":"IBMid-1","security_questions_setup":false}"#),
            r#"{"eventTime":"2024-01-01T00:00:00Z","action":"user-management.user-setting.update","outcome":"success","initiator":{"name":"u@x.com"},"target":{"name":"u@x.com"},"requestData":{"totalNumberChanges":2,"update":[{"initialValue":true,"newValue":false,"updateType":"2FA update"},{"ips_added":[{"address":"1.2.3.4"}],"updateType":"allowed_ip_addresses changes"}]}}"#.to_owned(),
        ].join("\n"));
        let h = s.user_setting_history();
        let got: Vec<_> = h
            .iter()
            .map(|c| {
                (
                    c.user.as_str(),
                    c.setting.as_str(),
                    c.from.as_deref(),
                    c.to.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("IBMid-1", "2FA", None, "true"),
                ("IBMid-1", "security_questions_setup", None, "false"),
                ("IBMid-1", "allowed_ip_addresses", None, ""),
                ("u@x.com", "2FA", Some("true"), "false"),
                ("u@x.com", "allowed_ip_addresses", None, "added 1.2.3.4"),
            ]
        );
        assert_eq!(h[3].actor.as_deref(), Some("u@x.com"));
    }

    #[test]
    fn logins_tell_console_from_cli_and_trusted_profiles_name_the_person() {
        let s = store_from(&[
            ev("iam-identity.user-refreshtoken.login", "success", "2021-01-01T00:00:00Z", "a@x.com", r#"{"client_id":"HOP55v1CCT"}"#),
            ev("iam-identity.user-apikey.login", "success", "2021-01-01T00:00:01Z", "a@x.com", r#""{\"client_id\":\"bx\"}""#),
            r#"{"eventTime":"2021-01-01T00:00:02Z","action":"iam-identity.trustedprofile-apikey.login","outcome":"success","initiator":{"name":"profile-1","authnName":"b@x.com"}}"#.to_owned(),
        ].join("\n"));
        let client = |i| match s.event(i).detail {
            Detail::IamLogin { client, .. } => client.map(|c| c.into_owned()),
            _ => None,
        };
        assert_eq!(
            (client(0).as_deref(), client(1).as_deref()),
            (Some("UI"), Some("CLI"))
        );
        assert_eq!(s.event(2).user.as_deref(), Some("b@x.com"));
        assert_eq!(s.event(2).method.as_deref(), Some("trustedprofile-apikey"));
    }
}
