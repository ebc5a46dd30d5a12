//! **Records share an id but differ.**
//!
//! Detects records that carry the id of an earlier record (its CADF or Verify `id`, or its
//! wrapper's LogDNA `_lid` or Elasticsearch `_id`) but say something else: another time, action,
//! outcome, user, level... Two records are one event (a duplicate, as overlapping exports give)
//! only when everything they say is equal; these are not, so every one of them is kept and shown.
//! One finding per id, high, naming each record's file and line (for up to [`IDS`] ids; the rest
//! share one more finding).
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
use crate::text::sample_text;
use crate::text::visible;
use crate::time::format_iso;
use rustc_hash::FxHashMap;

pub(crate) const RULE: &str = "id-reused";

/// Ids with a finding of their own; those beyond share one more finding (hostile input may hold
/// any number of them).
const IDS: usize = 100;
/// Records (or ids) named in one finding's detail; the rest are counted, and all are among its
/// events.
const NAMED: usize = 20;

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
    let id_of = |id: u32| match id {
        0 => "wrapper id (_lid or _id)".to_owned(),
        id => format!("id \"{}\"", sample_text(store.str(id).as_bytes(), 80)),
    };
    let rest = groups.split_off(groups.len().min(IDS));
    for (id, events) in groups {
        let id = id_of(id);
        let mut who = Involved::default();
        let mut records = Vec::new();
        for &e in &events {
            let ev = involve(cx, &mut who, e);
            if records.len() < NAMED {
                let file = &store.files()[usize::from(store.locate(e as usize).file)].name;
                records.push(format!(
                    "{} line {} ({} at {})",
                    visible(file),
                    store.line(e as usize),
                    visible(&ev.action),
                    format_iso(ev.time)
                ));
            }
        }
        let (none, all) = match events.len() {
            2 => ("neither is a duplicate of the other", "both"),
            _ => ("none is a duplicate of another", "all"),
        };
        let (from, to) = window(cx, &events);
        out.push(who.finding(
            RULE,
            Severity::High,
            format!("{} records share the {id} but differ", events.len()),
            format!(
                "The records at {} carry the same {id} but differ: {none}, {all} are kept and shown. A record reusing an event's id may be forged to pass for it and hide it; compare their original records.",
                listed(records, events.len()),
            ),
            from,
            to,
        ));
    }
    if rest.is_empty() {
        return;
    }
    let mut who = Involved::default();
    let events: Vec<u32> = rest.iter().flat_map(|(_, e)| e).copied().collect();
    for &e in &events {
        involve(cx, &mut who, e);
    }
    let ids: Vec<String> = rest.iter().take(NAMED).map(|&(id, _)| id_of(id)).collect();
    let (from, to) = window(cx, &events);
    out.push(who.finding(
        RULE,
        Severity::High,
        format!("{} more ids are each shared by records that differ", rest.len()),
        format!(
            "Besides the ids above, records that differ share each of these: {}. All {} of them are kept and shown, each with a diagnostic at its line naming the first record with its id.",
            listed(ids, rest.len()),
            events.len(),
        ),
        from,
        to,
    ));
}

/// Adds event `e`'s user, actor and address to `who`; returns the event.
fn involve<'s>(cx: &Context<'s>, who: &mut Involved, e: u32) -> crate::model::Event<'s> {
    let ev = cx.store.event(e as usize);
    who.user(ev.user.as_deref().map(str::to_owned))
        .actor(ev.actor.as_deref().map(str::to_owned))
        .ip(ev.ip.as_deref().map(str::to_owned))
        .event(e);
    ev
}

/// The earliest and latest times of `events`.
fn window(cx: &Context<'_>, events: &[u32]) -> (i64, i64) {
    let times = events.iter().map(|&e| cx.store.time[e as usize]);
    (times.clone().min().unwrap_or(0), times.max().unwrap_or(0))
}

/// `a, b and c`, or `a, b and 7 more` when `named` are the first of `total`.
fn listed(mut named: Vec<String>, total: usize) -> String {
    let more = total - named.len();
    let last = match more {
        0 => named.pop().unwrap_or_default(),
        _ => format!("{more} more"),
    };
    if named.is_empty() {
        last
    } else {
        format!("{} and {last}", named.join(", "))
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

    /// Hostile input may reuse any number of ids, any number of times: the findings and their
    /// details stay bounded, and every record is among some finding's events.
    #[test]
    fn many_reused_ids_and_records_are_named_to_a_bound_and_all_kept() {
        let first = iam_login(-1, "bo@example.com", true, "192.0.2.1");
        let mut records: Vec<String> = (0..NAMED + 5)
            .map(|n| first.replace("192.0.2.1", &format!("198.51.100.{n}")))
            .collect();
        for k in 0..IDS as i64 + 5 {
            let first = iam_login(k, "ana@example.com", true, "192.0.2.1");
            records.push(first.replace("192.0.2.1", "192.0.2.2"));
            records.push(first);
        }
        let f = of(&run(&records), RULE);
        assert_eq!(f.len(), IDS + 1);
        let many = f
            .iter()
            .find(|f| f.events.len() == NAMED + 5)
            .expect("bo's id");
        assert!(
            many.detail.contains(" and 5 more carry the same id"),
            "{}",
            many.detail
        );
        let last = &f[IDS];
        assert_eq!(
            last.title,
            "6 more ids are each shared by records that differ"
        );
        assert!(
            last.detail.contains(". All 12 of them are kept"),
            "{}",
            last.detail
        );
        let listed: usize = f.iter().map(|f| f.events.len()).sum();
        assert_eq!(listed, records.len());
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
