//! Questions the page asks of the store: time histograms, facet counts, filtered pages of rows.
//! Every query walks `order` (time order) and tests each event against a compiled [`Filter`].

use super::{Store, NO_VALUE};
use crate::model::{Family, Kind, Outcome};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

/// The dimensions events can be counted and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    User,
    Method,
    Result,
    Country,
    Action,
    /// Activity Tracker, Security Verify, or other.
    Source,
    Kind,
    File,
    Ip,
}

impl Facet {
    pub const ALL: [Facet; 9] = [
        Facet::User,
        Facet::Method,
        Facet::Result,
        Facet::Country,
        Facet::Action,
        Facet::Source,
        Facet::Kind,
        Facet::File,
        Facet::Ip,
    ];
}

/// What the views are restricted to. Empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Inclusive start, UTC ms.
    pub from: Option<i64>,
    /// Exclusive end, UTC ms.
    pub to: Option<i64>,
    /// Per facet, the values to keep (an event matches one of them).
    pub facets: Vec<(Facet, Vec<String>)>,
    /// Case-insensitive text that one of action, user, actor, IP, method, country, city, user
    /// agent or file name must contain.
    pub text: Option<String>,
    /// Restrict to these event ids (indices), e.g. a finding's events.
    pub events: Option<Vec<u32>>,
}

/// A filter resolved against the store's interned ids.
pub(crate) struct Compiled {
    from: i64,
    to: i64,
    facets: Vec<(Facet, FxHashSet<u32>)>,
    text: Option<TextMatch>,
    events: Option<FxHashSet<u32>>,
}

struct TextMatch {
    strings: Vec<bool>,
    profiles: Vec<bool>,
    geos: Vec<bool>,
    files: Vec<bool>,
}

/// Time histogram split by outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub from: i64,
    pub to: i64,
    pub success: Vec<u32>,
    pub failure: Vec<u32>,
    /// Pending or unknown outcome.
    pub other: Vec<u32>,
}

/// One row of the event table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Event index, for detail and original JSON.
    pub index: u32,
    pub time: i64,
    pub kind: &'static str,
    pub source: &'static str,
    pub outcome: &'static str,
    pub action: String,
    pub user: String,
    /// Who performed the event: differs from `user` for changes made by an administrator.
    pub actor: String,
    pub ip: String,
    pub method: String,
    pub country: String,
}

impl Store {
    /// The label of event `i` on a facet.
    pub fn facet_value(&self, facet: Facet, i: usize) -> &str {
        match facet {
            Facet::User => self.str(self.user[i]),
            Facet::Method => self.str(self.profiles.get(self.profile[i]).method),
            Facet::Result => Outcome::from_u8(self.outcome[i]).name(),
            Facet::Country => self.str(self.geos.get(self.geo[i]).country),
            Facet::Action => self.str(self.action[i]),
            Facet::Source => Family::ALL[usize::from(self.family[i]).min(2)].label(),
            Facet::Kind => Kind::from_u8(self.kind[i]).name(),
            Facet::File => &self.files()[usize::from(self.locate(i).file)].name,
            Facet::Ip => self.str(self.ip[i]),
        }
    }

    /// The id space of a facet and the id of event `i` in it.
    fn facet_id(&self, facet: Facet, i: usize) -> u32 {
        match facet {
            Facet::User => self.user[i],
            Facet::Method => self.profiles.get(self.profile[i]).method,
            Facet::Result => u32::from(self.outcome[i]),
            Facet::Country => self.geos.get(self.geo[i]).country,
            Facet::Action => self.action[i],
            Facet::Source => u32::from(self.family[i]),
            Facet::Kind => u32::from(self.kind[i]),
            Facet::File => u32::from(self.locate(i).file),
            Facet::Ip => self.ip[i],
        }
    }

    fn facet_label(&self, facet: Facet, id: u32) -> String {
        match facet {
            Facet::Result => Outcome::from_u8(id as u8).name().to_owned(),
            Facet::Source => Family::ALL[(id as usize).min(2)].label().to_owned(),
            Facet::Kind => Kind::from_u8(id as u8).name().to_owned(),
            Facet::File => self
                .files()
                .get(id as usize)
                .map_or_else(String::new, |f| f.name.clone()),
            _ => self.str(id).to_owned(),
        }
    }

