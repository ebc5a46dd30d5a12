//! **MFA enrollment changed, then a login from a new country or device.**
//!
//! Detects a Verify `mfa_device` change (enrolled, updated or removed) for a user, followed within
//! `enrollment_window_hours` (default 24) by that user's successful authentication from a country,
//! or with a user agent, that none of the user's earlier successful authentications had. Needs at
//! least one earlier authentication with the same attribute to compare with. High severity.
//!
//! Why it matters: an attacker who has a password registers their own authenticator, then logs in
//! from their own place and browser; the pair is much stronger evidence than either alone.
//!
//! Example: `ana@example.com` always logs in from FR with Firefox; at 10:00 a TOTP device is
//! enrolled for her, at 10:40 she logs in from RU: "MFA enrollment change for ana@example.com,
//! then a login from a new country (RU) 40 min later".

use super::{duration, Auth, Context, Finding, Involved, Severity, Thresholds};
use crate::model::{Detail, Kind, Outcome};
use crate::text::visible;
use crate::time::format_iso;
use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) const RULE: &str = "enrollment-then-new-location";

pub(super) fn check(cx: &Context<'_>, t: &Thresholds, out: &mut Vec<Finding>) {
    let s = cx.store;
    let window = i64::from(t.enrollment_window_hours) * 3_600_000;
    let mut by_user: FxHashMap<u32, Vec<&Auth>> = FxHashMap::default();
    for a in cx.auths.iter().filter(|a| a.ok) {
        by_user.entry(a.user).or_default().push(a);
    }
    for &e in &s.order {
        let k = e as usize;
        if Kind::from_u8(s.kind[k]) != Kind::MfaEnrollment
            || Outcome::from_u8(s.outcome[k]) == Outcome::Failure
            || s.user[k] == 0
        {
            continue;
        }
        let (user, at) = (s.user[k], s.time[k]);
        let mine = by_user.get(&user).map_or(&[][..], Vec::as_slice);
        let split = mine.partition_point(|a| a.time < at);
        let before = &mine[..split];
        let countries: FxHashSet<u32> = before
            .iter()
            .map(|a| a.country)
            .filter(|&c| c != 0)
            .collect();
        let agents: FxHashSet<u32> = before.iter().map(|a| a.agent).filter(|&g| g != 0).collect();
        let hit = mine[split..]
            .iter()
            .take_while(|a| a.time - at <= window)
            .find_map(|a| {
                if a.country != 0 && !countries.is_empty() && !countries.contains(&a.country) {
                    Some((a, format!("a new country ({})", cx.shown(a.country, ""))))
                } else if a.agent != 0 && !agents.is_empty() && !agents.contains(&a.agent) {
                    Some((a, format!("a new device ({})", cx.shown(a.agent, ""))))
                } else {
                    None
                }
            });
        let Some((a, what)) = hit else { continue };
        let name = visible(&cx.user(e, "")).into_owned();
        let enrollment = s.event(k);
        let operation = match &enrollment.detail {
            Detail::MfaEnrollment { operation, .. } => operation.as_ref(),
            _ => "changed",
        };
        let mut who = Involved::default();
        who.user(cx.user(e, "")).event(e).auth(cx, a);
        who.actor(cx.actor(e));
        out.push(who.finding(
            RULE,
            Severity::High,
            format!(
                "MFA enrollment change for {name}, then a login from {what} {} later",
                duration(a.time - at)
            ),
            format!(
                "An MFA device was {operation} for {name} at {}; at {} {name} authenticated from {what}{}, which none of their {} earlier successful authentications had.",
                format_iso(at),
                format_iso(a.time),
                if a.ip != 0 { format!(" at {}", cx.shown(a.ip, "")) } else { String::new() },
                before.len()
            ),
            at,
            a.time,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    const FR: (&str, f64, f64) = ("FR", 48.85, 2.35);
    const RU: (&str, f64, f64) = ("RU", 55.75, 37.62);

    fn history() -> Vec<String> {
        (0..3)
            .map(|d| {
                verify_auth(
                    d * 86_400,
                    "ana@example.com",
                    "password",
                    true,
                    "192.0.2.5",
                    FR,
                    "Firefox",
                )
            })
            .collect()
    }

    #[test]
    fn enrollment_then_a_new_country_fires() {
        let mut r = history();
        r.push(mfa_device(3 * 86_400, "ana@example.com", "created"));
        r.push(verify_auth(
            3 * 86_400 + 2400,
            "ana@example.com",
            "password",
            true,
            "203.0.113.9",
            RU,
            "Firefox",
        ));
        let f = run(&r);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].title,
            "MFA enrollment change for ana@example.com, then a login from a new country (RU) 40 min later"
        );
        assert_eq!(f[0].ips, ["203.0.113.9"]);
        assert_eq!(f[0].events.len(), 2);
    }

    #[test]
    fn enrollment_then_a_new_device_fires() {
        let mut r = history();
        r.push(mfa_device(3 * 86_400, "ana@example.com", "created"));
        r.push(verify_auth(
            3 * 86_400 + 60,
            "ana@example.com",
            "password",
            true,
            "192.0.2.5",
            FR,
            "curl/8.0",
        ));
        let f = of(&run(&r), RULE);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].title.contains("a new device (curl/8.0)"),
            "{}",
            f[0].title
        );
    }

    #[test]
    fn known_places_late_logins_and_no_baseline_do_not_fire() {
        let mut r = history();
        r.push(mfa_device(3 * 86_400, "ana@example.com", "created"));
        r.push(verify_auth(
            3 * 86_400 + 60,
            "ana@example.com",
            "password",
            true,
            "192.0.2.5",
            FR,
            "Firefox",
        ));
        r.push(verify_auth(
            5 * 86_400,
            "ana@example.com",
            "password",
            true,
            "203.0.113.9",
            RU,
            "Firefox",
        ));
        r.push(mfa_device(0, "new@example.com", "created"));
        r.push(verify_auth(
            60,
            "new@example.com",
            "password",
            true,
            "203.0.113.9",
            RU,
            "Firefox",
        ));
        assert!(of(&run(&r), RULE).is_empty());
    }
}
