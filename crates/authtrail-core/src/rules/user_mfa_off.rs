//! **A user's 2FA or security questions turned off**, by whom, and whether it was restored.
//!
//! Detects a successful user-setting change of `2FA`, `security_questions_required` or
//! `security_questions_setup` from `true` to `false`. High when it was not turned back on by the
//! end of the data, medium when it was (the finding says after how long). The title says whether
//! the user did it themselves or someone else did: themselves only when the records say so (the
//! same identifier as user and actor, or the same string in the change's own record), never
//! because another record gave the user's identifier the actor's name. Users and actors are
//! named with their identifier when the records tell one (`bob@example.com (IBMid-...)`).
//!
//! Why it matters: per-user MFA is what protects that user when the account-wide requirement
//! does not; an administrator switching it off for someone else, or a user doing it just before
//! suspicious activity, is a classic takeover step.
//!
//! Example: `admin@example.com` turns 2FA off for `bob@example.com` at 10:00 and back on at 11:30:
//! "2FA turned off for bob@example.com by admin@example.com", medium, "restored after 1 h 30 min".

use super::{duration, person, Context, Finding, Involved, Severity, Thresholds};
use crate::text::visible;
use crate::time::format_iso;

pub(crate) const RULE: &str = "user-mfa-off";

const WATCHED: [(&str, &str); 3] = [
    ("2FA", "2FA"),
    ("security_questions_required", "Required security questions"),
    ("security_questions_setup", "Security questions"),
];

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    for (k, c) in cx.settings.iter().enumerate() {
        let Some(&(_, label)) = WATCHED.iter().find(|(s, _)| *s == c.setting) else {
            continue;
        };
        if c.outcome != "success" || c.from.as_deref() != Some("true") || c.to != "false" {
            continue;
        }
        let restored = cx.settings[k + 1..].iter().find(|r| {
            r.outcome == "success" && r.user == c.user && r.setting == c.setting && r.to == "true"
        });
        let by_self = c.actor.is_none() || c.by_self;
        let actor = (c.actor.as_deref()).map(|a| person(a, c.actor_id.as_deref()));
        // Themselves: named once, with the identifier either side gives.
        let user_id = c
            .user_id
            .as_deref()
            .or(c.actor_id.as_deref().filter(|_| by_self));
        let user = person(&c.user, user_id);
        let by = if by_self {
            "the user themselves".to_owned()
        } else {
            visible(actor.as_deref().unwrap_or_default()).into_owned()
        };
        let mut who = Involved::default();
        who.user(user.clone()).actor(actor).event(c.event);
        let mut detail = format!(
            "{label} was turned off for {} by {by} at {}.",
            visible(&user),
            format_iso(c.time)
        );
        let (severity, end) = match restored {
            Some(r) => {
                let by = (r.actor.as_deref()).map(|a| person(a, r.actor_id.as_deref()));
                who.actor(by.clone()).event(r.event);
                detail.push_str(&format!(
                    " It was turned back on {} later, at {}{}.",
                    duration(r.time - c.time),
                    format_iso(r.time),
                    by.map(|a| format!(" by {}", visible(&a)))
                        .unwrap_or_default()
                ));
                (Severity::Medium, r.time)
            }
            None => {
                detail.push_str(&format!(
                    " It was still off at the end of the data ({}).",
                    format_iso(cx.end)
                ));
                (Severity::High, cx.end)
            }
        };
        let title = if by_self {
            format!("{label} turned off by {} themselves", visible(&user))
        } else {
            format!("{label} turned off for {} by {by}", visible(&user))
        };
        out.push(who.finding(RULE, severity, title, detail, c.time, end));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    #[test]
    fn turned_off_by_an_admin_and_restored_is_medium() {
        let f = run(&[
            user_setting(
                0,
                "bob@example.com",
                "2FA update",
                true,
                false,
                "admin@example.com",
            ),
            user_setting(
                90,
                "bob@example.com",
                "2FA update",
                false,
                true,
                "admin@example.com",
            ),
        ]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].title,
            "2FA turned off for bob@example.com by admin@example.com"
        );
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].detail.contains("turned back on 1 h 30 min later"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].users, ["bob@example.com"]);
        assert_eq!(f[0].events.len(), 2);
    }

    #[test]
    fn turned_off_by_the_user_and_never_restored_is_high() {
        let f = run(&[
            user_setting(
                0,
                "bob@example.com",
                "security_questions_required update",
                true,
                false,
                "bob@example.com",
            ),
            iam_login(30, "bob@example.com", true, "192.0.2.7"),
        ]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].title,
            "Required security questions turned off by bob@example.com themselves"
        );
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].to - f[0].from, 30 * 60_000);
    }

    #[test]
    fn turning_on_and_other_settings_do_not_fire() {
        let f = run(&[
            user_setting(
                0,
                "bob@example.com",
                "2FA update",
                false,
                true,
                "admin@example.com",
            ),
            user_setting(
                5,
                "bob@example.com",
                "self_manage update",
                true,
                false,
                "admin@example.com",
            ),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }
}
