//! Questions the page asks of the store: time histograms, facet counts, filtered pages of rows.
//! Every query walks `order` (time order) and tests each event against a compiled [`Filter`];
//! [`Store::refresh`] answers everything the page redraws after a filter change in one walk, or,
//! for a time window alone, from the per-block counts in `Blocks` without walking the window.

use super::{Store, NO_VALUE};
use crate::model::{Family, Kind, Outcome};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::ops::Range;

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

impl Histogram {
    /// `bins` (at least one) empty bins over [from, to).
    fn empty(from: i64, to: i64, bins: usize) -> Histogram {
        let bins = bins.max(1);
        Histogram {
            from,
            to,
            success: vec![0; bins],
            failure: vec![0; bins],
            other: vec![0; bins],
        }
    }

    /// The bin of a time in [from, to) (the last bin for `to - 1` whatever the rounding).
    fn binner(&self) -> impl Fn(i64) -> usize {
        let (from, bins) = (self.from, self.success.len());
        let width = (self.to - from) as f64 / bins as f64;
        move |t| (((t - from) as f64 / width) as usize).min(bins - 1)
    }

    /// Counts one event of outcome `outcome` in bin `b`.
    fn count(&mut self, b: usize, outcome: u8) {
        match class(outcome) {
            0 => self.success[b] += 1,
            1 => self.failure[b] += 1,
            _ => self.other[b] += 1,
        }
    }
}

/// Everything the page redraws after a filter change: a histogram under its own filter, facet
/// counts and the selection under `filter`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RefreshRequest {
    pub filter: Filter,
    /// The histogram's filter (the page restricts it to authentications).
    pub histogram: Filter,
    /// The histogram's span [from, to), UTC ms, and its number of bins.
    pub from: i64,
    pub to: i64,
    pub bins: usize,
    /// The facets to count, each as [`Store::facet_counts`] counts it.
    pub facets: Vec<Facet>,
    /// Values kept per facet.
    pub limit: usize,
}

/// The answer to a [`RefreshRequest`]: equal to asking [`Store::histogram`], [`Store::facet_counts`]
/// for each facet and [`Store::select`] one by one.
#[derive(Debug, Clone, PartialEq)]
pub struct Refresh {
    pub histogram: Histogram,
    /// Counts per requested facet, in the request's order.
    pub facets: Vec<Vec<(String, u64)>>,
    pub selection: Selection,
}

/// The events matching a filter, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These positions of the time order (a time window alone selects a run of it).
    Range(Range<usize>),
    /// These event indices.
    List(Vec<u32>),
}

impl Default for Selection {
    fn default() -> Self {
        Selection::List(Vec::new())
    }
}

/// Events per block of the per-kind counts (the histogram's shortcut).
const FINE: usize = 256;
/// Events per block of the facet counts.
const COARSE: usize = 4096;
/// The facets [`Blocks`] counts: those the page lists.
const INDEXED: [Facet; 6] = [
    Facet::User,
    Facet::Method,
    Facet::Result,
    Facet::Country,
    Facet::Action,
    Facet::Source,
];

/// Outcome classes of a histogram bin: success, failure, other.
fn class(outcome: u8) -> usize {
    match Outcome::from_u8(outcome) {
        Outcome::Success => 0,
        Outcome::Failure => 1,
        Outcome::Pending | Outcome::Unknown => 2,
    }
}

/// Counts per block of consecutive positions of the time order, rebuilt whenever a file is
/// sealed: per [`FINE`] events, counts by kind and outcome class; per [`COARSE`] events, counts
/// per value of each [`INDEXED`] facet. A time window is then counted block by block, and only
/// the events at its two ends are visited.
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    kinds: Vec<[[u32; 3]; 8]>,
    /// Per coarse block and indexed facet (block * INDEXED.len() + facet), where its entries
    /// start in `entries`; one more at the end.
    start: Vec<u32>,
    /// (facet id, count) pairs.
    entries: Vec<(u32, u32)>,
}