    fn facet_lookup(&self, facet: Facet, label: &str) -> Vec<u32> {
        match facet {
            Facet::Result => Outcome::ALL
                .iter()
                .filter(|o| o.name() == label)
                .map(|o| *o as u32)
                .collect(),
            Facet::Source => Family::ALL
                .iter()
                .filter(|f| f.label() == label)
                .map(|f| *f as u32)
                .collect(),
            Facet::Kind => Kind::ALL
                .iter()
                .filter(|k| k.name() == label)
                .map(|k| *k as u32)
                .collect(),
            Facet::File => self
                .files()
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name == label)
                .map(|(i, _)| i as u32)
                .collect(),
            _ => self.strings.lookup(label).into_iter().collect(),
        }
    }

    pub(crate) fn compile(&self, f: &Filter, skip: Option<Facet>) -> Compiled {
        let facets = f
            .facets
            .iter()
            .filter(|(facet, values)| Some(*facet) != skip && !values.is_empty())
            .map(|(facet, values)| {
                (
                    *facet,
                    values
                        .iter()
                        .flat_map(|v| self.facet_lookup(*facet, v))
                        .collect(),
                )
            })
            .collect();
        let text = f
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                let needle = t.to_lowercase();
                let hit = |s: &str| s.to_lowercase().contains(&needle);
                let strings: Vec<bool> = (0..self.strings.len())
                    .map(|id| id != 0 && hit(self.str(id as u32)))
                    .collect();
                let profiles = (0..self.profiles.len())
                    .map(|id| {
                        let p = self.profiles.get(id as u32);
                        [p.method, p.user_agent, p.actor, p.a, p.b, p.c]
                            .iter()
                            .any(|&s| strings[s as usize])
                    })
                    .collect();
                let geos = (0..self.geos.len())
                    .map(|id| {
                        let g = self.geos.get(id as u32);
                        [g.country, g.country_name, g.city]
                            .iter()
                            .any(|&s| strings[s as usize])
                    })
                    .collect();
                let files = self.files().iter().map(|file| hit(&file.name)).collect();
                TextMatch {
                    strings,
                    profiles,
                    geos,
                    files,
                }
            });
        Compiled {
            from: f.from.unwrap_or(i64::MIN),
            to: f.to.unwrap_or(i64::MAX),
            facets,
            text,
            events: f.events.as_ref().map(|e| e.iter().copied().collect()),
        }
    }

    pub(crate) fn matches(&self, c: &Compiled, i: usize) -> bool {
        let t = self.time[i];
        if t < c.from || t >= c.to {
            return false;
        }
        if let Some(ev) = &c.events {
            if !ev.contains(&(i as u32)) {
                return false;
            }
        }
        for (facet, set) in &c.facets {
            if !set.contains(&self.facet_id(*facet, i)) {
                return false;
            }
        }
        if let Some(m) = &c.text {
            let s = &m.strings;
            let hit = s[self.action[i] as usize]
                || s[self.user[i] as usize]
                || s[self.ip[i] as usize]
                || m.profiles[self.profile[i] as usize]
                || m.geos[self.geo[i] as usize]
                || m.files[usize::from(self.locate(i).file)];
            if !hit {
                return false;
            }
        }
        true
    }

    /// Range of `order` positions with times in [from, to).
    fn time_range(&self, from: Option<i64>, to: Option<i64>) -> std::ops::Range<usize> {
        let lo = from.map_or(0, |f| {
            self.order.partition_point(|&i| self.time[i as usize] < f)
        });
        let hi = to.map_or(self.order.len(), |t| {
            self.order.partition_point(|&i| self.time[i as usize] < t)
        });
        lo..hi.max(lo)
    }

    /// Earliest and latest event time, if any.
    pub fn time_bounds(&self) -> Option<(i64, i64)> {
        Some((
            self.time[*self.order.first()? as usize],
            self.time[*self.order.last()? as usize],
        ))
    }

    /// Events matching `filter` in `bins` equal bins over [from, to), split by outcome.
    pub fn histogram(&self, from: i64, to: i64, bins: usize, filter: &Filter) -> Histogram {
        let bins = bins.max(1);
        let mut h = Histogram {
            from,
            to,
            success: vec![0; bins],
            failure: vec![0; bins],
            other: vec![0; bins],
        };
        if to <= from {
            return h;
        }
        let c = self.compile(filter, None);
        let width = (to - from) as f64 / bins as f64;
        let lo = filter.from.map_or(from, |f| f.max(from));
        let hi = filter.to.map_or(to, |t| t.min(to));
        for &i in &self.order[self.time_range(Some(lo), Some(hi))] {
            let i = i as usize;
            if !self.matches(&c, i) {
                continue;
            }
            let b = (((self.time[i] - from) as f64 / width) as usize).min(bins - 1);
            match Outcome::from_u8(self.outcome[i]) {
                Outcome::Success => h.success[b] += 1,
                Outcome::Failure => h.failure[b] += 1,
                Outcome::Pending | Outcome::Unknown => h.other[b] += 1,
            }
        }
        h
    }

    /// Counts per value of `facet` among events matching `filter` (ignoring the filter's own
    /// selection on that facet, so the alternatives stay visible), largest first, at most `limit`.
    pub fn facet_counts(&self, facet: Facet, filter: &Filter, limit: usize) -> Vec<(String, u64)> {
        let c = self.compile(filter, Some(facet));
        let mut counts: rustc_hash::FxHashMap<u32, u64> = Default::default();
        for &i in &self.order[self.time_range(filter.from, filter.to)] {
            let i = i as usize;
            if self.matches(&c, i) {
                *counts.entry(self.facet_id(facet, i)).or_default() += 1;
            }
        }
        let mut out: Vec<(String, u64)> = counts
            .into_iter()
            .map(|(id, n)| (self.facet_label(facet, id), n))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(limit);
        out
    }

    /// Indices of the events matching `filter`, in time order.
    pub fn select(&self, filter: &Filter) -> Vec<u32> {
        let c = self.compile(filter, None);
        self.order[self.time_range(filter.from, filter.to)]
            .iter()
            .copied()
            .filter(|&i| self.matches(&c, i as usize))
            .collect()
    }

    /// Table rows for event indices.
    pub fn rows(&self, indices: &[u32]) -> Vec<Row> {
        indices
            .iter()
            .map(|&i| {
                let k = i as usize;
                Row {
                    index: i,
                    time: self.time[k],
                    kind: Kind::from_u8(self.kind[k]).name(),
                    source: Family::ALL[usize::from(self.family[k]).min(2)].label(),
                    outcome: Outcome::from_u8(self.outcome[k]).name(),
                    action: self.str(self.action[k]).to_owned(),
                    user: self.str(self.user[k]).to_owned(),
                    actor: {
                        let a = self.profiles.get(self.profile[k]).actor;
                        self.str(if a != 0 { a } else { self.user[k] }).to_owned()
                    },
                    ip: self.str(self.ip[k]).to_owned(),
                    method: self
                        .str(self.profiles.get(self.profile[k]).method)
                        .to_owned(),
                    country: self.str(self.geos.get(self.geo[k]).country).to_owned(),
                }
            })
            .collect()
    }

    /// Latitude and longitude of event `i`, when known.
    pub fn coordinates(&self, i: usize) -> Option<(f32, f32)> {
        let g = self.geos.get(self.geo[i]);
        (g.lat != NO_VALUE && g.lon != NO_VALUE)
            .then(|| (f32::from_bits(g.lat), f32::from_bits(g.lon)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store_from;

    const T0: i64 = 1_700_000_000_000;

    fn auth(t: i64, user: &str, result: &str, method: &str, country: &str) -> String {
        format!(
            r#"{{"geoip":{{"country_iso_code":"{country}"}},"data":{{"result":"{result}","subtype":"mfa","mfamethod":"{method}","username":"{user}"}},"event_type":"authentication","time":{},"id":"{t}{user}"}}"#,
            T0 + t
        )
    }

    fn sample() -> Store {
        store_from(
            &[
                auth(1000, "ana", "success", "TOTP", "US"),
                auth(3000, "ana", "failure", "SMS OTP", "US"),
                auth(2000, "bo", "failure", "SMS OTP", "DE"),
                auth(9000, "bo", "success", "TOTP", "DE"),
            ]
            .join("\n"),
        )
    }

    #[test]
    fn histogram_bins_by_time_and_outcome() {
        let s = sample();
        let h = s.histogram(T0, T0 + 10_000, 5, &Filter::default());
        assert_eq!(h.success, [1, 0, 0, 0, 1]);
        assert_eq!(h.failure, [0, 2, 0, 0, 0]);
        let f = Filter {
            from: Some(T0 + 2000),
            to: Some(T0 + 9000),
            ..Filter::default()
        };
        assert_eq!(s.histogram(T0, T0 + 10_000, 1, &f).failure, [2]);
        assert_eq!(s.histogram(T0, T0 + 10_000, 1, &f).success, [0]);
    }

    #[test]
    fn facets_count_under_the_filter_but_not_their_own_selection() {
        let s = sample();
        let f = Filter {
            facets: vec![(Facet::Result, vec!["failure".into()])],
            ..Filter::default()
        };
        assert_eq!(
            s.facet_counts(Facet::Method, &f, 10),
            [("SMS OTP".to_owned(), 2)]
        );
        assert_eq!(
            s.facet_counts(Facet::Result, &f, 10),
            [("failure".to_owned(), 2), ("success".to_owned(), 2)]
        );
        let de = Filter {
            facets: vec![(Facet::Country, vec!["DE".into()])],
            ..Filter::default()
        };
        assert_eq!(s.facet_counts(Facet::User, &de, 10), [("bo".to_owned(), 2)]);
    }

    #[test]
    fn select_is_time_ordered_and_searchable() {
        let s = sample();
        let all = s.select(&Filter::default());
        assert_eq!(
            s.rows(&all).iter().map(|r| r.time - T0).collect::<Vec<_>>(),
            [1000, 2000, 3000, 9000]
        );
        let f = Filter {
            text: Some("sms".into()),
            ..Filter::default()
        };
        assert_eq!(
            s.rows(&s.select(&f))
                .iter()
                .map(|r| r.user.as_str())
                .collect::<Vec<_>>(),
            ["bo", "ana"]
        );
        assert_eq!(s.rows(&all)[0].actor, "ana");
        let f = Filter {
            events: Some(vec![all[3]]),
            ..Filter::default()
        };
        assert_eq!(s.select(&f), [all[3]]);
        assert_eq!(s.time_bounds(), Some((T0 + 1000, T0 + 9000)));
    }

    #[test]
    fn auth_summary_by_method_country_and_user() {
        let a = sample().auth_summary();
        assert_eq!((a.success, a.failure), (2, 2));
        assert_eq!(
            (a.by_method["SMS OTP"].failure, a.by_country["DE"].success),
            (2, 1)
        );
        assert_eq!(a.users.len(), 2);
    }
}
