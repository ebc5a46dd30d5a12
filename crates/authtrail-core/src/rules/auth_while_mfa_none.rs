//! **Authentications while the account's MFA level was NONE.**
//!
//! Finds the periods in which the account MFA requirement was `NONE` or `NONE_NO_ROPC` (from a
//! successful change to such a level until the next successful change away from it, or the end of
//! the data; and from the start of the data when the first recorded change starts from such a
//! level) and reports the successful authentications inside each period: one finding per period,
//! high severity, whose events are those authentications and the change that opened the period.
//!
//! The join is by time only: the logs do not say which sign-ins the account setting applied to
//! (a Verify tenant has its own MFA policy; IAM logins with API keys never ask for MFA), so the
//! finding says so and lists the sign-ins for the reviewer to judge.
//!
//! Why it matters: anything that signed in while MFA was off may have used a stolen password
//! alone; these are the sessions to review first.
//!
//! Example: MFA set to NONE at 09:00, LEVEL2 at 12:12, and 14 successful logins by 3 users in
//! between: "14 successful authentications while account MFA was NONE".

use super::account_mfa_lowered::no_mfa;
use super::{duration, Context, Finding, Involved, Severity, Thresholds};
use crate::time::format_iso;
use std::collections::BTreeSet;

pub(crate) const RULE: &str = "auth-while-mfa-none";

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    let changes: Vec<_> = cx
        .account
        .iter()
        .filter(|c| c.outcome == "success" && c.to.is_some())
        .collect();
    // (start, end, level, the change that opened the period: none when it opens at the start
    // of the data)
    let mut periods: Vec<(i64, i64, &str, Option<u32>)> = Vec::new();
    if let (Some(first), Some((start, _))) = (changes.first(), cx.store.time_bounds()) {
        if let Some(level) = first.from.as_deref().filter(|l| no_mfa(l)) {
            periods.push((start, first.time, level, None));
        }
    }
    for (k, c) in changes.iter().enumerate() {
        let level = c.to.as_deref().unwrap_or_default();
        if !no_mfa(level)
            || changes[..k]
                .last()
                .is_some_and(|p| p.to.as_deref().is_some_and(no_mfa))
        {
            continue;
        }
        let end = changes[k + 1..]
            .iter()
            .find(|n| !n.to.as_deref().is_some_and(no_mfa))
            .map_or(cx.end, |n| n.time);
        periods.push((c.time, end, level, Some(c.event)));
    }
    for (from, to, level, change) in periods {
        let inside: Vec<_> = cx
            .auths
            .iter()
            .filter(|a| a.ok && a.time >= from && a.time <= to)
            .collect();
        if inside.is_empty() {
            continue;
        }
        let mut who = Involved::default();
        for a in &inside {
            who.auth(cx, a);
        }
        if let Some(e) = change {
            who.event(e);
        }
        let users: BTreeSet<u32> = inside.iter().map(|a| a.user).collect();
        let since = if change.is_none() {
            format!("from the start of the data ({})", format_iso(from))
        } else {
            format!("from {}", format_iso(from))
        };
        out.push(who.finding(
            RULE,
            Severity::High,
            format!(
                "{} successful authentication{} while account MFA was {level}",
                inside.len(),
                if inside.len() == 1 { "" } else { "s" }
            ),
            format!(
                "The account MFA requirement was {level} {since} to {} ({}). In that time {} users authenticated successfully {} times. Joined by time only: the logs do not say which of these sign-ins the account setting applied to (a Verify tenant has its own MFA policy; API-key logins never ask for MFA).",
                format_iso(to),
                duration(to - from),
                users.len(),
                inside.len()
            ),
            from,
            to,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    #[test]
    fn logins_inside_the_none_period_are_reported_once() {
        let f = of(
            &run(&[
                iam_login(-10, "ana@example.com", true, "192.0.2.5"),
                account_mfa(
                    0,
                    "TOTP4ALL",
                    "NONE",
                    "mallory@example.com",
                    "203.0.113.66",
                    "success",
                ),
                iam_login(30, "mallory@example.com", true, "203.0.113.66"),
                iam_login(40, "ana@example.com", true, "192.0.2.5"),
                iam_login(50, "ana@example.com", false, "192.0.2.5"),
                account_mfa(
                    60,
                    "NONE",
                    "LEVEL2",
                    "admin@example.com",
                    "192.0.2.1",
                    "success",
                ),
                iam_login(70, "ana@example.com", true, "192.0.2.5"),
            ]),
            RULE,
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].title,
            "2 successful authentications while account MFA was NONE"
        );
        assert!(f[0].detail.contains("Joined by time only"));
        assert_eq!(f[0].users, ["ana@example.com", "mallory@example.com"]);
        assert_eq!(f[0].to - f[0].from, 60 * 60_000);
    }

    #[test]
    fn a_first_change_away_from_none_opens_a_period_at_the_start() {
        let f = of(
            &run(&[
                iam_login(0, "ana@example.com", true, "192.0.2.5"),
                account_mfa(
                    60,
                    "NONE",
                    "TOTP4ALL",
                    "admin@example.com",
                    "192.0.2.1",
                    "success",
                ),
            ]),
            RULE,
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].detail.contains("from the start of the data"),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn logins_outside_none_periods_do_not_fire() {
        let f = run(&[
            account_mfa(
                0,
                "TOTP4ALL",
                "NONE",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
            account_mfa(
                10,
                "NONE",
                "LEVEL2",
                "a@example.com",
                "192.0.2.1",
                "success",
            ),
            iam_login(20, "ana@example.com", true, "192.0.2.5"),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }
}