impl Blocks {
    /// Counts the blocks again from the one holding position `from` of the time order on (the
    /// positions before it hold the same events as when they were counted): a file whose events
    /// come after the earlier ones' costs its own blocks, not all of them.
    pub(crate) fn update(&mut self, store: &Store, from: usize) {
        let fine = from / FINE;
        self.kinds.truncate(fine);
        self.kinds
            .extend(store.order[fine * FINE..].chunks(FINE).map(|chunk| {
                let mut c = [[0u32; 3]; 8];
                for &i in chunk {
                    let i = i as usize;
                    c[Kind::from_u8(store.kind[i]) as usize][class(store.outcome[i])] += 1;
                }
                c
            }));
        let coarse = from / COARSE;
        let cut = coarse * INDEXED.len();
        if let Some(&at) = self.start.get(cut) {
            self.entries.truncate(at as usize);
        }
        self.start.truncate(cut);
        // A count per possible id (a string's, or a small enum's) and the ids counted in the
        // block: about half the time of a hash map of counts (docs/performance.md).
        let mut counts = vec![0u32; store.strings.len().max(256)];
        let mut counted = Vec::new();
        for chunk in store.order[coarse * COARSE..].chunks(COARSE) {
            for facet in INDEXED {
                self.start.push(self.entries.len() as u32);
                for &i in chunk {
                    let id = store.facet_id(facet, i as usize);
                    let n = &mut counts[id as usize];
                    if *n == 0 {
                        counted.push(id);
                    }
                    *n += 1;
                }
                self.entries.extend(
                    counted
                        .drain(..)
                        .map(|id| (id, std::mem::take(&mut counts[id as usize]))),
                );
            }
        }
        self.start.push(self.entries.len() as u32);
    }

    /// Gives back the room the counts keep to grow into ([`Store::compact`]).
    pub(crate) fn shrink(&mut self) {
        self.kinds.shrink_to_fit();
        self.start.shrink_to_fit();
        self.entries.shrink_to_fit();
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.kinds.capacity() * std::mem::size_of::<[[u32; 3]; 8]>()
            + self.start.capacity() * 4
            + self.entries.capacity() * 8
    }
}

