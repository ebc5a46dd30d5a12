//! **Records share an id but differ.**
//!
//! Detects records that carry the id of an earlier record (its CADF or Verify `id`, or its
//! wrapper's LogDNA `_lid` or Elasticsearch `_id`) but say something else: another time, action,
//! outcome, user, level... Two records are one event (a duplicate, as overlapping exports give)
//! only when everything they say is equal; these are not, so every one of them is kept and shown.
//! One finding per id, high, naming each record's file and line.
//!
//! Why it matters: an id names one event. A record reusing it with other content is a broken
//! export at best; at worst a forged record placed before the real one so that the real one
//! would be taken for its duplicate and dropped: a harmless-looking line with the id of an
//! account MFA downgrade would hide the downgrade.
//!
//! Example: `export.ndjson` line 1 is an `iam-groups.group.read` with id `at-0093`, and line 3
//! the `iam-identity.accountsettings.update` to `NONE` with the same id: "2 records share the id
//! "at-0093" but differ", high, naming `export.ndjson line 1` and `export.ndjson line 3`; the
//! downgrade is kept and gives its own critical finding.

use super::{Context, Finding, Involved, Severity, Thresholds};
use crate::diag::sample_text;
use crate::time::format_iso;
use rustc_hash::FxHashMap;

pub(crate) const RULE: &str = "id-reused";

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    let store = cx.store;
    // Per first event of a key: the id and every event with the key, in the order read.
    let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
    let mut group_of: FxHashMap<u32, usize> = FxHashMap::default();
    for c in &store.conflicts {
        let g = *group_of.entry(c.earlier).or_insert_with(|| {
            groups.push((c.id, vec![c.earlier]));
            groups.len() - 1
        });
        groups[g].1.push(c.later);
    }
    for (id, events) in groups {
        let id = match id {
            0 => "wrapper id (_lid or _id)".to_owned(),
            id => format!("id \"{}\"", sample_text(store.str(id).as_bytes(), 80)),
        };
        let mut who = Involved::default();
        let (mut from, mut to) = (i64::MAX, i64::MIN);
        let mut records = Vec::new();
        for &e in &events {
            let ev = store.event(e as usize);
            from = from.min(ev.time);
            to = to.max(ev.time);
            let file = &store.files()[usize::from(store.locate(e as usize).file)].name;
            records.push(format!(
                "{file} line {} ({} at {})",
                store.line(e as usize),
                ev.action,
                format_iso(ev.time)
            ));
            who.user(ev.user.map(|u| u.into_owned()))
                .actor(ev.actor.map(|a| a.into_owned()))
                .ip(ev.ip.map(|ip| ip.into_owned()))
                .event(e);
        }
        let last = records.pop().unwrap_or_default();
        let (none, all) = match events.len() {
            2 => ("neither is a duplicate of the other", "both"),
            _ => ("none is a duplicate of another", "all"),
        };
        out.push(who.finding(
            RULE,
            Severity::High,
            format!("{} records share the {id} but differ", events.len()),
            format!(
                "The records at {} and {last} carry the same {id} but differ: {none}, {all} are kept and shown. A record reusing an event's id may be forged to pass for it and hide it; compare their original records.",
                records.join(", "),
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
    fn a_harmless_record_with_the_id_of_a_downgrade_is_kept_beside_it() {
        let downgrade = account_mfa(
            60,
            "TOTP4ALL",
            "NONE",
            "mallory@example.com",
            "203.0.113.66",
            "success",
        );
        let forged = iam_login(0, "ana@example.com", true, "192.0.2.1")
            .replace("il-0-ana@example.com-true", "am-60-NONE-success");
        let f = run(&[forged, downgrade]);
        let reused = of(&f, RULE);
        assert_eq!(reused.len(), 1, "{f:#?}");
        assert_eq!(reused[0].severity, Severity::High);
        assert_eq!(
            reused[0].title,
            "2 records share the id \"am-60-NONE-success\" but differ"
        );
        assert!(
            reused[0]
                .detail
                .starts_with("The records at test.json line 1 (iam-identity.user-refreshtoken.login at 2024-03-01T00:00:00.000Z) and test.json line 2 (iam-identity.accountsettings.update at 2024-03-01T01:00:00.000Z) carry the same id \"am-60-NONE-success\" but differ: neither"),
            "{}",
            reused[0].detail
        );
        assert_eq!(reused[0].events, [0, 1]);
        assert_eq!(reused[0].actors, ["ana@example.com", "mallory@example.com"]);
        // The downgrade is read: its own finding is there too.
        assert_eq!(of(&f, "account-mfa-lowered").len(), 1);
    }

    #[test]
    fn one_finding_per_id_naming_every_record_with_it() {
        let first = iam_login(0, "ana@example.com", true, "192.0.2.1");
        let records = [
            first.clone(),
            first.replace("192.0.2.1", "192.0.2.2"),
            first.replace("192.0.2.1", "192.0.2.3"),
            first.replace("192.0.2.1", "192.0.2.2"),
            iam_login(5, "bo@example.com", true, "192.0.2.9"),
            iam_login(5, "bo@example.com", false, "192.0.2.9")
                .replace("il-5-bo@example.com-false", "il-5-bo@example.com-true"),
        ];
        let f = of(&run(&records), RULE);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].title,
            "3 records share the id \"il-0-ana@example.com-true\" but differ"
        );
        assert!(
            f[0].detail.contains("at test.json line 1 (iam-identity.user-refreshtoken.login at 2024-03-01T00:00:00.000Z), test.json line 2 (")
                && f[0].detail.contains(") and test.json line 3 (")
                && f[0].detail.contains("none is a duplicate of another, all are kept"),
            "{}",
            f[0].detail
        );
        assert_eq!(f[0].ips, ["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
        assert_eq!(
            (f[1].events.as_slice(), f[1].users.as_slice()),
            (&[3, 4][..], &["bo@example.com".to_owned()][..])
        );
    }

    #[test]
    fn duplicates_and_distinct_ids_do_not_fire() {
        let login = iam_login(0, "ana@example.com", true, "192.0.2.1");
        // The same event twice, once pretty-printed, and another event.
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(&login).unwrap(),
        )
        .unwrap();
        let f = run(&[
            login,
            pretty,
            iam_login(1, "ana@example.com", true, "192.0.2.1"),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }
}
