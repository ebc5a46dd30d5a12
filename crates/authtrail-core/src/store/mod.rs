//! The columnar event store: one vector per field, times as `i64` ms, strings interned to `u32`,
//! enums as `u8`, and the rarer kind-specific fields in small tuple tables. Events stay in arrival
//! order; `order` holds them sorted by time for every query.

mod dedup;
mod family;
pub mod history;
mod identity;
mod lines;
pub mod query;

use crate::collect::{Collector, FileSummary};
use crate::decode::content_key;
use crate::diag::{Diagnostic, Problem};
use crate::model::{AuthStage, Detail, Event, Family, Geo, Kind, Outcome, SettingValue};
use crate::record::Span;
use dedup::{Dedup, Seen};
pub use identity::{Alias, NameSource};
pub(crate) use identity::{Naming, ProfilesAsRead, NO_EVENT};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hash};

/// At most this many diagnostics are kept word for word; all are counted.
pub const MAX_DIAGNOSTICS: usize = 10_000;

/// Events not kept (outside a subset, over the events cap) still name identifiers; the strings
/// they add to the store stop at this many, and this many bytes: memory stays bounded.
const MAX_UNKEPT_STRINGS: usize = 100_000;
const MAX_UNKEPT_BYTES: usize = 16 << 20;

/// The most bytes one string (a field's value) takes in the store. A longer one is stored as its
/// first bytes and a mark that it was cut, with its length and a hash of it whole (so that values
/// that differ only after the cut stay apart); the record it came from holds it whole.
pub const MAX_FIELD_BYTES: usize = 4096;

/// `s` as the store keeps it: itself, or when longer than [`MAX_FIELD_BYTES`] its first bytes (to
/// a character boundary) and `… [cut: 16,384 bytes, #<xxh3 of s>]`, at most [`MAX_FIELD_BYTES`] in
/// all. A kept form is kept as it is.
pub fn stored_form(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_FIELD_BYTES {
        return Cow::Borrowed(s);
    }
    let digits = s.len().to_string();
    let mut len = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            len.push(',');
        }
        len.push(c);
    }
    let mark = format!(
        "… [cut: {len} bytes, #{:016x}]",
        xxhash_rust::xxh3::xxh3_64(s.as_bytes())
    );
    let mut end = MAX_FIELD_BYTES - mark.len();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{mark}", &s[..end]))
}

/// Strings (or tuples) to dense `u32` ids. Id 0 is the empty string / empty tuple.
#[derive(Debug)]
pub(crate) struct Interner<T> {
    ids: FxHashMap<T, u32>,
    pub(crate) values: Vec<T>,
}

impl<T: Hash + Eq + Clone + Default> Interner<T> {
    fn new() -> Self {
        let mut i = Interner {
            ids: FxHashMap::default(),
            values: Vec::new(),
        };
        i.intern(T::default());
        i
    }
    pub(crate) fn intern(&mut self, v: T) -> u32 {
        if let Some(&id) = self.ids.get(&v) {
            return id;
        }
        let id = u32::try_from(self.values.len()).expect("fewer than 2^32 distinct values");
        self.values.push(v.clone());
        self.ids.insert(v, id);
        id
    }
    pub(crate) fn get(&self, id: u32) -> &T {
        &self.values[id as usize]
    }
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
    fn heap_bytes(&self) -> usize {
        (self.values.capacity() + self.ids.capacity()) * std::mem::size_of::<T>()
            + self.ids.capacity() * 5
    }
    /// Sets every value to `show(value as interned)`: an id keeps meaning what was interned, and
    /// shows what `show` makes of it.
    fn show_as(&mut self, show: impl Fn(&T) -> T) {
        for (v, &id) in &self.ids {
            self.values[id as usize] = show(v);
        }
    }
}

/// Strings to dense `u32` ids, each string stored once, end to end in one arena; a hash table
/// of ids finds a string's id by its hash. Id 0 is the empty string.
#[derive(Debug)]
pub(crate) struct StrInterner {
    pub(crate) text: String,
    /// String `id` is `text[bounds[id]..bounds[id + 1]]`.
    pub(crate) bounds: Vec<usize>,
    ids: hashbrown::HashTable<u32>,
}

fn str_hash(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s)
}

