//! **Repeated MFA failures, then a success** for one user within minutes.
//!
//! Detects at least `fatigue_failures` (default 3) failed Verify MFA steps of one user followed
//! by a successful MFA step of that user, all within `fatigue_window_minutes` (default 10). High
//! severity. One finding per burst.
//!
//! Why it matters: an attacker holding the password pushes notification after notification until
//! the user approves one to make it stop (push fatigue), or guesses one-time codes; either way the
//! success at the end is probably not the user.
//!
//! Example: four `IBM Verify` push failures for `bo@example.com` at 02:10-02:14, a success at
//! 02:15: "4 MFA failures then a success for bo@example.com within 5 min".

use super::{duration, Auth, Context, Finding, Involved, Severity, Thresholds};
use crate::text::visible;
use crate::time::format_iso;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

pub(crate) const RULE: &str = "mfa-fatigue";

pub(super) fn check(cx: &Context<'_>, t: &Thresholds, out: &mut Vec<Finding>) {
    let window = i64::from(t.fatigue_window_minutes) * 60_000;
    let need = t.fatigue_failures.max(1) as usize;
    let mut failures: FxHashMap<u32, Vec<&Auth>> = FxHashMap::default();
    for a in cx.auths.iter().filter(|a| a.mfa) {
        let recent = failures.entry(a.user).or_default();
        recent.retain(|f| a.time - f.time <= window);
        if !a.ok {
            recent.push(a);
            continue;
        }
        if recent.len() >= need {
            let name = visible(&cx.user(a.event, "(unknown user)")).into_owned();
            let first = recent[0].time;
            let methods: BTreeSet<String> = recent
                .iter()
                .chain([&a])
                .map(|f| {
                    cx.shown(
                        cx.store
                            .profiles
                            .get(cx.store.profile[f.event as usize])
                            .method,
                        "(method not stated)",
                    )
                })
                .collect();
            let mut who = Involved::default();
            for f in recent.iter() {
                who.auth(cx, f);
            }
            who.auth(cx, a);
            out.push(who.finding(
                RULE,
                Severity::High,
                format!(
                    "{} MFA failures then a success for {name} within {}",
                    recent.len(),
                    duration(a.time - first)
                ),
                format!(
                    "{name} failed the MFA step {} times from {} and then passed it at {} (methods: {}). This pattern fits push fatigue (approving a prompt to make them stop) or one-time-code guessing.",
                    recent.len(),
                    format_iso(first),
                    format_iso(a.time),
                    methods.into_iter().collect::<Vec<_>>().join(", ")
                ),
                first,
                a.time,
            ));
        }
        recent.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    const US: (&str, f64, f64) = ("US", 40.7, -74.0);

    fn burst(user: &str, failures: i64, gap_s: i64) -> Vec<String> {
        let mut r: Vec<_> = (0..failures)
            .map(|k| verify_auth(k * gap_s, user, "mfa", false, "198.51.100.3", US, "Chrome"))
            .collect();
        r.push(verify_auth(
            failures * gap_s,
            user,
            "mfa",
            true,
            "198.51.100.3",
            US,
            "Chrome",
        ));
        r
    }

    #[test]
    fn failures_then_success_within_the_window_fire_once() {
        let f = of(&run(&burst("bo@example.com", 4, 60)), RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].title,
            "4 MFA failures then a success for bo@example.com within 4 min"
        );
        assert_eq!(f[0].events.len(), 5);
        assert_eq!(f[0].users, ["bo@example.com"]);
    }

    #[test]
    fn too_few_or_too_spread_failures_do_not_fire() {
        assert!(of(&run(&burst("bo@example.com", 2, 60)), RULE).is_empty());
        assert!(of(&run(&burst("bo@example.com", 4, 400)), RULE).is_empty());
    }

    #[test]
    fn the_threshold_is_configurable() {
        let t = Thresholds {
            fatigue_failures: 2,
            ..Thresholds::default()
        };
        assert_eq!(
            of(&run_with(&burst("bo@example.com", 2, 60), &t), RULE).len(),
            1
        );
    }

    #[test]
    fn first_factor_failures_do_not_count() {
        let mut r: Vec<_> = (0..4)
            .map(|k| {
                verify_auth(
                    k * 60,
                    "bo@example.com",
                    "password",
                    false,
                    "198.51.100.3",
                    US,
                    "Chrome",
                )
            })
            .collect();
        r.push(verify_auth(
            300,
            "bo@example.com",
            "mfa",
            true,
            "198.51.100.3",
            US,
            "Chrome",
        ));
        assert!(of(&run(&r), RULE).is_empty());
    }
}
