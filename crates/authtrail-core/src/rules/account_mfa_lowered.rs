//! **Account MFA level lowered**, and how long it stayed lowered.
//!
//! Detects a successful change of the account-wide MFA requirement to a weaker level: critical
//! when the new level requires no MFA at all (`NONE`, `NONE_NO_ROPC`), high otherwise. The
//! finding's window runs from the change until a later change restored at least the old strength,
//! or until the end of the data when nothing did.
//!
//! Why it matters: lowering MFA is the first step of many account takeovers, and an attacker who
//! lowered it will often raise it again afterwards; the window is when the account was exposed.
//!
//! Strength order (weakest first), [`strength`]: `NONE` < `NONE_NO_ROPC` < `TOTP` < `LEVEL1` <
//! `TOTP4ALL` = `LEVEL2` < `LEVEL3`. `NONE_NO_ROPC` only adds a ban on password grants; `TOTP`
//! covers non-federated IBMid users only; `LEVEL1` is an e-mailed code for every user (weaker
//! than an authenticator app); `TOTP4ALL` and `LEVEL2` both ask every user for an authenticator
//! code (IBMid and App ID users respectively), so moving between them is not a lowering;
//! `LEVEL3` asks for a security key. Levels IBM does not document are not compared.
//!
//! Example: `TOTP4ALL -> NONE` by `mallory@example.com` from 203.0.113.66 at 09:00, `NONE ->
//! LEVEL2` at 12:12: a critical finding "Account MFA lowered from TOTP4ALL to NONE", window
//! 09:00-12:12, "stayed lowered for 3 h 12 min".

use super::{duration, Context, Finding, Involved, Severity, Thresholds};
use crate::time::format_iso;

pub(crate) const RULE: &str = "account-mfa-lowered";

/// The strength rank of an account MFA level (see the module documentation), `None` when the
/// level is not documented by IBM.
pub(crate) fn strength(level: &str) -> Option<u8> {
    Some(match level {
        "NONE" => 0,
        "NONE_NO_ROPC" => 1,
        "TOTP" => 2,
        "LEVEL1" => 3,
        "TOTP4ALL" | "LEVEL2" => 4,
        "LEVEL3" => 5,
        _ => return None,
    })
}

/// Whether a level requires no MFA at all.
pub(crate) fn no_mfa(level: &str) -> bool {
    matches!(level, "NONE" | "NONE_NO_ROPC")
}

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    let changes: Vec<_> = cx
        .account
        .iter()
        .filter(|c| c.outcome == "success")
        .collect();
    for (k, c) in changes.iter().enumerate() {
        let (Some(from), Some(to)) = (c.from.as_deref(), c.to.as_deref()) else {
            continue;
        };
        let (Some(was), Some(now)) = (strength(from), strength(to)) else {
            continue;
        };
        if now >= was {
            continue;
        }
        let restored = changes[k + 1..]
            .iter()
            .find(|r| r.to.as_deref().and_then(strength).is_some_and(|s| s >= was));
        let mut who = Involved::default();
        who.actor(c.actor.clone()).ip(c.ip.clone()).event(c.event);
        let by = c.actor.as_deref().unwrap_or("an unknown actor");
        let place =
            c.ip.as_deref()
                .map(|ip| format!(" from {ip}"))
                .unwrap_or_default();
        let mut detail = format!(
            "{by} changed the account MFA requirement from {from} to {to}{place} at {}.",
            format_iso(c.time)
        );
        let end = match restored {
            Some(r) => {
                who.actor(r.actor.clone()).event(r.event);
                detail.push_str(&format!(
                    " It stayed lowered for {}, until {} was set at {}{}.",
                    duration(r.time - c.time),
                    r.to.as_deref().unwrap_or("?"),
                    format_iso(r.time),
                    r.actor
                        .as_deref()
                        .map(|a| format!(" by {a}"))
                        .unwrap_or_default()
                ));
                r.time
            }
            None => {
                detail.push_str(&format!(
                    " It was still lowered at the end of the data ({}), {} later.",
                    format_iso(cx.end),
                    duration(cx.end - c.time)
                ));
                cx.end
            }
        };
        let severity = if no_mfa(to) {
            Severity::Critical
        } else {
            Severity::High
        };
        out.push(who.finding(
            RULE,
            severity,
            format!("Account MFA lowered from {from} to {to}"),
            detail,
            c.time,
            end,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    #[test]
    fn lowering_to_none_is_critical_with_its_duration() {
        let f = run(&[
            account_mfa(
                0,
                "TOTP4ALL",
                "NONE",
                "mallory@example.com",
                "203.0.113.66",
                "success",
            ),
            account_mfa(
                192,
                "NONE",
                "LEVEL2",
                "admin@example.com",
                "192.0.2.1",
                "success",
            ),
        ]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].title, "Account MFA lowered from TOTP4ALL to NONE");
        assert!(
            f[0].detail.contains("stayed lowered for 3 h 12 min"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].to - f[0].from, 192 * 60_000);
        assert_eq!(f[0].actors, ["admin@example.com", "mallory@example.com"]);
        assert_eq!(f[0].ips, ["203.0.113.66"]);
        assert_eq!(f[0].events.len(), 2);
    }

    #[test]
    fn lowering_between_mfa_levels_is_high_and_open_until_the_end() {
        let f = run(&[
            account_mfa(
                0,
                "LEVEL3",
                "LEVEL1",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
            iam_login(60, "a@example.com", true, "192.0.2.1"),
        ]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].detail.contains("still lowered at the end of the data"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].to - f[0].from, 60 * 60_000);
    }

    #[test]
    fn raising_lateral_moves_failures_and_unknown_levels_do_not_fire() {
        let f = run(&[
            account_mfa(
                0,
                "NONE",
                "TOTP4ALL",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
            account_mfa(
                10,
                "TOTP4ALL",
                "LEVEL2",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
            account_mfa(
                20,
                "LEVEL2",
                "NONE",
                "a@example.com",
                "192.0.2.1",
                "failure",
            ),
            account_mfa(
                30,
                "LEVEL2",
                "LEVEL9",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }

    #[test]
    fn strength_order_is_documented() {
        let ranked: Vec<_> = crate::model::MFA_LEVELS
            .iter()
            .map(|l| strength(l).unwrap())
            .collect();
        assert!(ranked.windows(2).all(|w| w[0] <= w[1]), "{ranked:?}");
        assert_eq!(strength("TOTP4ALL"), strength("LEVEL2"));
        assert_eq!(strength("LEVEL9"), None);
    }
}