impl StrInterner {
    fn new() -> Self {
        StrInterner {
            text: String::new(),
            bounds: vec![0, 0],
            ids: hashbrown::HashTable::new(),
        }
    }
    pub(crate) fn get(&self, id: u32) -> &str {
        let id = id as usize;
        &self.text[self.bounds[id]..self.bounds[id + 1]]
    }
    pub(crate) fn len(&self) -> usize {
        self.bounds.len() - 1
    }
    fn find(&self, s: &str, hash: u64) -> Option<u32> {
        self.ids.find(hash, |&id| self.get(id) == s).copied()
    }
    pub(crate) fn intern_str(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let s = &*stored_form(s);
        let hash = str_hash(s);
        if let Some(id) = self.find(s, hash) {
            return id;
        }
        let id = u32::try_from(self.len()).expect("fewer than 2^32 distinct strings");
        self.text.push_str(s);
        self.bounds.push(self.text.len());
        let StrInterner { text, bounds, ids } = self;
        ids.insert_unique(hash, id, |&id| {
            let id = id as usize;
            str_hash(&text[bounds[id]..bounds[id + 1]])
        });
        id
    }
    fn intern_opt(&mut self, s: &Option<Cow<'_, str>>) -> u32 {
        s.as_deref().map_or(0, |x| self.intern_str(x))
    }
    fn lookup(&self, s: &str) -> Option<u32> {
        if s.is_empty() {
            return Some(0);
        }
        let s = &*stored_form(s);
        self.find(s, str_hash(s))
    }
    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.bounds.shrink_to_fit();
    }
    fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.bounds.capacity() * std::mem::size_of::<usize>()
            + self.ids.capacity() * (std::mem::size_of::<u32>() + 1)
    }
    /// Bytes the strings use: their text, bounds and hash table entries.
    fn used_bytes(&self) -> usize {
        self.text.len()
            + self.len() * (std::mem::size_of::<usize>() + std::mem::size_of::<u32>() + 1)
    }
}

/// Where an event was located (interned strings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct GeoKey {
    pub country: u32,
    pub country_name: u32,
    pub city: u32,
    /// `f32::to_bits`, `u32::MAX` when absent.
    pub lat: u32,
    pub lon: u32,
}

/// How an event authenticated and what it touched (interned strings), shared by many events.
/// `a`, `b`, `c` depend on the kind: login: client; authentication: device, cause, realm;
/// enrollment: operation, device; factor configuration: operation, factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct ProfileKey {
    pub method: u32,
    pub user_agent: u32,
    pub actor: u32,
    pub a: u32,
    pub b: u32,
    pub c: u32,
    pub stage: u8,
    /// The identifier the record pairs with the name it gives the user / the actor
    /// ([`Event::alias`]), 0 when none.
    pub user_id: u32,
    pub actor_id: u32,
}

/// An account MFA event's levels (interned; 0 = not stated).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AccountMfaRecord {
    pub event: u32,
    pub from: u32,
    pub to: u32,
    pub companion: bool,
}

/// One setting written by a user-setting event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SettingRecord {
    pub event: u32,
    pub setting: u32,
    /// `u32::MAX` when the event does not say.
    pub from: u32,
    pub to: u32,
}

pub(crate) const NO_VALUE: u32 = u32::MAX;

/// A kept event whose key an earlier kept event has, with another content: a record that reuses
/// another's id ([`Seen::Conflict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// The id the records share (interned); 0 when the key is a wrapper's (LogDNA `_lid`,
    /// Elasticsearch `_id`).
    pub id: u32,
    /// The first event with the key.
    pub earlier: u32,
    pub later: u32,
}

/// All events read so far, from every file, de-duplicated.
#[derive(Debug)]
pub struct Store {
    pub(crate) strings: StrInterner,
    pub(crate) geos: Interner<GeoKey>,
    pub(crate) profiles: Interner<ProfileKey>,
    files: Vec<FileSummary>,
    diagnostics: Vec<Diagnostic>,
    pub(crate) diagnostics_total: u64,
    pub(crate) time: Vec<i64>,
    pub(crate) kind: Vec<u8>,
    pub(crate) outcome: Vec<u8>,
    pub(crate) family: Vec<u8>,
    /// File index in the top 16 bits, byte offset of the original JSON in the low 48.
    pub(crate) loc: Vec<u64>,
    pub(crate) len: Vec<u32>,
    pub(crate) action: Vec<u32>,
    pub(crate) user: Vec<u32>,
    pub(crate) ip: Vec<u32>,
    pub(crate) geo: Vec<u32>,
    pub(crate) profile: Vec<u32>,
    pub(crate) account_mfa: Vec<AccountMfaRecord>,
    pub(crate) settings: Vec<SettingRecord>,
    pub(crate) dedup: Dedup,
    /// The line each event starts on.
    pub(crate) lines: lines::Lines,
    /// Events that reuse the key of an earlier one with another content, in the order read.
    pub(crate) conflicts: Vec<Conflict>,
    /// Reused to write each event's content key ([`content_key`]).
    scratch: Vec<u8>,
    /// Per identifier that a record pairs with a name (string ids, [`Event::alias`]): the name
    /// of the latest such record, with its time.
    pub(crate) names: FxHashMap<u32, (i64, u32)>,
    /// Every (identifier, name) pair records give, with where it was first read.
    pub(crate) namings: FxHashMap<(u32, u32), Naming>,
    /// Whether an identifier got a name, or another name, since the last seal.
    names_changed: bool,
    /// Strings added by the names of events not kept, and their bytes.
    pub(crate) unkept_strings: usize,
    pub(crate) unkept_bytes: usize,
    /// The events whose `user` shows a name instead of the identifier their record gave:
    /// (event, identifier), by event.
    renamed: Vec<(u32, u32)>,
    /// Event indices sorted by time (then arrival), covering every finished file.
    pub(crate) order: Vec<u32>,
    /// Counts per block of `order`, for time-window queries.
    pub(crate) blocks: query::Blocks,
    /// Only in a store a part of a file is read into ([`Store::for_part`]): each kept event's key and
    /// content key.
    pub(crate) part_keys: Option<Vec<[u64; 2]>>,
    /// Per file being read, its events by family ([`family`]).
    tallies: Vec<(u16, family::Tally)>,
    /// Events of another family than the rest of their file, in order.
    pub(crate) out_of_place: Vec<u32>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

/// Where an event's original JSON is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locator {
    pub file: u16,
    pub offset: u64,
    pub len: u32,
}

