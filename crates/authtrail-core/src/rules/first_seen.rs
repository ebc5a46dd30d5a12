//! **First-seen country or user agent** for a user, once a baseline exists.
//!
//! For each user, once they have at least `baseline_successes` (default 5) successful
//! authentications, a successful authentication from a country none of the earlier ones came from
//! is medium severity, and one with a user agent none of them had is low. One finding per user and
//! new value (the first time it is seen).
//!
//! Why it matters: people log in from a few places with a few browsers; a new country or client
//! after weeks of routine is worth a glance, and together with other findings it is often the
//! moment of compromise.
//!
//! Example: `ana@example.com` logged in from FR ten times, then from BR: "First authentication of
//! ana@example.com from BR".

use super::{Context, Finding, Involved, Severity, Thresholds};
use crate::text::visible;
use crate::time::format_iso;
use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) const RULE_COUNTRY: &str = "first-seen-country";
pub(crate) const RULE_AGENT: &str = "first-seen-agent";

#[derive(Default)]
struct Seen {
    successes: u32,
    countries: FxHashSet<u32>,
    agents: FxHashSet<u32>,
}

pub(super) fn check(cx: &Context<'_>, t: &Thresholds, out: &mut Vec<Finding>) {
    let mut users: FxHashMap<u32, Seen> = FxHashMap::default();
    for a in cx.auths.iter().filter(|a| a.ok && a.user != 0) {
        let seen = users.entry(a.user).or_default();
        let baseline = seen.successes >= t.baseline_successes;
        let prior = seen.successes;
        let mut fire = |rule, severity, what: &str, value: u32, count: usize| {
            let name = visible(&cx.user(a.event, "")).into_owned();
            let mut who = Involved::default();
            who.auth(cx, a);
            let value = cx.shown(value, "");
            out.push(who.finding(
                rule,
                severity,
                format!("First authentication of {name} {what} {value}"),
                format!(
                    "At {} {name} authenticated successfully {what} {value} ({}), after {} earlier successful authentications from {count} other {}.",
                    format_iso(a.time),
                    cx.shown(a.ip, "no IP"),
                    prior,
                    if rule == RULE_COUNTRY { "countries" } else { "user agents" },
                ),
                a.time,
                a.time,
            ));
        };
        if a.country != 0
            && !seen.countries.contains(&a.country)
            && baseline
            && !seen.countries.is_empty()
        {
            fire(
                RULE_COUNTRY,
                Severity::Medium,
                "from",
                a.country,
                seen.countries.len(),
            );
        }
        if a.agent != 0 && !seen.agents.contains(&a.agent) && baseline && !seen.agents.is_empty() {
            fire(
                RULE_AGENT,
                Severity::Low,
                "with user agent",
                a.agent,
                seen.agents.len(),
            );
        }
        let seen = users.get_mut(&a.user).expect("inserted above");
        seen.successes += 1;
        if a.country != 0 {
            seen.countries.insert(a.country);
        }
        if a.agent != 0 {
            seen.agents.insert(a.agent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    const FR: (&str, f64, f64) = ("FR", 48.85, 2.35);
    const BR: (&str, f64, f64) = ("BR", -23.55, -46.63);

    fn routine(n: i64) -> Vec<String> {
        (0..n)
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
    fn a_new_country_and_agent_after_the_baseline_fire_once_each() {
        let mut r = routine(6);
        r.push(verify_auth(
            7 * 86_400,
            "ana@example.com",
            "password",
            true,
            "203.0.113.4",
            BR,
            "curl/8.0",
        ));
        r.push(verify_auth(
            8 * 86_400,
            "ana@example.com",
            "password",
            true,
            "203.0.113.4",
            BR,
            "curl/8.0",
        ));
        let f = run(&r);
        let country = of(&f, RULE_COUNTRY);
        assert_eq!(country.len(), 1, "{f:#?}");
        assert_eq!(
            country[0].title,
            "First authentication of ana@example.com from BR"
        );
        assert_eq!(country[0].severity, Severity::Medium);
        assert!(
            country[0]
                .detail
                .contains("after 6 earlier successful authentications from 1 other countries"),
            "{}",
            country[0].detail
        );
        let agent = of(&f, RULE_AGENT);
        assert_eq!(agent.len(), 1);
        assert_eq!(agent[0].severity, Severity::Low);
    }

    #[test]
    fn no_baseline_or_known_values_do_not_fire() {
        let mut r = routine(3);
        r.push(verify_auth(
            4 * 86_400,
            "ana@example.com",
            "password",
            true,
            "203.0.113.4",
            BR,
            "curl/8.0",
        ));
        let mut known = routine(8);
        known.push(verify_auth(
            9 * 86_400,
            "ana@example.com",
            "password",
            false,
            "203.0.113.4",
            BR,
            "curl/8.0",
        ));
        for r in [r, known] {
            let f = run(&r);
            assert!(
                of(&f, RULE_COUNTRY).is_empty() && of(&f, RULE_AGENT).is_empty(),
                "{f:#?}"
            );
        }
    }
}
