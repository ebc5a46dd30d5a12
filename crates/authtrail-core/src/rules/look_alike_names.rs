//! **Names that look alike**: users or actors whose names differ only by invisible characters,
//! whitespace, case or letters that look the same.
//!
//! Detects two or more user or actor names (as shown) that become the same once invisible
//! characters (controls, format and bidi characters, zero-width characters:
//! [`crate::text::is_hidden`]) and whitespace are removed, letters are lower-cased and
//! look-alike letters are replaced by the Latin letter they imitate ([`latin`]: the common
//! Cyrillic, Greek and fullwidth look-alikes of Latin letters and digits, a small table rather
//! than Unicode's full confusables list, which would have cost the page's wasm more than its
//! transfer budget allows). High when the names differ by an invisible character or a
//! look-alike letter, medium by whitespace, low by case alone. Each name is listed with its
//! hidden characters written out (`⟨U+200B⟩`) and the code points of its other non-ASCII
//! characters.
//!
//! Why it matters: `bob@example.com`, `bob@example.com` followed by a zero-width space and
//! `bоb@example.com` with a Cyrillic `о` show as the same person in every list and chart, while
//! they are three users as far as the logs and the rules go: a look-alike can hide an attacker's
//! sign-ins behind a trusted name, or split one person's failures so that no threshold is
//! reached.
//!
//! Example: `bob@example.com` signs in 12 times, `bоb@example.com` (U+043E) once: "2 names
//! look alike: bob@example.com and 1 other (look-alike letters)", high.

use super::{Context, Finding, Involved, Severity, Thresholds};
use crate::text::{is_hidden, visible};
use rustc_hash::FxHashMap;

pub(crate) const RULE: &str = "look-alike-names";

/// The Latin letter or digit a Cyrillic, Greek or fullwidth letter is commonly mistaken for
/// (lower case: the names are lower-cased first), or `c` itself.
pub(crate) fn latin(c: char) -> char {
    match c {
        // Fullwidth ASCII.
        '\u{ff01}'..='\u{ff5e}' => {
            char::from_u32(u32::from(c) - 0xfee0).map_or(c, |a| a.to_ascii_lowercase())
        }
        // Cyrillic.
        'а' => 'a',
        'в' => 'b',
        'ь' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ӏ' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' => 't',
        'ѵ' => 'v',
        'ԝ' => 'w',
        'х' => 'x',
        'у' => 'y',
        'з' => '3',
        // Greek.
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' | 'σ' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'γ' => 'y',
        'ζ' => 'z',
        // Latin letters that pass for others.
        'ı' => 'i',
        'ℓ' => 'l',
        _ => c,
    }
}

/// A name's parts as the comparison sees them: its hidden characters, its whitespace, what is
/// left with look-alike letters replaced (case kept), and that lower-cased: two names look alike
/// when the last is the same.
fn parts(name: &str) -> [String; 4] {
    let hidden: String = name.chars().filter(|&c| is_hidden(c)).collect();
    let seen = name.chars().filter(|&c| !is_hidden(c));
    let spaces: String = seen.clone().filter(|c| c.is_whitespace()).collect();
    let folded: String = seen
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            match latin(lower) {
                l if l == lower => c,
                l if c == lower => l,
                l => l.to_ascii_uppercase(),
            }
        })
        .collect();
    let key = folded.to_lowercase();
    [hidden, spaces, folded, key]
}

/// What can tell two names apart, in the words of the finding; [`differences`] sets bit `k` for
/// `DIFFERENCES[k]`.
const DIFFERENCES: [&str; 4] = [
    "invisible characters",
    "whitespace",
    "case",
    "look-alike letters",
];

/// What tells names `a` and `b` apart (see [`parts`]), as bits of [`DIFFERENCES`].
fn differences(a: &str, b: &str) -> u8 {
    let (pa, pb) = (parts(a), parts(b));
    let lower = |s: &str| -> String {
        let seen = s.chars().filter(|&c| !is_hidden(c) && !c.is_whitespace());
        seen.flat_map(char::to_lowercase).collect()
    };
    let case = pa[2] != pb[2] && pa[2].to_lowercase() == pb[2].to_lowercase();
    u8::from(pa[0] != pb[0])
        | u8::from(pa[1] != pb[1]) << 1
        | u8::from(case) << 2
        | u8::from(lower(a) != lower(b)) << 3
}