/// Reads bytes of the original files back: the host's side of [`Store::original_json`].
pub trait SourceReader {
    /// `len` bytes at `offset` of file `file`'s decompressed text.
    fn read(&mut self, file: u16, offset: u64, len: u32) -> Option<Vec<u8>>;
}

impl Store {
    pub fn new() -> Self {
        Store {
            strings: StrInterner::new(),
            geos: Interner::new(),
            profiles: Interner::new(),
            files: Vec::new(),
            diagnostics: Vec::new(),
            diagnostics_total: 0,
            time: Vec::new(),
            kind: Vec::new(),
            outcome: Vec::new(),
            family: Vec::new(),
            loc: Vec::new(),
            len: Vec::new(),
            action: Vec::new(),
            user: Vec::new(),
            ip: Vec::new(),
            geo: Vec::new(),
            profile: Vec::new(),
            account_mfa: Vec::new(),
            settings: Vec::new(),
            dedup: Dedup::default(),
            lines: lines::Lines::default(),
            conflicts: Vec::new(),
            scratch: Vec::new(),
            names: FxHashMap::default(),
            namings: FxHashMap::default(),
            names_changed: false,
            unkept_strings: 0,
            unkept_bytes: 0,
            renamed: Vec::new(),
            order: Vec::new(),
            blocks: query::Blocks::default(),
            part_keys: None,
            tallies: Vec::new(),
            out_of_place: Vec::new(),
        }
    }

    /// Events kept (duplicates are not).
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn files(&self) -> &[FileSummary] {
        &self.files
    }

    /// Diagnostics kept word for word (the first [`MAX_DIAGNOSTICS`]).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every diagnostic, also those beyond [`MAX_DIAGNOSTICS`].
    pub fn diagnostics_total(&self) -> u64 {
        self.diagnostics_total
    }

    pub fn duplicates(&self) -> u64 {
        self.files.iter().map(|f| f.duplicates).sum()
    }

    pub(crate) fn str(&self, id: u32) -> &str {
        self.strings.get(id)
    }

