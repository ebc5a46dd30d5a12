//! **Settings changed by an actor never seen changing settings before.**
//!
//! Detects the first account MFA change (successful or not), or the first change of another
//! user's login settings, made by an actor who made no such change earlier in the data, once the
//! data holds at least one earlier settings change by someone else (without that baseline every
//! first actor would be "new"). Medium severity.
//!
//! Why it matters: security settings are usually changed by a small, stable group of
//! administrators; a newcomer changing them may be a compromised or newly over-privileged
//! identity.
//!
//! Example: `admin@example.com` changed settings in January; on 1 March `mallory@example.com`
//! changes the account MFA level: "Settings changed by a new actor: mallory@example.com".

use super::{person, Context, Finding, Involved, Severity, Thresholds};
use crate::model::level_label;
use crate::text::visible;
use crate::time::format_iso;
use std::collections::BTreeSet;

pub(crate) const RULE: &str = "new-settings-actor";

/// A settings change an actor made: the actor as shown and with its identifier.
struct Change<'a> {
    time: i64,
    event: u32,
    actor: &'a str,
    named: String,
    what: String,
    ip: Option<&'a str>,
}

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    // Every account MFA change, and every change an actor made to someone else's settings (a
    // user changing their own, as the records tell it, is not one).
    let mut changes: Vec<Change<'_>> = Vec::new();
    let level = |l: &Option<String>| {
        l.as_deref()
            .map_or("?".into(), |l| level_label(l).into_owned())
    };
    for c in &cx.account {
        if let Some(a) = c.actor.as_deref() {
            let what = format!(
                "account MFA {} -> {} ({})",
                level(&c.from),
                level(&c.to),
                c.outcome
            );
            let named = person(a, c.actor_id.as_deref());
            changes.push(Change {
                time: c.time,
                event: c.event,
                actor: a,
                named,
                what,
                ip: c.ip.as_deref(),
            });
        }
    }
    for c in &cx.settings {
        if let Some(a) = c.actor.as_deref().filter(|_| !c.by_self) {
            let user = person(&c.user, c.user_id.as_deref());
            let what = format!(
                "{} of {} set to {}",
                c.setting,
                visible(&user),
                visible(&c.to)
            );
            let named = person(a, c.actor_id.as_deref());
            changes.push(Change {
                time: c.time,
                event: c.event,
                actor: a,
                named,
                what,
                ip: None,
            });
        }
    }
    changes.sort_by_key(|c| (c.time, c.event));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for Change {
        time,
        event,
        actor,
        named,
        what,
        ip,
    } in changes
    {
        if seen.insert(actor) && seen.len() > 1 {
            let mut who = Involved::default();
            who.actor(named.clone())
                .ip(ip.map(str::to_owned))
                .event(event);
            let before: Vec<_> = (seen.iter())
                .filter(|a| **a != actor)
                .map(|a| visible(a))
                .collect();
            let named = visible(&named);
            out.push(who.finding(
                RULE,
                Severity::Medium,
                format!("Settings changed by a new actor: {named}"),
                format!(
                    "{named} made their first settings change in the data at {}: {what}. Earlier changes were made only by {}.",
                    format_iso(time),
                    before.join(", ")
                ),
                time,
                time,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    #[test]
    fn a_newcomer_after_a_baseline_fires_once() {
        let f = run(&[
            account_mfa(
                0,
                "NONE",
                "TOTP4ALL",
                "admin@example.com",
                "192.0.2.1",
                "success",
            ),
            user_setting(
                10,
                "bob@example.com",
                "2FA update",
                false,
                true,
                "admin@example.com",
            ),
            account_mfa(
                60,
                "TOTP4ALL",
                "NONE",
                "mallory@example.com",
                "203.0.113.66",
                "success",
            ),
            account_mfa(
                70,
                "NONE",
                "TOTP4ALL",
                "mallory@example.com",
                "203.0.113.66",
                "success",
            ),
        ]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].title,
            "Settings changed by a new actor: mallory@example.com"
        );
        assert!(
            f[0].detail.contains("only by admin@example.com"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].ips, ["203.0.113.66"]);
    }

    #[test]
    fn the_first_actor_and_users_changing_their_own_settings_do_not_fire() {
        let f = run(&[
            account_mfa(
                0,
                "NONE",
                "TOTP4ALL",
                "admin@example.com",
                "192.0.2.1",
                "success",
            ),
            user_setting(
                10,
                "bob@example.com",
                "2FA update",
                true,
                false,
                "bob@example.com",
            ),
            account_mfa(
                20,
                "TOTP4ALL",
                "LEVEL3",
                "admin@example.com",
                "192.0.2.1",
                "success",
            ),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }
}
