//! **Account MFA level lowered**, and how long it stayed lowered.
//!
//! Detects a successful change of the account-wide MFA requirement to a weaker level. A change
//! to a level that requires no MFA at all (`NONE`, `NONE_NO_ROPC`) is critical whatever came
//! before, also when the level before is unknown (a legacy `billing.account-traits.update` with
//! `mfa: ""` and no earlier change) or undocumented; only a move between those two that keeps
//! MFA off and does not weaken it is not one. A change between MFA levels is high when it
//! weakens. The finding's window runs from the change until a later change restored at least
//! the old strength (any level that requires MFA when the old one is unknown), or until the end
//! of the data when nothing did.
//!
//! Why it matters: lowering MFA is the first step of many account takeovers, and an attacker who
//! lowered it will often raise it again afterwards; the window is when the account was exposed.
//!
//! Strength order (weakest first), [`strength`]: `NONE` < `NONE_NO_ROPC` < `TOTP` < `LEVEL1` <
//! `TOTP4ALL` = `LEVEL2` < `LEVEL3`. `NONE_NO_ROPC` only adds a ban on password grants; `TOTP`
//! covers non-federated IBMid users only; `LEVEL1` is an e-mailed code for every user (weaker
//! than an authenticator app); `TOTP4ALL` and `LEVEL2` both ask every user for an authenticator
//! code (IBMid and App ID users respectively), so moving between them is not a lowering;
//! `LEVEL3` asks for a security key. A level IBM does not document (`LEVEL9`) is shown as
//! `LEVEL9 (undocumented)` and ranked below every documented level: a change to it from a
//! documented level is high, and a change away from it is never a lowering, so a forged record
//! setting it before a real downgrade cannot hide that downgrade.
//!
//! Example: `TOTP4ALL -> NONE` by `mallory@example.com` from 203.0.113.66 at 09:00, `NONE ->
//! LEVEL2` at 12:12: a critical finding "Account MFA lowered from TOTP4ALL to NONE", window
//! 09:00-12:12, "stayed lowered for 3 h 12 min".

use super::{duration, person, Context, Finding, Involved, Severity, Thresholds};
use crate::model::{is_documented_level, level_label};
use crate::text::visible;
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