    fn opt(&self, id: u32) -> Option<Cow<'_, str>> {
        (id != 0).then(|| Cow::Borrowed(self.str(id)))
    }

    /// Where event `i`'s original JSON is.
    pub fn locate(&self, i: usize) -> Locator {
        let loc = self.loc[i];
        Locator {
            file: (loc >> 48) as u16,
            offset: loc & ((1 << 48) - 1),
            len: self.len[i],
        }
    }

    /// The line event `i`'s original JSON starts on, in its file's (decompressed) text.
    pub fn line(&self, i: usize) -> u64 {
        self.lines.line(i)
    }

    /// Event `i`'s original JSON, read back through the host.
    pub fn original_json(&self, i: usize, reader: &mut dyn SourceReader) -> Option<String> {
        let l = self.locate(i);
        let bytes = reader.read(l.file, l.offset, l.len)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Bytes the string arena and the columns use (lengths, not capacities: the same whatever the
    /// order and the parts the events were read in); what the memory cap
    /// ([`crate::ingest::limits::Options::max_memory_bytes`]) counts.
    pub fn memory(&self) -> u64 {
        let per_event = 8 * 3 // time, location, time order
            + 3 // kind, outcome, family
            + 4 * 6 // length, action, user, ip, geo, profile
            + 8 * 2 + 4 // key, content key and event to de-duplicate
            + 1; // line
        let bytes = self.strings.used_bytes()
            + self.len() * per_event
            + self.geos.len() * std::mem::size_of::<GeoKey>()
            + self.profiles.len() * std::mem::size_of::<ProfileKey>()
            + self.account_mfa.len() * std::mem::size_of::<AccountMfaRecord>()
            + self.settings.len() * std::mem::size_of::<SettingRecord>()
            + self.conflicts.len() * std::mem::size_of::<Conflict>()
            + self.namings.len() * std::mem::size_of::<((u32, u32), Naming)>();
        bytes as u64
    }

    /// Heap bytes the store holds (capacities, not lengths), diagnostics and file list excluded.
    pub fn heap_bytes(&self) -> usize {
        let cols = self.time.capacity() * 8
            + self.kind.capacity()
            + self.outcome.capacity()
            + self.family.capacity()
            + self.loc.capacity() * 8
            + (self.len.capacity()
                + self.action.capacity()
                + self.user.capacity()
                + self.ip.capacity()
                + self.geo.capacity()
                + self.profile.capacity()
                + self.order.capacity())
                * 4;
        cols + self.strings.heap_bytes()
            + self.geos.heap_bytes()
            + self.profiles.heap_bytes()
            + self.account_mfa.capacity() * std::mem::size_of::<AccountMfaRecord>()
            + self.settings.capacity() * std::mem::size_of::<SettingRecord>()
            + self.dedup.heap_bytes()
            + self.lines.heap_bytes()
            + self.conflicts.capacity() * std::mem::size_of::<Conflict>()
            + self.names.capacity() * 17
            + self.namings.capacity() * (std::mem::size_of::<((u32, u32), Naming)>() + 1)
            + self.out_of_place.capacity() * 4
            + self.renamed.capacity() * 8
            + self.blocks.heap_bytes()
    }

    /// Gives back the room the columns and the string arena keep to grow into, once no more files
    /// are coming for now (the page's worker when its queue is empty, the CLI after its files).
    /// Sealing each file does not: shrunk after one file, the columns grew again with the next
    /// into new blocks, and a load of many files held more memory in the end
    /// (docs/performance.md).
    pub fn compact(&mut self) {
        self.strings.shrink();
        for v in [
            &mut self.len,
            &mut self.action,
            &mut self.user,
            &mut self.ip,
            &mut self.geo,
            &mut self.profile,
            &mut self.order,
        ] {
            v.shrink_to_fit();
        }
        self.time.shrink_to_fit();
        self.loc.shrink_to_fit();
        self.kind.shrink_to_fit();
        self.outcome.shrink_to_fit();
        self.family.shrink_to_fit();
        self.lines.shrink();
        self.blocks.shrink();
    }

    /// Sorts newly added events into the time order and counts its blocks.
    fn seal(&mut self) {
        let from = self.order.len();
        let n = u32::try_from(self.time.len()).expect("fewer than 2^32 events");
        self.order.extend(from as u32..n);
        let time = &self.time;
        let key = |i: u32| (time[i as usize], i);
        if !sort_nearly_sorted(&mut self.order[from..], key) {
            self.order[from..].sort_by_key(|&i| key(i));
        }
        // Where the order changed: the new events are merged in from where the first of them
        // belongs (the end, or near it, for a file that follows the others in time).
        let mut changed = from;
        if let Some(&first) = self.order.get(from) {
            changed = self.order[..from].partition_point(|&i| key(i) < key(first));
            if changed < from {
                // Two sorted runs: the sort merges them.
                self.order[changed..].sort_by_key(|&i| key(i));
            }
        }
        self.dedup.seal();
        if self.show_names(from) {
            changed = 0;
        }
        let mut blocks = std::mem::take(&mut self.blocks);
        blocks.update(self, changed);
        self.blocks = blocks;
    }

    /// Shows each identifier that records pair with a name by that name, as user and as actor:
    /// the events from `from` on, or all of them when the names changed (from the identifiers
    /// kept in `renamed`); returns whether it was all of them.
    fn show_names(&mut self, from: usize) -> bool {
        if self.names.is_empty() {
            return false;
        }
        let all = self.names_changed;
        let from = if all {
            for &(i, id) in &self.renamed {
                self.user[i as usize] = id;
            }
            self.renamed.clear();
            0
        } else {
            from
        };
        self.names_changed = false;
        let mut show: Vec<u32> = (0..self.strings.len() as u32).collect();
        for (&id, &(_, name)) in &self.names {
            show[id as usize] = name;
        }
        for (i, user) in self.user.iter_mut().enumerate().skip(from) {
            let name = show[*user as usize];
            if name != *user {
                self.renamed.push((i as u32, *user));
                *user = name;
            }
        }
        self.renamed.shrink_to_fit();
        self.profiles.show_as(|p| ProfileKey {
            actor: show[p.actor as usize],
            ..*p
        });
        all
    }

    /// Event `i` as a normalized event, rebuilt from the columns (no correlation id: that one is
    /// unique per event and read from the original JSON when needed).
    pub fn event(&self, i: usize) -> Event<'_> {
        let kind = Kind::from_u8(self.kind[i]);
        let p = *self.profiles.get(self.profile[i]);
        let g = *self.geos.get(self.geo[i]);
        let family = Family::ALL[usize::from(self.family[i]).min(2)];
        let mut ev = Event::new(
            self.time[i],
            family,
            kind,
            Outcome::from_u8(self.outcome[i]),
            Cow::Borrowed(self.str(self.action[i])),
        );
        ev.user = self.opt(self.user[i]);
        ev.actor = self.opt(p.actor).or_else(|| ev.user.clone());
        ev.ip = self.opt(self.ip[i]);
        ev.user_agent = self.opt(p.user_agent);
        ev.method = self.opt(p.method);
        let coord = |b: u32| (b != NO_VALUE).then(|| f32::from_bits(b));
        ev.geo = Geo {
            country: self.opt(g.country),
            country_name: self.opt(g.country_name),
            city: self.opt(g.city),
            lat: coord(g.lat),
            lon: coord(g.lon),
        };
        ev.detail = match kind {
            Kind::AccountMfa => {
                let r = self.account_mfa_of(i);
                Detail::AccountMfa {
                    from: r.and_then(|r| self.opt(r.from)).map(Cow::into_owned),
                    to: r.and_then(|r| self.opt(r.to)).map(Cow::into_owned),
                    companion: r.is_some_and(|r| r.companion),
                }
            }
            Kind::UserSetting => Detail::UserSetting {
                values: self
                    .settings_of(i)
                    .iter()
                    .map(|s| SettingValue {
                        setting: Cow::Borrowed(self.str(s.setting)),
                        from: (s.from != NO_VALUE).then(|| self.str(s.from).to_owned()),
                        to: self.str(s.to).to_owned(),
                    })
                    .collect(),
            },
            Kind::IamLogin => Detail::IamLogin {
                credential: Cow::Borrowed(self.str(p.method)),
                client: self.opt(p.a),
            },
            Kind::Authentication => Detail::Authentication {
                stage: [AuthStage::FirstFactor, AuthStage::Mfa, AuthStage::Sso]
                    [usize::from(p.stage).min(2)],
                device: self.opt(p.a),
                cause: self.opt(p.b),
                realm: self.opt(p.c),
            },
            Kind::MfaEnrollment => Detail::MfaEnrollment {
                operation: Cow::Borrowed(self.str(p.a)),
                device: self.opt(p.b),
            },
            Kind::FactorConfig => Detail::FactorConfig {
                operation: Cow::Borrowed(self.str(p.a)),
                factor: self.opt(p.b),
            },
            Kind::IamLogout | Kind::Other => Detail::None,
        };
        ev
    }

    fn account_mfa_of(&self, i: usize) -> Option<&AccountMfaRecord> {
        let i = i as u32;
        self.account_mfa
            .binary_search_by_key(&i, |r| r.event)
            .ok()
            .map(|k| &self.account_mfa[k])
    }

    fn settings_of(&self, i: usize) -> &[SettingRecord] {
        let i = i as u32;
        let start = self.settings.partition_point(|r| r.event < i);
        let end = self.settings.partition_point(|r| r.event <= i);
        &self.settings[start..end]
    }

    fn push_event(&mut self, file: u16, ev: &Event<'_>, span: Span) {
        let i = u32::try_from(self.time.len()).expect("fewer than 2^32 events");
        let s = &mut self.strings;
        let mut p = ProfileKey {
            method: ev.method.as_deref().map_or(0, |m| s.intern_str(m)),
            user_agent: ev.user_agent.as_deref().map_or(0, |u| s.intern_str(u)),
            actor: match (&ev.actor, &ev.user) {
                (Some(a), Some(u)) if a == u => 0,
                (Some(a), _) => s.intern_str(a),
                _ => 0,
            },
            ..ProfileKey::default()
        };
        if let Some((id, name)) = &ev.alias {
            let names = |who: &Option<Cow<'_, str>>| who.as_deref() == Some(name.as_ref());
            if names(&ev.user) {
                p.user_id = s.intern_str(id);
            }
            if names(&ev.actor) || (ev.actor.is_none() && names(&ev.user)) {
                p.actor_id = s.intern_str(id);
            }
        }
        match &ev.detail {
            Detail::IamLogin { client, .. } => p.a = s.intern_opt(client),
            Detail::Authentication {
                stage,
                device,
                cause,
                realm,
            } => {
                p.stage = *stage as u8;
                p.a = s.intern_opt(device);
                p.b = s.intern_opt(cause);
                p.c = s.intern_opt(realm);
            }
            Detail::MfaEnrollment { operation, device } => {
                p.a = s.intern_str(operation);
                p.b = s.intern_opt(device);
            }
            Detail::FactorConfig { operation, factor } => {
                p.a = s.intern_str(operation);
                p.b = s.intern_opt(factor);
            }
            Detail::AccountMfa {
                from,
                to,
                companion,
            } => {
                let from = from.as_deref().map_or(0, |x| s.intern_str(x));
                let to = to.as_deref().map_or(0, |x| s.intern_str(x));
                let rec = AccountMfaRecord {
                    event: i,
                    from,
                    to,
                    companion: *companion,
                };
                self.account_mfa.push(rec);
            }
            Detail::UserSetting { values } => {
                for v in values {
                    let rec = SettingRecord {
                        event: i,
                        setting: s.intern_str(&v.setting),
                        from: v.from.as_deref().map_or(NO_VALUE, |f| s.intern_str(f)),
                        to: s.intern_str(&v.to),
                    };
                    self.settings.push(rec);
                }
            }
            Detail::None => {}
        }
        let bits = |c: Option<f32>| c.map_or(NO_VALUE, f32::to_bits);
        let g = GeoKey {
            country: s.intern_opt(&ev.geo.country),
            country_name: s.intern_opt(&ev.geo.country_name),
            city: s.intern_opt(&ev.geo.city),
            lat: bits(ev.geo.lat),
            lon: bits(ev.geo.lon),
        };
        self.time.push(ev.time);
        self.kind.push(ev.kind as u8);
        self.outcome.push(ev.outcome as u8);
        self.family.push(ev.family as u8);
        self.loc
            .push((u64::from(file) << 48) | (span.offset & ((1 << 48) - 1)));
        self.len.push(span.len);
        let s = &mut self.strings;
        self.action.push(s.intern_str(&ev.action));
        self.user
            .push(ev.user.as_deref().map_or(0, |u| s.intern_str(u)));
        self.ip
            .push(ev.ip.as_deref().map_or(0, |x| s.intern_str(x)));
        self.geo.push(self.geos.intern(g));
        self.profile.push(self.profiles.intern(p));
        self.learn_name(ev, file, span.line, i);
    }

    /// Notes that the event just kept, read from `span` of file `file`, has the key of event
    /// `earlier` and another content: a diagnostic where it is, naming the other record, and a
    /// [`Conflict`] for the finding.
    fn conflict(&mut self, file: u16, event: &Event<'_>, span: Span, earlier: u32) {
        let later = (self.time.len() - 1) as u32;
        let id = event
            .id
            .as_deref()
            .map_or(0, |id| self.strings.intern_str(id));
        self.conflicts.push(Conflict { id, earlier, later });
        let at = self.locate(earlier as usize).file;
        let problem = Problem::SharedId {
            id: event.id.as_deref().map(str::to_owned),
            file: (at != file).then(|| self.files[usize::from(at)].name.clone()),
            line: self.line(earlier as usize),
        };
        self.diagnostic(Diagnostic {
            file: u32::from(file),
            line: span.line,
            offset: span.offset,
            problem,
        });
    }

    /// Keeps the name `ev` (read at `line` of file `file`, store event `event` or [`NO_EVENT`])
    /// gives an identifier, if it is the latest record to name it; at the same time, the greatest
    /// name (any order of files and chunks gives the same). Returns whether the pair is new.
    fn learn_name(&mut self, ev: &Event<'_>, file: u16, line: u64, event: u32) -> bool {
        let Some((id, name)) = &ev.alias else {
            return false;
        };
        let (id, name) = (self.strings.intern_str(id), self.strings.intern_str(name));
        self.learn(id, ev.time, name);
        self.note_naming((id, name), ev.time, file, line, event)
    }

    /// Keeps `name` (a string id) for identifier `id` if a record at `time` giving it is the
    /// latest to name it ([`Store::learn_name`]).
    pub(crate) fn learn(&mut self, id: u32, time: i64, name: u32) {
        let strings = &self.strings;
        let mut changed = true;
        self.names
            .entry(id)
            .and_modify(|(t, n)| {
                if (time, strings.get(name)) > (*t, strings.get(*n)) {
                    changed = *n != name;
                    (*t, *n) = (time, name);
                } else {
                    changed = false;
                }
            })
            .or_insert((time, name));
        self.names_changed |= changed;
    }
}