/// A name as the finding lists it: hidden characters written out, then the code points of its
/// other non-ASCII characters.
fn describe(name: &str, events: usize) -> String {
    let codes: Vec<String> = name
        .chars()
        .filter(|&c| !c.is_ascii() && !is_hidden(c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    let mut s = format!(
        "\"{}\" ({events} event{}",
        visible(name),
        if events == 1 { "" } else { "s" }
    );
    if !codes.is_empty() {
        s.push_str("; ");
        s.push_str(&codes.join(" "));
    }
    s.push(')');
    s
}

pub(super) fn check(cx: &Context<'_>, _: &Thresholds, out: &mut Vec<Finding>) {
    let s = cx.store;
    let actors: Vec<u32> = (0..s.profiles.len() as u32)
        .map(|p| s.profiles.get(p).actor)
        .collect();
    // The names in use, by string id: the groups come out in the order their names were read.
    let mut used = vec![false; s.strings.len()];
    for &id in s.user.iter().chain(&actors) {
        used[id as usize] = true;
    }
    used[0] = false;
    let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for id in (0..used.len() as u32).filter(|&id| used[id as usize]) {
        let [.., key] = parts(s.str(id));
        let next = groups.len();
        let g = *by_key.entry(key).or_insert(next);
        if g == next {
            groups.push(Vec::new());
        }
        groups[g].push(id);
    }
    groups.retain(|g| g.len() > 1);
    if groups.is_empty() {
        return;
    }
    let group_of: FxHashMap<u32, usize> = (groups.iter().enumerate())
        .flat_map(|(k, g)| g.iter().map(move |&id| (id, k)))
        .collect();
    // Each group's events and each name's count, in time order.
    let mut events: Vec<Vec<u32>> = vec![Vec::new(); groups.len()];
    let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
    for &i in &s.order {
        let k = i as usize;
        let mut hit = None;
        for name in [s.user[k], actors[s.profile[k] as usize]] {
            if let Some(&g) = group_of.get(&name) {
                *counts.entry(name).or_default() += 1;
                hit = Some(g);
            }
        }
        if let Some(g) = hit {
            events[g].push(i);
        }
    }
    let count = |id: u32| counts.get(&id).copied().unwrap_or(0);
    for (ids, events) in groups.iter().zip(events) {
        // The name most used stands for the group.
        let mut anchor = ids[0];
        for &id in &ids[1..] {
            if count(id) > count(anchor) {
                anchor = id;
            }
        }
        let bits = (ids.iter())
            .map(|&id| differences(s.str(anchor), s.str(id)))
            .fold(0, |a, b| a | b);
        let what: Vec<&str> = (0..4)
            .filter(|k| bits & (1 << k) != 0)
            .map(|k| DIFFERENCES[k])
            .collect();
        let severity = if bits & 0b1001 != 0 {
            Severity::High
        } else if bits & 0b10 != 0 {
            Severity::Medium
        } else {
            Severity::Low
        };
        let mut who = Involved::default();
        for &id in ids {
            who.user(s.str(id).to_owned());
        }
        let (from, to) = match (events.first(), events.last()) {
            (Some(&a), Some(&b)) => (s.time[a as usize], s.time[b as usize]),
            _ => (cx.end, cx.end),
        };
        who.events = events;
        let listed: Vec<String> = ids
            .iter()
            .map(|&id| describe(s.str(id), count(id)))
            .collect();
        let what = what.join(", ");
        out.push(who.finding(
            RULE,
            severity,
            format!(
                "{} names look alike: {} and {} other{} ({what})",
                ids.len(),
                visible(s.str(anchor)),
                ids.len() - 1,
                if ids.len() == 2 { "" } else { "s" },
            ),
            format!(
                "These names differ only by {what}, so they show as one person while the logs and the rules count {} people: {}. Check which of them are who they seem.",
                ids.len(),
                listed.join(", ")
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

    fn logins(names: &[&str]) -> Vec<String> {
        (names.iter().enumerate())
            .map(|(k, n)| iam_login(k as i64, n, true, "192.0.2.1"))
            .collect()
    }

    #[test]
    fn a_zero_width_variant_is_high_and_written_out() {
        let f = run(&logins(&[
            "bob@example.com",
            "bob@example.com",
            "bob\u{200b}@example.com",
        ]));
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(
            f[0].title,
            "2 names look alike: bob@example.com and 1 other (invisible characters)"
        );
        assert!(
            f[0].detail
                .contains("\"bob⟨U+200B⟩@example.com\" (1 event)"),
            "{}",
            f[0].detail
        );
        assert!(f[0].detail.contains("\"bob@example.com\" (2 events)"));
        assert_eq!(f[0].events.len(), 3);
        assert_eq!(f[0].users.len(), 2);
    }

    #[test]
    fn cyrillic_greek_and_fullwidth_letters_are_look_alikes() {
        let f = run(&logins(&[
            "admin@example.com",
            "аdmin@example.com",      // Cyrillic а
            "admin@exαmple.com",      // Greek α
            "ａｄｍｉｎ@example.com", // fullwidth
        ]));
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].title.starts_with("4 names look alike"),
            "{}",
            f[0].title
        );
        assert!(
            f[0].title.ends_with("(look-alike letters)"),
            "{}",
            f[0].title
        );
        assert!(f[0].detail.contains("U+0430"), "{}", f[0].detail);
        assert!(f[0].detail.contains("U+03B1"), "{}", f[0].detail);
    }

    #[test]
    fn a_trailing_space_is_medium_and_case_alone_is_low() {
        let f = run(&logins(&["carol@example.com", "carol@example.com "]));
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].detail.contains("\"carol@example.com⟨U+0020⟩\""));
        let f = run(&logins(&["Dave@Example.com", "dave@example.com"]));
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            (f[0].severity, f[0].title.ends_with("(case)")),
            (Severity::Low, true)
        );
    }

    #[test]
    fn an_actor_and_a_user_that_look_alike_are_found_too() {
        let f = run(&[
            user_setting(
                0,
                "erin@example.com",
                "2FA update",
                true,
                false,
                "admin@example.com",
            ),
            iam_login(5, "admin@example.com\u{202e}", true, "192.0.2.1"),
        ]);
        let f = of(&f, RULE);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].detail.contains("\"admin@example.com⟨U+202E⟩\""),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn different_people_and_a_lone_name_do_not_fire() {
        let f = run(&logins(&[
            "bob@example.com",
            "bob@example.org",
            "rob@example.com",
            "anna.lee@example.com",
            "lone\u{200b}@example.com",
        ]));
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }
}