/// How much a change from `from` (`None`: unknown) to `to` weakens the account MFA requirement,
/// if it does (see the module documentation).
pub(crate) fn lowering(from: Option<&str>, to: &str) -> Option<Severity> {
    let was = from.and_then(strength);
    if no_mfa(to) {
        let kept_off = from.is_some_and(no_mfa) && was <= strength(to);
        return (!kept_off).then_some(Severity::Critical);
    }
    match strength(to) {
        None => (from != Some(to)).then_some(Severity::High),
        Some(now) => was.filter(|&was| now < was).map(|_| Severity::High),
    }
}

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    let changes: Vec<_> = cx
        .account
        .iter()
        .filter(|c| c.outcome == "success")
        .collect();
    for (k, c) in changes.iter().enumerate() {
        let Some(to) = c.to.as_deref() else {
            continue;
        };
        let from = c.from.as_deref();
        let Some(severity) = lowering(from, to) else {
            continue;
        };
        // What a later change must reach to end the window: the old strength, or with an
        // unknown or undocumented old level, any level that requires MFA.
        let floor = from.and_then(strength).unwrap_or(2);
        let restored = changes[k + 1..].iter().find(|r| {
            r.to.as_deref()
                .and_then(strength)
                .is_some_and(|s| s >= floor)
        });
        let mut who = Involved::default();
        let actor = (c.actor.as_deref()).map(|a| person(a, c.actor_id.as_deref()));
        who.actor(actor.clone()).ip(c.ip.clone()).event(c.event);
        let by = actor.as_deref().map_or("an unknown actor".into(), visible);
        let place =
            c.ip.as_deref()
                .map(|ip| format!(" from {}", visible(ip)))
                .unwrap_or_default();
        let (to_label, from_label) = (level_label(to), from.map(level_label));
        let mut detail = match &from_label {
            Some(f) => format!(
                "{by} changed the account MFA requirement from {f} to {to_label}{place} at {}.",
                format_iso(c.time)
            ),
            None => format!(
                "{by} set the account MFA requirement to {to_label}{place} at {} ({}); no earlier level is known.",
                format_iso(c.time),
                visible(&c.action)
            ),
        };
        if !is_documented_level(to) {
            detail.push_str(
                " IBM does not document that level; it is ranked below every documented one.",
            );
        }
        let end = match restored {
            Some(r) => {
                let by = (r.actor.as_deref()).map(|a| person(a, r.actor_id.as_deref()));
                who.actor(by.clone()).event(r.event);
                detail.push_str(&format!(
                    " It stayed lowered for {}, until {} was set at {}{}.",
                    duration(r.time - c.time),
                    r.to.as_deref().map_or("?".into(), level_label),
                    format_iso(r.time),
                    by.map(|a| format!(" by {}", visible(&a)))
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
        let title = match (&from_label, is_documented_level(to)) {
            (Some(f), true) => format!("Account MFA lowered from {f} to {to_label}"),
            (Some(f), false) => {
                format!("Account MFA set to an undocumented level, from {f} to {to_label}")
            }
            (None, true) => {
                format!("Account MFA turned off: set to {to_label}, the level before unknown")
            }
            (None, false) => format!("Account MFA set to an undocumented level: {to_label}"),
        };
        out.push(who.finding(RULE, severity, title, detail, c.time, end));
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
    fn raising_lateral_moves_and_failures_do_not_fire() {
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
                "LEVEL9",
                "TOTP",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
            account_mfa(
                40,
                "NONE",
                "NONE_NO_ROPC",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }

    /// Regression: a legacy `billing.account-traits.update` with `mfa: ""` and no earlier change
    /// (the level before unknown) turned MFA off without a finding.
    #[test]
    fn regression_mfa_off_with_the_level_before_unknown_is_critical() {
        let f = run(&[legacy_mfa(0, "", "mallory@example.com")]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            f[0].title,
            "Account MFA turned off: set to NONE, the level before unknown"
        );
        assert!(
            f[0].detail.contains("no earlier level is known"),
            "{}",
            f[0].detail
        );
    }

    /// Regression: one forged record setting an undocumented level (`LEVEL9`) made the real
    /// downgrade after it a change "from LEVEL9", which was not compared: no critical finding.
    #[test]
    fn regression_an_undocumented_level_before_a_downgrade_does_not_hide_it() {
        let f = run(&[
            account_mfa(
                0,
                "NONE",
                "TOTP4ALL",
                "admin@example.com",
                "192.0.2.1",
                "success",
            ),
            legacy_mfa(50, "LEVEL9", "forger@example.com"),
            legacy_mfa(60, "", "mallory@example.com"),
        ]);
        let f = of(&f, RULE);
        let got: Vec<_> = f.iter().map(|f| (f.severity, f.title.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    Severity::Critical,
                    "Account MFA lowered from LEVEL9 (undocumented) to NONE"
                ),
                (
                    Severity::High,
                    "Account MFA set to an undocumented level, from TOTP4ALL to LEVEL9 (undocumented)"
                ),
            ]
        );
        // The forged level does not end the exposure either: the window runs to the end.
        assert!(
            f[0].detail.contains("still lowered at the end"),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn an_undocumented_level_is_ranked_below_every_documented_one() {
        for level in crate::model::MFA_LEVELS {
            assert_eq!(
                lowering(Some(level), "LEVEL9"),
                Some(Severity::High),
                "{level}"
            );
            assert_eq!(
                lowering(Some("LEVEL9"), level).is_some(),
                no_mfa(level),
                "{level}"
            );
        }
        assert_eq!(lowering(Some("LEVEL9"), "LEVEL9"), None);
        assert_eq!(lowering(None, "NONE_NO_ROPC"), Some(Severity::Critical));
        assert_eq!(
            lowering(Some("NONE_NO_ROPC"), "NONE"),
            Some(Severity::Critical)
        );
        assert_eq!(lowering(None, "LEVEL2"), None);
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