impl Collector for Store {
    fn add_file(&mut self, name: &str) -> u32 {
        self.files.push(FileSummary {
            name: name.to_owned(),
            ..FileSummary::default()
        });
        u32::try_from(self.files.len() - 1).expect("fewer than 2^32 files")
    }

    fn event(&mut self, file: u16, event: &Event<'_>, key: u64, span: Span) -> bool {
        let content = content_key(event, &mut self.scratch);
        let index = u32::try_from(self.time.len()).expect("fewer than 2^32 events");
        let seen = self.dedup.insert(key, content, index);
        if seen == Seen::Duplicate {
            return false;
        }
        if let Some(keys) = &mut self.part_keys {
            keys.push([key, content]);
        }
        self.push_event(file, event, span);
        self.lines.push(file, span.line);
        self.tally(file, event.family, index);
        if let Seen::Conflict { earlier } = seen {
            self.conflict(file, event, span, earlier);
        }
        true
    }

    fn kept(&self) -> u64 {
        self.len() as u64
    }

    fn memory(&self) -> u64 {
        Store::memory(self)
    }

    fn not_kept(&mut self, file: u16, event: &Event<'_>, span: Span, _original: &[u8]) {
        let Some((id, name)) = &event.alias else {
            return;
        };
        let known = |s: &str| self.strings.lookup(s).is_some();
        let full =
            self.unkept_strings >= MAX_UNKEPT_STRINGS || self.unkept_bytes >= MAX_UNKEPT_BYTES;
        if full && !(known(id) && known(name)) {
            return;
        }
        let (strings, bytes) = (self.strings.len(), self.strings.text.len());
        let new = self.learn_name(event, file, span.line, NO_EVENT);
        self.unkept_strings += self.strings.len() - strings + usize::from(new);
        self.unkept_bytes += self.strings.text.len() - bytes;
    }

