//! **Password spraying**: first-factor failures for many users from one IP address.
//!
//! Groups the failed first-factor authentications (Verify password and other first factors, IAM
//! logins) of each IP address into bursts (a gap longer than `spray_window_minutes`, default 60,
//! ends a burst) and flags a burst in which some `spray_window_minutes` span holds failures for at
//! least `spray_users` (default 5) distinct users. One finding per address, covering all its
//! bursts; high severity. The finding counts the users who never authenticated successfully
//! anywhere in the data (likely guessed or unknown names) and the successful sign-ins from the
//! same address during or right after a burst.
//!
//! Why it matters: spraying tries one or two common passwords against many accounts to stay under
//! per-user lockouts; a success from the same address afterwards is a likely compromise.
//!
//! Example: 40 users fail a password from 198.51.100.250 within 2 minutes: "Password failures for
//! 40 users from 198.51.100.250 (31 never seen succeeding)".

use super::{duration, Auth, Context, Finding, Involved, Severity, Thresholds};
use crate::text::visible;
use crate::time::format_iso;
use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) const RULE: &str = "password-spray";

pub(super) fn check(cx: &Context<'_>, t: &Thresholds, out: &mut Vec<Finding>) {
    let window = i64::from(t.spray_window_minutes) * 60_000;
    let need = t.spray_users.max(2) as usize;
    let succeeded: FxHashSet<u32> = cx.auths.iter().filter(|a| a.ok).map(|a| a.user).collect();
    let mut by_ip: FxHashMap<u32, Vec<&Auth>> = FxHashMap::default();
    for a in cx.auths.iter().filter(|a| !a.ok && !a.mfa && a.ip != 0) {
        by_ip.entry(a.ip).or_default().push(a);
    }
    let mut successes: FxHashMap<u32, Vec<&Auth>> = FxHashMap::default();
    for a in cx.auths.iter().filter(|a| a.ok && a.ip != 0) {
        successes.entry(a.ip).or_default().push(a);
    }
    let mut ips: Vec<_> = by_ip.into_iter().collect();
    ips.sort_by_key(|(_, v)| (v[0].time, v[0].event));
    for (ip, failures) in ips {
        let bursts: Vec<&[&Auth]> = failures
            .chunk_by(|a, b| b.time - a.time <= window)
            .filter(|b| spans_enough_users(b, window, need))
            .collect();
        let (Some(first), Some(last)) = (bursts.first(), bursts.last()) else {
            continue;
        };
        let (from, to) = (first[0].time, last[last.len() - 1].time);
        let mut who = Involved::default();
        let mut users: FxHashSet<u32> = FxHashSet::default();
        let mut attempts = 0;
        for a in bursts.iter().flat_map(|b| b.iter()) {
            who.auth(cx, a);
            users.insert(a.user);
            attempts += 1;
        }
        let unknown = users.iter().filter(|u| !succeeded.contains(u)).count();
        // Successful sign-ins from the same address during or just after a burst.
        let after: Vec<&Auth> = successes.get(&ip).map_or(Vec::new(), |ok| {
            ok.iter()
                .filter(|a| {
                    bursts
                        .iter()
                        .any(|b| a.time >= b[0].time && a.time - b[b.len() - 1].time <= window)
                })
                .copied()
                .collect()
        });
        let address = cx.shown(ip, "");
        let mut detail = if bursts.len() == 1 {
            format!(
                "{attempts} first-factor failures for {} distinct users came from {address} between {} and {} ({});",
                users.len(),
                format_iso(from),
                format_iso(to),
                duration(to - from)
            )
        } else {
            format!(
                "{} bursts of first-factor failures came from {address} between {} and {}: {attempts} failures for {} distinct users;",
                bursts.len(),
                format_iso(from),
                format_iso(to),
                users.len()
            )
        };
        detail.push_str(&format!(
            " {unknown} of those users never authenticated successfully in the data."
        ));
        if let Some(a) = after.first() {
            detail.push_str(&format!(
                " {} successful authentication{} came from the same address during or right after, the first of {} at {}.",
                after.len(),
                if after.len() == 1 { "" } else { "s" },
                visible(&cx.user(a.event, "(unknown user)")),
                format_iso(a.time)
            ));
        }
        let end = after.last().map_or(to, |a| a.time.max(to));
        for a in &after {
            who.auth(cx, a);
        }
        let title = if bursts.len() == 1 {
            format!(
                "Password failures for {} users from {address} ({unknown} never seen succeeding)",
                users.len()
            )
        } else {
            format!(
                "Password spraying from {address}: {} users in {} bursts ({unknown} never seen succeeding)",
                users.len(),
                bursts.len()
            )
        };
        out.push(who.finding(RULE, Severity::High, title, detail, from, end));
    }
}

