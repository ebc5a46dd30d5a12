//! **Failed attempt to change the account MFA level.**
//!
//! Detects an account MFA change whose outcome is `failure`: high when the attempt would have
//! lowered the requirement as [`super::account_mfa_lowered`] counts it (to a level without MFA
//! whatever came before, to an undocumented level, or to a weaker one), medium otherwise (no
//! level stated, the same strength, or stronger).
//!
//! Why it matters: a failed downgrade is someone trying to weaken MFA without the permission to
//! do so, often a compromised identity probing what it can do; it is worth a look even when
//! nothing changed.
//!
//! Example: `mallory@example.com` from 203.0.113.66 tries `TOTP4ALL -> NONE` and is refused: a
//! high finding "Failed attempt to lower account MFA from TOTP4ALL to NONE".

use super::account_mfa_lowered::lowering;
use super::{person, Context, Finding, Involved, Severity, Thresholds};
use crate::model::level_label;
use crate::text::visible;
use crate::time::format_iso;

pub(crate) const RULE: &str = "account-mfa-change-failed";

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    for c in cx.account.iter().filter(|c| c.outcome == "failure") {
        let from = c.from.as_deref();
        let to = c.to.as_deref();
        let lowering = to.and_then(|to| lowering(from, to)).is_some();
        let target = match (from, to) {
            (Some(f), Some(t)) => format!("from {} to {}", level_label(f), level_label(t)),
            (None, Some(t)) => format!("to {}", level_label(t)),
            _ => "(level not stated)".to_owned(),
        };
        let actor = (c.actor.as_deref()).map(|a| person(a, c.actor_id.as_deref()));
        let by = actor.as_deref().map_or("An unknown actor".into(), visible);
        let place =
            c.ip.as_deref()
                .map(|ip| format!(" from {}", visible(ip)))
                .unwrap_or_default();
        let mut who = Involved::default();
        who.actor(actor.clone()).ip(c.ip.clone()).event(c.event);
        out.push(who.finding(
            RULE,
            if lowering {
                Severity::High
            } else {
                Severity::Medium
            },
            format!(
                "Failed attempt to {} account MFA {target}",
                if lowering { "lower" } else { "change" }
            ),
            format!(
                "{by} tried to change the account MFA requirement {target}{place} at {} ({}); the change was refused.",
                format_iso(c.time),
                visible(&c.action)
            ),
            c.time,
            c.time,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    #[test]
    fn refused_downgrade_is_high_and_names_the_actor() {
        let f = run(&[account_mfa(
            0,
            "TOTP4ALL",
            "NONE",
            "mallory@example.com",
            "203.0.113.66",
            "failure",
        )]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(
            f[0].title,
            "Failed attempt to lower account MFA from TOTP4ALL to NONE"
        );
        assert_eq!(
            (f[0].actors.as_slice(), f[0].ips.as_slice()),
            (
                &["mallory@example.com".to_owned()][..],
                &["203.0.113.66".to_owned()][..]
            )
        );
    }

    #[test]
    fn refused_upgrade_is_medium() {
        let f = run(&[account_mfa(
            0,
            "NONE",
            "LEVEL3",
            "a@example.com",
            "192.0.2.1",
            "failure",
        )]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Medium);
    }

    #[test]
    fn successful_changes_do_not_fire() {
        let f = run(&[account_mfa(
            0,
            "TOTP4ALL",
            "NONE",
            "a@example.com",
            "192.0.2.1",
            "success",
        )]);
        assert!(of(&f, RULE).is_empty());
    }
}