    fn has(&self, key: u64, event: &Event<'_>) -> bool {
        self.dedup
            .contains(key, content_key(event, &mut Vec::new()))
    }

    fn diagnostic(&mut self, diagnostic: Diagnostic) {
        self.diagnostics_total += 1;
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(diagnostic);
        }
    }

    fn file_done(&mut self, file: u32, summary: &FileSummary) {
        self.files[file as usize] = summary.clone();
        if self.part_keys.is_none() {
            self.seal();
            // A file past [`crate::collect::MAX_FILES`] holds no events.
            if let Ok(file) = u16::try_from(file) {
                self.place_families(file);
            }
        }
    }
}

/// Sorts `v` by `key` when it is nearly sorted already, as exports are (a source's records in time
/// order, another's interleaved with them a little out of step): each element is moved back past
/// the larger ones before it. Gives up once it has moved elements more than 8 places per element
/// in all (a file in reverse order, shuffled records), returning false with `v` reordered but
/// not sorted. It is about ten times faster than the standard stable sort on exports
/// (docs/performance.md), which treats runs shorter than about the square root of the length as
/// unsorted.
fn sort_nearly_sorted<K: Ord>(v: &mut [u32], key: impl Fn(u32) -> K) -> bool {
    let mut budget = v.len().saturating_mul(8);
    for i in 1..v.len() {
        let k = key(v[i]);
        let mut j = i;
        while j > 0 && key(v[j - 1]) > k {
            j -= 1;
        }
        if j < i {
            let moved = i - j;
            if moved > budget {
                return false;
            }
            budget -= moved;
            v[j..=i].rotate_right(1);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::{sort_nearly_sorted, stored_form, StrInterner, MAX_FIELD_BYTES};
    use crate::test_support::store_from_files;
    use proptest::prelude::*;

    /// Regression: a field of any length was stored whole, so 100,000 distinct 16 KB names (a
    /// 2.4 MB gzip) took the page's whole memory.
    #[test]
    fn a_field_longer_than_4096_bytes_is_stored_cut_with_its_length() {
        let mut s = StrInterner::new();
        let long = |tail: &str| format!("{}{tail}", "é".repeat(8190));
        let (a, b) = (long("a"), long("b"));
        assert_eq!(a.len(), 16_381);
        let id = s.intern_str(&a);
        let stored = s.get(id).to_owned();
        assert!(stored.len() <= MAX_FIELD_BYTES, "{}", stored.len());
        assert!(stored.len() > MAX_FIELD_BYTES - 64, "{}", stored.len());
        let (head, mark) = stored.split_once('…').unwrap();
        assert!(a.starts_with(head) && head.chars().all(|c| c == 'é'));
        assert!(
            mark.starts_with(" [cut: 16,381 bytes, #") && mark.ends_with(']'),
            "{mark}"
        );
        // Values that differ only after the cut stay apart; the stored form stands for itself.
        let other = s.intern_str(&b);
        assert_ne!(other, id);
        assert_eq!(s.get(other).len(), stored.len());
        assert_eq!((s.intern_str(&a), s.intern_str(&stored)), (id, id));
        assert_eq!((s.lookup(&a), s.lookup(&stored)), (Some(id), Some(id)));
        assert_eq!(s.lookup(&long("c")), None);
        // Up to the limit a value is kept whole.
        let whole = "x".repeat(MAX_FIELD_BYTES);
        assert_eq!(stored_form(&whole), whole);
        assert_eq!(stored_form(&format!("{whole}x")).len(), MAX_FIELD_BYTES);
    }

    /// A record reusing the id of a record in another file names that file and the line; the
    /// same record in a third file is a duplicate of the first.
    #[test]
    fn a_record_reusing_the_id_of_another_files_record_names_that_file_and_line() {
        let login = r#"{"id":"x","eventTime":"2024-05-01T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}"#;
        let other = login.replace("success", "failure");
        let store = store_from_files(&[
            ("a.json", &["", "", login][..]),
            ("b.json", &[other.as_str()][..]),
            ("c.json", &[login][..]),
        ]);
        assert_eq!((store.len(), store.duplicates()), (2, 1));
        let d = &store.diagnostics()[0];
        assert_eq!((d.file, d.line, store.line(0), store.line(1)), (1, 1, 3, 1));
        assert!(
            d.message().starts_with(
                "record shares the id \"x\" with a different record at line 3 of a.json: not a duplicate"
            ),
            "{}",
            d.message()
        );
        assert_eq!(store.conflicts.len(), 1);
    }

    #[test]
    fn interned_strings_keep_their_ids_through_growth_and_shrinking() {
        let mut s = StrInterner::new();
        assert_eq!((s.intern_str(""), s.get(0), s.len()), (0, "", 1));
        let words: Vec<String> = (0..5000).map(|i| format!("user{i}@x.com")).collect();
        let ids: Vec<u32> = words.iter().map(|w| s.intern_str(w)).collect();
        assert_eq!(ids[..3], [1, 2, 3]);
        s.shrink();
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(s.intern_str(w), id);
            assert_eq!(s.get(id), w);
            assert_eq!(s.lookup(w), Some(id));
        }
        assert_eq!(
            (s.lookup(""), s.lookup("nobody"), s.len()),
            (Some(0), None, 5001)
        );
        // A string that is a prefix of another, or two of them end to end, is its own string.
        let a = s.intern_str("user1");
        assert_eq!((a, s.get(a)), (5001, "user1"));
        assert_ne!(s.intern_str("user1@x.comuser2@x.com"), ids[1]);
    }

    /// Times in order, then one in every `every` moved `reach` places later.
    fn times(n: usize, every: usize, reach: usize) -> Vec<i64> {
        let mut t: Vec<i64> = (0..n as i64).map(|i| i * 10).collect();
        for i in (0..n - reach).step_by(every) {
            t[i..=i + reach].rotate_left(1);
        }
        t
    }

    #[test]
    fn nearly_sorted_times_are_sorted_in_place_and_far_from_sorted_ones_are_given_up() {
        // Further out of step than a generated export (there 0.25 places an event on average, at most 229).
        let t = times(10_000, 64, 200);
        let mut v: Vec<u32> = (0..t.len() as u32).collect();
        assert!(sort_nearly_sorted(&mut v, |i| (t[i as usize], i)));
        assert!(v.windows(2).all(|w| t[w[0] as usize] <= t[w[1] as usize]));
        // In reverse order, about n²/2 moves: given up, every index still there once.
        let mut v: Vec<u32> = (0..10_000).rev().collect();
        assert!(!sort_nearly_sorted(&mut v, |i| i));
        v.sort_unstable();
        assert!(v.iter().enumerate().all(|(k, &i)| k as u32 == i));
    }

    proptest! {
        /// Sorted or given up, the order is the standard stable sort's (equal times by index).
        #[test]
        fn sorts_as_the_standard_sort_does(
            t in prop::collection::vec(0i64..50, 0..300),
            shuffled in any::<bool>(),
        ) {
            let mut t = t;
            if !shuffled {
                t.sort_unstable();
                let n = t.len();
                for i in (0..n).step_by(7) {
                    t.swap(i, (i + 3).min(n - 1));
                }
            }
            let key = |i: u32| (t[i as usize], i);
            let mut expected: Vec<u32> = (0..t.len() as u32).collect();
            expected.sort_by_key(|&i| key(i));
            let mut v: Vec<u32> = (0..t.len() as u32).collect();
            if !sort_nearly_sorted(&mut v, key) {
                v.sort_by_key(|&i| key(i));
            }
            prop_assert_eq!(v, expected);
        }
    }
}