/// Whole blocks of `size` inside `range`, and the positions before and after them.
fn split(range: Range<usize>, size: usize) -> (Range<usize>, Range<usize>, Range<usize>) {
    let first = range.start.div_ceil(size);
    let last = range.end / size;
    if first >= last {
        return (range.clone(), 0..0, range.end..range.end);
    }
    (
        range.start..first * size,
        first..last,
        last * size..range.end,
    )
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
                let mut strings: Vec<bool> = (0..self.strings.len())
                    .map(|id| id != 0 && hit(self.str(id as u32)))
                    .collect();
                // An identifier shown by a name finds the name's events.
                for (&id, &(_, name)) in &self.names {
                    if strings[id as usize] {
                        strings[name as usize] = true;
                    }
                }
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
        self.matches_except_facets(c, i)
            && c.facets
                .iter()
                .all(|(facet, set)| set.contains(&self.facet_id(*facet, i)))
    }

    /// The facet whose selection event `i` fails: `Ok(None)` when it fails none, `Err(())` when
    /// it fails more than one.
    fn failed_facet(&self, c: &Compiled, i: usize) -> Result<Option<Facet>, ()> {
        let mut failed = None;
        for (facet, set) in &c.facets {
            if set.contains(&self.facet_id(*facet, i)) {
                continue;
            }
            match failed {
                None => failed = Some(*facet),
                Some(f) if f == *facet => {}
                Some(_) => return Err(()),
            }
        }
        Ok(failed)
    }

    /// Time, event ids and text: everything in `c` but the facet selections.
    fn matches_except_facets(&self, c: &Compiled, i: usize) -> bool {
        let t = self.time[i];
        if t < c.from || t >= c.to {
            return false;
        }
        if let Some(ev) = &c.events {
            if !ev.contains(&(i as u32)) {
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
    pub(crate) fn time_range(&self, from: Option<i64>, to: Option<i64>) -> std::ops::Range<usize> {
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
        let mut h = Histogram::empty(from, to, bins);
        let c = self.compile(filter, None);
        let bin = h.binner();
        for &i in &self.order[self.histogram_range(from, to, filter)] {
            let i = i as usize;
            if self.matches(&c, i) {
                h.count(bin(self.time[i]), self.outcome[i]);
            }
        }
        h
    }

    /// The positions of the time order a histogram over [from, to) under `filter` reads.
    fn histogram_range(&self, from: i64, to: i64, filter: &Filter) -> Range<usize> {
        if to <= from {
            return 0..0;
        }
        let lo = filter.from.map_or(from, |f| f.max(from));
        let hi = filter.to.map_or(to, |t| t.min(to));
        self.time_range(Some(lo), Some(hi))
    }

    /// Counts per value of `facet` among events matching `filter` (ignoring the filter's own
    /// selection on that facet, so the alternatives stay visible), largest first, at most `limit`.
    pub fn facet_counts(&self, facet: Facet, filter: &Filter, limit: usize) -> Vec<(String, u64)> {
        let c = self.compile(filter, Some(facet));
        let mut counts: FxHashMap<u32, u64> = Default::default();
        for &i in &self.order[self.time_range(filter.from, filter.to)] {
            let i = i as usize;
            if self.matches(&c, i) {
                *counts.entry(self.facet_id(facet, i)).or_default() += 1;
            }
        }
        self.ranked(facet, counts, limit)
    }

    /// Labelled counts, largest first (then by label), at most `limit`.
    fn ranked(
        &self,
        facet: Facet,
        counts: FxHashMap<u32, u64>,
        limit: usize,
    ) -> Vec<(String, u64)> {
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

    /// The event indices of a selection, in time order.
    pub fn selected<'a>(&'a self, s: &'a Selection) -> &'a [u32] {
        match s {
            Selection::Range(r) => {
                let end = r.end.min(self.order.len());
                &self.order[r.start.min(end)..end]
            }
            Selection::List(v) => v,
        }
    }

    /// Answers a [`RefreshRequest`] in one walk over the events it can concern, or from the
    /// per-block counts when both filters are a time window alone (the histogram's may also
    /// select kinds).
    pub fn refresh(&self, r: &RefreshRequest) -> Refresh {
        if let Some(out) = self.refresh_window(r) {
            return out;
        }
        let mut hist = Histogram::empty(r.from, r.to, r.bins);
        let bin = hist.binner();
        let hist_range = self.histogram_range(r.from, r.to, &r.histogram);
        let sel_range = self.time_range(r.filter.from, r.filter.to);
        let walk = if hist_range.is_empty() {
            sel_range.clone()
        } else if sel_range.is_empty() {
            hist_range.clone()
        } else {
            hist_range.start.min(sel_range.start)..hist_range.end.max(sel_range.end)
        };
        let h = self.compile(&r.histogram, None);
        let c = self.compile(&r.filter, None);
        let mut counts: Vec<FxHashMap<u32, u64>> = vec![FxHashMap::default(); r.facets.len()];
        let mut selection = Vec::new();
        for pos in walk {
            let i = self.order[pos] as usize;
            if hist_range.contains(&pos) && self.matches(&h, i) {
                hist.count(bin(self.time[i]), self.outcome[i]);
            }
            if !sel_range.contains(&pos) || !self.matches_except_facets(&c, i) {
                continue;
            }
            match self.failed_facet(&c, i) {
                Ok(None) => {
                    selection.push(i as u32);
                    for (facet, n) in r.facets.iter().zip(&mut counts) {
                        *n.entry(self.facet_id(*facet, i)).or_default() += 1;
                    }
                }
                Ok(Some(failed)) => {
                    for (facet, n) in r.facets.iter().zip(&mut counts) {
                        if *facet == failed {
                            *n.entry(self.facet_id(failed, i)).or_default() += 1;
                        }
                    }
                }
                Err(()) => {}
            }
        }
        Refresh {
            histogram: hist,
            facets: r
                .facets
                .iter()
                .zip(counts)
                .map(|(facet, n)| self.ranked(*facet, n, r.limit))
                .collect(),
            selection: Selection::List(selection),
        }
    }

    /// [`Store::refresh`] from the block counts, when it applies.
    fn refresh_window(&self, r: &RefreshRequest) -> Option<Refresh> {
        let plain = |f: &Filter| {
            f.events.is_none() && f.text.as_deref().is_none_or(|t| t.trim().is_empty())
        };
        if !plain(&r.filter)
            || !plain(&r.histogram)
            || r.filter.facets.iter().any(|(_, v)| !v.is_empty())
            || r.facets.iter().any(|f| !INDEXED.contains(f))
        {
            return None;
        }
        let mut kinds = [true; 8];
        for (facet, values) in r.histogram.facets.iter().filter(|(_, v)| !v.is_empty()) {
            if *facet != Facet::Kind {
                return None;
            }
            for (k, keep) in kinds.iter_mut().enumerate() {
                *keep &= values.iter().any(|v| v == Kind::ALL[k].name());
            }
        }
        let mut hist = Histogram::empty(r.from, r.to, r.bins);
        let bins = hist.success.len();
        let range = self.histogram_range(r.from, r.to, &r.histogram);
        if !range.is_empty() {
            let bin = hist.binner();
            let positions = &self.order[range.clone()];
            let mut start = range.start;
            for b in 0..bins {
                let end =
                    range.start + positions.partition_point(|&i| bin(self.time[i as usize]) <= b);
                let [s, f, o] = self.kind_counts(start..end, &kinds);
                hist.success[b] = s;
                hist.failure[b] = f;
                hist.other[b] = o;
                start = end;
            }
        }
        let sel = self.time_range(r.filter.from, r.filter.to);
        let facets = r
            .facets
            .iter()
            .map(|&facet| self.ranked(facet, self.window_counts(facet, sel.clone()), r.limit))
            .collect();
        Some(Refresh {
            histogram: hist,
            facets,
            selection: Selection::Range(sel),
        })
    }

    /// Events at `range` positions of the time order whose kind is kept, by outcome class.
    fn kind_counts(&self, range: Range<usize>, kinds: &[bool; 8]) -> [u32; 3] {
        let mut out = [0u32; 3];
        let (head, blocks, tail) = split(range, FINE);
        for pos in head.chain(tail) {
            let i = self.order[pos] as usize;
            if kinds[Kind::from_u8(self.kind[i]) as usize] {
                out[class(self.outcome[i])] += 1;
            }
        }
        for block in &self.blocks.kinds[blocks] {
            for (counts, _) in block.iter().zip(kinds).filter(|(_, &keep)| keep) {
                for (o, n) in out.iter_mut().zip(counts) {
                    *o += n;
                }
            }
        }
        out
    }

    /// Counts per value of an indexed `facet` among the events at `range` positions.
    fn window_counts(&self, facet: Facet, range: Range<usize>) -> FxHashMap<u32, u64> {
        let mut counts: FxHashMap<u32, u64> = FxHashMap::default();
        let (head, blocks, tail) = split(range, COARSE);
        for pos in head.chain(tail) {
            *counts
                .entry(self.facet_id(facet, self.order[pos] as usize))
                .or_default() += 1;
        }
        let k = INDEXED
            .iter()
            .position(|&f| f == facet)
            .expect("an indexed facet");
        for block in blocks {
            let at = block * INDEXED.len() + k;
            let entries = self.blocks.start[at] as usize..self.blocks.start[at + 1] as usize;
            for &(id, n) in &self.blocks.entries[entries] {
                *counts.entry(id).or_default() += u64::from(n);
            }
        }
        counts
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
    use crate::test_support::{generated, store_from, store_from_files};

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
    fn files_whose_times_interleave_are_merged_into_one_time_order() {
        // The second file's events fall between the first's; the third file is in reverse order.
        let file = |times: [i64; 3]| times.map(|t| auth(t, "ana", "success", "TOTP", "US"));
        let s = store_from_files(&[
            ("a.json", &file([1000, 5000, 9000])),
            ("b.json", &file([2000, 6000, 8000])),
            ("c.json", &file([7000, 4000, 3000])),
        ]);
        let all = s.select(&Filter::default());
        assert_eq!(
            s.rows(&all)
                .iter()
                .map(|r| (r.time - T0) / 1000)
                .collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9]
        );
    }

    /// `refresh` against the separate queries it stands for.
    fn check_refresh(s: &Store, r: &RefreshRequest) {
        let got = s.refresh(r);
        assert_eq!(
            got.histogram,
            s.histogram(r.from, r.to, r.bins, &r.histogram),
            "histogram of {r:?}"
        );
        for (facet, counts) in r.facets.iter().zip(&got.facets) {
            assert_eq!(
                counts,
                &s.facet_counts(*facet, &r.filter, r.limit),
                "{facet:?} of {r:?}"
            );
        }
        assert_eq!(
            s.selected(&got.selection),
            s.select(&r.filter),
            "selection of {r:?}"
        );
    }

    #[test]
    fn counts_kept_per_block_across_files_equal_those_of_one_file() {
        let text = generated(10_000_000);
        let one = store_from(&text);
        assert!(one.len() > 2 * COARSE, "{} events", one.len());
        // The first 40% of the lines, the last 30%, then the 30% between them: the third file's
        // events go among the earlier ones, from the middle of the time order on.
        let lines: Vec<&str> = text.lines().collect();
        let (a, b) = (lines.len() * 4 / 10, lines.len() * 7 / 10);
        let three =
            store_from_files(&[("a", &lines[..a]), ("c", &lines[b..]), ("b", &lines[a..b])]);
        let (first, last) = one.time_bounds().unwrap();
        let span = last - first;
        for (lo, hi) in [(0, 1000), (50, 950), (100, 450), (550, 990)] {
            let filter = Filter {
                from: Some(first + span * lo / 1000),
                to: Some(first + span * hi / 1000),
                ..Filter::default()
            };
            let r = RefreshRequest {
                histogram: filter.clone(),
                filter,
                from: first,
                to: last + 1,
                bins: 50,
                facets: INDEXED.to_vec(),
                limit: 1000,
            };
            let (x, y) = (one.refresh(&r), three.refresh(&r));
            assert_eq!(
                (x.histogram, x.facets),
                (y.histogram, y.facets),
                "{lo}-{hi}"
            );
        }
    }

    #[test]
    fn a_name_a_later_file_gives_an_identifier_is_counted_in_the_earlier_blocks() {
        let login = |t: i64, name: &str| {
            format!(
                r#"{{"eventTime":"{}","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{{"id":"IBMid-1"{name},"host":{{"address":"192.0.2.1"}}}},"requestData":{{"client_id":"bx"}}}}"#,
                crate::time::format_iso(T0 + t * 1000)
            )
        };
        let n = 3 * COARSE as i64;
        let ids: Vec<String> = (0..n).map(|t| login(t, "")).collect();
        let s = store_from_files(&[
            ("ids.json", &ids),
            ("named.json", &[login(n, r#","name":"ana@example.com""#)]),
        ]);
        let window = Filter {
            from: Some(T0 + 10_000),
            to: Some(T0 + (n - 10) * 1000),
            ..Filter::default()
        };
        // `refresh` counts a window by blocks (facet_counts walks the events).
        let r = s.refresh(&RefreshRequest {
            histogram: window.clone(),
            filter: window,
            from: T0,
            to: T0 + n * 1000,
            bins: 1,
            facets: vec![Facet::User],
            limit: 10,
        });
        assert_eq!(
            r.facets,
            [vec![("ana@example.com".to_owned(), n as u64 - 20)]]
        );
    }

    #[test]
    fn refresh_equals_the_separate_queries() {
        let s = store_from(&generated(10_000_000));
        assert!(s.len() > 2 * COARSE, "{} events", s.len());
        let (first, last) = s.time_bounds().unwrap();
        let span = last - first;
        let auth = (
            Facet::Kind,
            vec!["iam_login".to_owned(), "authentication".to_owned()],
        );
        let window = |lo: i64, hi: i64| Filter {
            from: Some(first + span * lo / 1000),
            to: Some(first + span * hi / 1000),
            ..Filter::default()
        };
        let mut filters = vec![
            Filter::default(),
            window(50, 950),
            window(1, 999),
            window(333, 334),
            window(500, 500),
            Filter {
                facets: vec![(Facet::Result, vec!["failure".into()])],
                ..window(100, 900)
            },
            Filter {
                facets: vec![
                    (Facet::Country, vec!["US".into(), "DE".into()]),
                    (Facet::Method, vec!["TOTP".into()]),
                    (Facet::Kind, vec!["authentication".into()]),
                ],
                ..Filter::default()
            },
            Filter {
                text: Some("acme".into()),
                ..window(200, 700)
            },
            Filter {
                text: Some("  ".into()),
                ..window(200, 700)
            },
            Filter {
                events: Some((0..s.len() as u32).step_by(7).collect()),
                ..Filter::default()
            },
        ];
        let user = s.facet_counts(Facet::User, &Filter::default(), 1)[0]
            .0
            .clone();
        filters.push(Filter {
            facets: vec![(Facet::User, vec![user, "nobody".into()])],
            ..window(10, 990)
        });
        let facets = vec![
            Facet::User,
            Facet::Method,
            Facet::Result,
            Facet::Country,
            Facet::Source,
            Facet::Action,
        ];
        for filter in filters {
            let mut histogram = filter.clone();
            if !histogram.facets.iter().any(|(f, _)| *f == Facet::Kind) {
                histogram.facets.push(auth.clone());
            }
            let (from, to) = match (filter.from, filter.to) {
                (Some(a), Some(b)) => (a, b),
                _ => (first, last + 1),
            };
            for (bins, limit) in [(240, 50), (7, 3), (1, 1000)] {
                let r = RefreshRequest {
                    filter: filter.clone(),
                    histogram: histogram.clone(),
                    from,
                    to,
                    bins,
                    facets: facets.clone(),
                    limit,
                };
                check_refresh(&s, &r);
                // The histogram over a span other than the window; kinds alone and no kind.
                check_refresh(
                    &s,
                    &RefreshRequest {
                        from: first - 1000,
                        to: last - span / 3,
                        histogram: Filter {
                            facets: vec![],
                            ..histogram.clone()
                        },
                        ..r.clone()
                    },
                );
            }
        }
        // A window only: answered from the blocks as a run of the time order.
        let r = RefreshRequest {
            filter: window(50, 950),
            histogram: window(50, 950),
            from: first,
            to: last,
            bins: 100,
            facets: facets.clone(),
            limit: 50,
        };
        assert!(matches!(s.refresh(&r).selection, Selection::Range(_)));
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