/// Whether some `window`-long span of `burst` (time order) holds failures of `need` users.
fn spans_enough_users(burst: &[&Auth], window: i64, need: usize) -> bool {
    let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
    let mut lo = 0;
    for a in burst {
        *counts.entry(a.user).or_default() += 1;
        while a.time - burst[lo].time > window {
            let u = burst[lo].user;
            let n = counts.get_mut(&u).expect("counted on the way in");
            *n -= 1;
            if *n == 0 {
                counts.remove(&u);
            }
            lo += 1;
        }
        if counts.len() >= need {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    const NL: (&str, f64, f64) = ("NL", 52.37, 4.9);

    fn spray(users: usize, gap_s: i64, ip: &str) -> Vec<String> {
        (0..users)
            .map(|k| {
                verify_auth(
                    k as i64 * gap_s,
                    &format!("user{k}@example.com"),
                    "password",
                    false,
                    ip,
                    NL,
                    "python-requests",
                )
            })
            .collect()
    }

    #[test]
    fn many_users_failing_from_one_address_fire_once() {
        let mut r = spray(8, 10, "198.51.100.250");
        r.push(verify_auth(
            -86_400,
            "user1@example.com",
            "password",
            true,
            "192.0.2.5",
            NL,
            "Firefox",
        ));
        let f = of(&run(&r), RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].title,
            "Password failures for 8 users from 198.51.100.250 (7 never seen succeeding)"
        );
        assert_eq!(f[0].events.len(), 8);
        assert_eq!(f[0].users.len(), 8);
    }

    #[test]
    fn a_success_from_the_spraying_address_is_included() {
        let mut r = spray(6, 10, "198.51.100.250");
        r.push(verify_auth(
            120,
            "user9@example.com",
            "password",
            true,
            "198.51.100.250",
            NL,
            "python-requests",
        ));
        let f = of(&run(&r), RULE);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].detail.contains("1 successful authentication came from the same address during or right after, the first of user9@example.com"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].events.len(), 7);
    }

    #[test]
    fn bursts_from_one_address_make_one_finding() {
        let mut r = spray(6, 10, "198.51.100.250");
        r.extend((0..6).map(|k| {
            verify_auth(
                86_400 + k * 10,
                &format!("other{k}@example.com"),
                "password",
                false,
                "198.51.100.250",
                NL,
                "python-requests",
            )
        }));
        let f = of(&run(&r), RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].title, "Password spraying from 198.51.100.250: 12 users in 2 bursts (12 never seen succeeding)");
        assert_eq!(f[0].events.len(), 12);
    }

    #[test]
    fn few_users_spread_out_or_many_addresses_do_not_fire() {
        assert!(of(&run(&spray(4, 10, "198.51.100.250")), RULE).is_empty());
        assert!(of(&run(&spray(8, 3600, "198.51.100.250")), RULE).is_empty());
        let r: Vec<_> = (0..8)
            .map(|k| {
                verify_auth(
                    k * 10,
                    &format!("u{k}@example.com"),
                    "password",
                    false,
                    &format!("198.51.100.{k}"),
                    NL,
                    "x",
                )
            })
            .collect();
        assert!(of(&run(&r), RULE).is_empty());
    }
}
