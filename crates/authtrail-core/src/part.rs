//! A file in parts: the page reads the later parts of a large NDJSON file on other threads, each
//! from a line start to the next part's. A part is read into a store of its own
//! ([`Store::for_part`], ended by [`Ingest::end_part`]), carried between threads as bytes
//! ([`Part`]), and taken over by the ingest of the text before it ([`Ingest::take_part`]), which
//! then ends the file as if it had read all of it. The one module above both the ingest and the
//! store that reaches into each.

use crate::collect::Collector;
use crate::ingest::sniff::Sniffed;
use crate::ingest::{Ingest, UI_LINES};
use crate::model::Family;
use crate::record::Shape;
use crate::store::{
    AccountMfaRecord, GeoKey, Naming, ProfileKey, SettingRecord, Store, NO_EVENT, NO_VALUE,
};
use bytemuck::Pod;
use std::borrow::Cow;
use thiserror::Error;

/// What reading a part of a file on its own found ([`Ingest::end_part`]), for the
/// [`Ingest`] of the text before it to take over ([`Ingest::take_part`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartSummary {
    pub(crate) records: u64,
    pub(crate) events: u64,
    pub(crate) duplicates: u64,
    pub(crate) errors: u64,
    pub(crate) bytes: u64,
    pub(crate) outside_subset: u64,
    pub(crate) over_cap: u64,
    pub(crate) containers: Vec<String>,
    pub(crate) shape: Shape,
    pub(crate) lines: u64,
    /// Every line was blank or one whole JSON record, none broken or flagged, none UI text, no
    /// array, no byte order mark or gzip: framed on its own, the part reads as it would after
    /// the text before it.
    pub(crate) lines_only: bool,
}

impl Ingest {
    /// Ends a part of a file read on its own, from the start of a line to the file's end or
    /// the next part's start (the page reads a large file's later parts on other threads): reads what is left, as
    /// [`Ingest::finish`] does, and returns what the [`Ingest`] of the text before it needs to
    /// take the part over ([`Ingest::take_part`]). The collector is not told the file is done.
    pub fn end_part<C: Collector + ?Sized>(mut self, collector: &mut C) -> PartSummary {
        self.read_rest(collector);
        let c = &self.counts;
        let shape = self.framer.shape();
        PartSummary {
            records: c.records,
            events: c.events,
            duplicates: c.duplicates,
            errors: c.errors,
            bytes: c.bytes,
            outside_subset: c.outside_subset,
            over_cap: c.over_cap,
            containers: self.seen.containers.iter().map(|c| c.to_string()).collect(),
            shape,
            lines: self.framer.lines(),
            lines_only: self.sniffed == Some(Sniffed::Text)
                && !self.seen.gzip
                && !self.seen.bom
                && !shape.array
                && shape.multi_line == 0
                && c.errors == 0
                && self.flagged == 0
                && !self.seen.containers.iter().any(|c| c == UI_LINES),
        }
    }

    /// Takes over `part`, the next part of this file read on its own from where the text
    /// pushed so far ends ([`Ingest::end_part`] into a [`Store::for_part`]): its events
    /// join the store (those already in it count as duplicates) and its accounting this file's,
    /// as if its text had been pushed here. Returns false, taking nothing, when the result could differ from
    /// pushing that text: the text so far does not end with a whole line outside any array, or
    /// the part is not plain lines ([`PartSummary`]), or the events or memory cap might leave
    /// events out, or one of its records shares an id with another record and differs (pushed, it
    /// is told where).
    pub fn take_part(&mut self, store: &mut Store, part: &Part) -> bool {
        let s = &part.summary;
        let Some(file) = self.event_file else {
            return false;
        };
        let ready = self.sniffed == Some(Sniffed::Text)
            && !self.seen.gzip
            && !self.host_gunzip
            && self.text_head.is_none()
            && self.framer.between_lines();
        // Under the caps with every event of the part kept, the caps left nothing out: the
        // part's events use at most its text and this much each.
        const EVENT_BYTES: u64 = 256;
        let part_memory = s.bytes + part.len() as u64 * EVENT_BYTES;
        let under_cap = s.over_cap == 0
            && self
                .options
                .max_events
                .is_none_or(|max| (store.len() + part.len()) as u64 <= max)
            && self
                .options
                .max_memory_bytes
                .is_none_or(|max| store.memory() + part_memory < max);
        if !(ready && under_cap && s.lines_only) {
            return false;
        }
        let at = (self.framer.offset(), self.framer.lines());
        let Some(duplicates) = store.add_part(file, part, at) else {
            return false;
        };
        let c = &mut self.counts;
        c.records += s.records;
        c.events += s.events - duplicates;
        c.duplicates += s.duplicates + duplicates;
        c.errors += s.errors;
        c.bytes += s.bytes;
        c.outside_subset += s.outside_subset;
        c.over_cap += s.over_cap;
        for what in &s.containers {
            if !self.seen.containers.iter().any(|c| c == what) {
                self.seen.containers.push(Cow::Owned(what.clone()));
            }
        }
        self.framer.skip_part(s.bytes, s.lines, s.shape);
        true
    }
}

impl Store {
    /// A store to read a part into: it keeps each event's keys, in order, and is never sealed
    /// (its events go on to another store, [`Store::into_part`]).
    pub fn for_part() -> Store {
        let mut store = Store::new();
        store.part_keys = Some(Vec::new());
        store
    }

    /// Its events, with what reading the part found. A part whose events got diagnostics
    /// (an undocumented account MFA level, records that share an id but differ) is not plain
    /// lines: those diagnostics are not carried, so the ingest reading the text before it reads
    /// the part again itself.
    pub fn into_part(self, mut summary: PartSummary) -> Part {
        summary.lines_only &= self.diagnostics_total == 0;
        Part {
            summary,
            offset: self.loc.iter().map(|l| l & OFFSET_MASK).collect(),
            line: self.lines.all(),
            text: self.strings.text,
            bounds: self.strings.bounds,
            geos: self.geos.values,
            profiles: self.profiles.values,
            time: self.time,
            kind: self.kind,
            outcome: self.outcome,
            family: self.family,
            len: self.len,
            action: self.action,
            user: self.user,
            ip: self.ip,
            geo: self.geo,
            profile: self.profile,
            keys: self.part_keys.unwrap_or_default(),
            account_mfa: self.account_mfa,
            settings: self.settings,
            namings: self.namings.into_iter().collect(),
            unkept_strings: self.unkept_strings,
            unkept_bytes: self.unkept_bytes,
        }
    }
}

const OFFSET_MASK: u64 = (1 << 48) - 1;

/// A part's events (in the columns of the store they were read into, its string ids) and its
/// accounting, as they travel between threads ([`Part::to_bytes`], [`Part::from_bytes`]).
#[derive(Debug, Default, PartialEq)]
pub struct Part {
    pub(crate) summary: PartSummary,
    text: String,
    /// String `id` is `text[bounds[id]..bounds[id + 1]]`.
    bounds: Vec<usize>,
    geos: Vec<GeoKey>,
    profiles: Vec<ProfileKey>,
    time: Vec<i64>,
    kind: Vec<u8>,
    outcome: Vec<u8>,
    family: Vec<u8>,
    /// From the start of the part.
    offset: Vec<u64>,
    /// The part's first line is 1.
    line: Vec<u64>,
    len: Vec<u32>,
    action: Vec<u32>,
    user: Vec<u32>,
    ip: Vec<u32>,
    geo: Vec<u32>,
    profile: Vec<u32>,
    /// Key and content key.
    keys: Vec<[u64; 2]>,
    account_mfa: Vec<AccountMfaRecord>,
    settings: Vec<SettingRecord>,
    /// ((identifier, name), where first read) as [`Store::namings`] holds them, lines from the
    /// part's start.
    namings: Vec<((u32, u32), Naming)>,
    unkept_strings: usize,
    unkept_bytes: usize,
}

/// The first bytes of a part, with the layout's version.
const MAGIC: &[u8; 8] = b"atpart04";

/// Sections of a part, after [`MAGIC`]: each its length in bytes, then its bytes.
const SECTIONS: usize = 23;

/// A column's values as they lie in memory (both ends of a part run the same build on the same
/// machine). Parts are laid out by hand, section by section: serde with a binary format grew the
/// page's wasm more than this code (docs/performance.md, "Tried and left out").
fn bytes<T: Pod>(values: &[T]) -> &[u8] {
    bytemuck::cast_slice(values)
}

/// Where a part's bytes are read from: `read(at, into)` fills `into` with the bytes from `at` on
/// (they are inside the part). A slice here; in the page, the buffer the part's thread sent, read
/// section by section straight into the columns, so that the bytes are never copied whole.
pub type Read<'a> = &'a mut dyn FnMut(usize, &mut [u8]);

/// A section's values: [`bytes`] read back (its length checked by [`Part::read`]). Not inlined
/// into each of its callers, which keeps the page's wasm smaller.
#[inline(never)]
fn values<T: Pod>(read: Read, (at, n): (usize, usize)) -> Vec<T> {
    let mut out = vec![T::zeroed(); n / size_of::<T>()];
    read(at, bytemuck::cast_slice_mut(&mut out));
    out
}

/// Records `W` numbers wide, from a section of `u32`s (not inlined either).
#[inline(never)]
fn rows<const W: usize, R>(read: Read, at: (usize, usize), row: impl Fn([u32; W]) -> R) -> Vec<R> {
    let flat: Vec<u32> = values(read, at);
    let whole = flat.chunks_exact(W);
    whole
        .map(|r| row(r.try_into().expect("W numbers")))
        .collect()
}

/// Why bytes are not a part this build can take over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PartError {
    #[error("not a stretch read apart by this version of authtrail")]
    Version,
    /// Section `section` (0-based), whose length is at byte `offset`, runs past the end.
    #[error("a stretch read apart is cut short")]
    CutShort { section: usize, offset: usize },
    /// The part does not hold together; `what` failed: `layout` (the sections do not end at the
    /// part's end, or one is not a whole number of its values), `text` (its text is not UTF-8, or
    /// its counts are not all there), `names` (names without their times), or `ids` (a column of
    /// another length, an id outside its table, a string outside the text).
    #[error("a stretch read apart is malformed")]
    Malformed { what: &'static str },
}

impl Part {
    /// The part as bytes, section by section (`SECTIONS` of them).
    pub fn to_bytes(&self) -> Vec<u8> {
        let s = &self.summary;
        let counts = [
            s.records,
            s.events,
            s.duplicates,
            s.errors,
            s.bytes,
            s.outside_subset,
            s.over_cap,
            s.lines,
            s.shape.single_line,
            s.shape.multi_line,
            u64::from(s.shape.array),
            u64::from(s.lines_only),
            self.unkept_strings as u64,
            self.unkept_bytes as u64,
        ];
        let containers = s.containers.join("\n");
        let bounds: Vec<u64> = self.bounds.iter().map(|&b| b as u64).collect();
        let geos: Vec<u32> = (self.geos.iter())
            .flat_map(|g| [g.country, g.country_name, g.city, g.lat, g.lon])
            .collect();
        let profiles: Vec<u32> = (self.profiles.iter())
            .flat_map(|p| {
                [
                    p.method,
                    p.user_agent,
                    p.actor,
                    p.a,
                    p.b,
                    p.c,
                    p.stage.into(),
                    p.user_id,
                    p.actor_id,
                ]
            })
            .collect();
        let mfa: Vec<u32> = (self.account_mfa.iter())
            .flat_map(|r| [r.event, r.from, r.to, r.companion.into()])
            .collect();
        let settings: Vec<u32> = (self.settings.iter())
            .flat_map(|r| [r.event, r.setting, r.from, r.to])
            .collect();
        let names: Vec<u32> = (self.namings.iter())
            .flat_map(|&((id, name), n)| [id, name, n.event, u32::try_from(n.line).unwrap_or(0)])
            .collect();
        let times: Vec<i64> = (self.namings.iter())
            .flat_map(|(_, n)| [n.first, n.last])
            .collect();
        let sections: [&[u8]; SECTIONS] = [
            bytes(&counts),
            containers.as_bytes(),
            self.text.as_bytes(),
            bytes(&bounds),
            bytes(&geos),
            bytes(&profiles),
            bytes(&self.time),
            &self.kind,
            &self.outcome,
            &self.family,
            bytes(&self.offset),
            bytes(&self.line),
            bytes(&self.len),
            bytes(&self.action),
            bytes(&self.user),
            bytes(&self.ip),
            bytes(&self.geo),
            bytes(&self.profile),
            bytes(&self.keys),
            bytes(&mfa),
            bytes(&settings),
            bytes(&names),
            bytes(&times),
        ];
        let mut out = MAGIC.to_vec();
        for section in sections {
            out.extend_from_slice(&(section.len() as u64).to_le_bytes());
            out.extend_from_slice(section);
        }
        out
    }

    /// Reads what [`Part::to_bytes`] wrote, and checks that every id in it points inside it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Part, PartError> {
        Part::read(bytes.len(), &mut |at, into: &mut [u8]| {
            into.copy_from_slice(&bytes[at..at + into.len()]);
        })
    }

    /// [`Part::from_bytes`] of the `size` bytes `read` gives (see [`Read`]).
    pub fn read(size: usize, read: Read) -> Result<Part, PartError> {
        let mut magic = [0; 8];
        if size >= MAGIC.len() {
            read(0, &mut magic);
        }
        if magic != *MAGIC {
            return Err(PartError::Version);
        }
        // Each section as (where it starts, its length).
        let mut at = MAGIC.len();
        let mut sections = [(0, 0); SECTIONS];
        for (k, section) in sections.iter_mut().enumerate() {
            let mut n = [0; 8];
            let n = (at + 8 <= size)
                .then(|| {
                    read(at, &mut n);
                    usize::try_from(u64::from_le_bytes(n)).ok()
                })
                .flatten()
                .filter(|&n| n <= size - at - 8);
            let Some(n) = n else {
                return Err(PartError::CutShort {
                    section: k,
                    offset: at,
                });
            };
            *section = (at + 8, n);
            at += 8 + n;
        }
        let [counts, containers, text, bounds, geos, profiles, time, kind, outcome, family, offset, line, len, action, user, ip, geo, profile, keys, mfa, settings, names, times] =
            sections;
        // Each section a whole number of its values (u8 sections always are).
        let widths = [8, 8, 20, 36, 8, 8, 8, 4, 4, 4, 4, 4, 4, 16, 16, 16, 16, 16];
        let numeric = [
            counts, bounds, geos, profiles, time, offset, line, len, action, user, ip, geo,
            profile, keys, mfa, settings, names, times,
        ];
        if at != size || !numeric.iter().zip(widths).all(|(s, w)| s.1 % w == 0) {
            return Err(PartError::Malformed { what: "layout" });
        }
        let counts: Vec<u64> = values(read, counts);
        let (Ok(containers), Ok(text), 14) = (
            String::from_utf8(values(read, containers)),
            String::from_utf8(values(read, text)),
            counts.len(),
        ) else {
            return Err(PartError::Malformed { what: "text" });
        };
        let part = Part {
            summary: PartSummary {
                records: counts[0],
                events: counts[1],
                duplicates: counts[2],
                errors: counts[3],
                bytes: counts[4],
                outside_subset: counts[5],
                over_cap: counts[6],
                containers: (containers.split('\n'))
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
                shape: Shape {
                    single_line: counts[8],
                    multi_line: counts[9],
                    array: counts[10] != 0,
                },
                lines: counts[7],
                lines_only: counts[11] != 0,
            },
            unkept_strings: usize::try_from(counts[12]).unwrap_or(usize::MAX),
            unkept_bytes: usize::try_from(counts[13]).unwrap_or(usize::MAX),
            text,
            bounds: values::<u64>(read, bounds)
                .into_iter()
                .map(|b| usize::try_from(b).unwrap_or(usize::MAX))
                .collect(),
            geos: rows(read, geos, |[country, country_name, city, lat, lon]| {
                GeoKey {
                    country,
                    country_name,
                    city,
                    lat,
                    lon,
                }
            }),
            profiles: rows(
                read,
                profiles,
                |[method, user_agent, actor, a, b, c, stage, user_id, actor_id]| ProfileKey {
                    method,
                    user_agent,
                    actor,
                    a,
                    b,
                    c,
                    stage: stage as u8,
                    user_id,
                    actor_id,
                },
            ),
            time: values(read, time),
            kind: values(read, kind),
            outcome: values(read, outcome),
            family: values(read, family),
            offset: values(read, offset),
            line: values(read, line),
            len: values(read, len),
            action: values(read, action),
            user: values(read, user),
            ip: values(read, ip),
            geo: values(read, geo),
            profile: values(read, profile),
            keys: values(read, keys),
            account_mfa: rows(read, mfa, |[event, from, to, companion]| AccountMfaRecord {
                event,
                from,
                to,
                companion: companion != 0,
            }),
            settings: rows(read, settings, |[event, setting, from, to]| SettingRecord {
                event,
                setting,
                from,
                to,
            }),
            namings: rows(read, names, |[id, name, event, line]| {
                (id, name, event, line)
            })
            .into_iter()
            .zip(values::<i64>(read, times).chunks_exact(2))
            .map(|((id, name, event, line), t)| {
                let (first, last) = (t[0], t[1]);
                let line = u64::from(line);
                let naming = Naming {
                    first,
                    last,
                    file: 0,
                    line,
                    event,
                };
                ((id, name), naming)
            })
            .collect(),
        };
        if part.namings.len() != times.1 / 16 {
            return Err(PartError::Malformed { what: "names" });
        }
        part.check()?;
        Ok(part)
    }

    /// Every column as long as the others, every id inside its table, every string inside the
    /// text: [`Store::take_part`] can index without a check.
    fn check(&self) -> Result<(), PartError> {
        let n = self.time.len();
        let cols = [
            self.kind.len(),
            self.outcome.len(),
            self.family.len(),
            self.offset.len(),
            self.line.len(),
            self.len.len(),
            self.action.len(),
            self.user.len(),
            self.ip.len(),
            self.geo.len(),
            self.profile.len(),
            self.keys.len(),
        ];
        let strings_ok = self.bounds.first() == Some(&0)
            && self
                .bounds
                .windows(2)
                .all(|b| self.text.get(b[0]..b[1]).is_some())
            && self.bounds.last() == Some(&self.text.len());
        let strings = self.bounds.len().saturating_sub(1) as u32;
        let string = |id: u32| id < strings;
        let setting_value = |id: u32| id == NO_VALUE || string(id);
        let event = |e: u32| (e as usize) < n;
        let ok = strings_ok
            && cols.iter().all(|&l| l == n)
            && [&self.action, &self.user, &self.ip]
                .iter()
                .all(|c| c.iter().all(|&s| string(s)))
            && self.geo.iter().all(|&g| (g as usize) < self.geos.len())
            && self
                .profile
                .iter()
                .all(|&p| (p as usize) < self.profiles.len())
            && self
                .geos
                .iter()
                .all(|g| [g.country, g.country_name, g.city].into_iter().all(string))
            && self.profiles.iter().all(|p| {
                [
                    p.method,
                    p.user_agent,
                    p.actor,
                    p.a,
                    p.b,
                    p.c,
                    p.user_id,
                    p.actor_id,
                ]
                .into_iter()
                .all(string)
            })
            && self
                .account_mfa
                .iter()
                .all(|r| event(r.event) && string(r.from) && string(r.to))
            && self
                .account_mfa
                .windows(2)
                .all(|w| w[0].event <= w[1].event)
            && self.settings.iter().all(|r| {
                event(r.event) && string(r.setting) && setting_value(r.from) && string(r.to)
            })
            && self.settings.windows(2).all(|w| w[0].event <= w[1].event)
            && (self.namings.iter()).all(|&((id, name), n)| {
                string(id) && string(name) && (n.event == NO_EVENT || event(n.event))
            });
        if ok {
            Ok(())
        } else {
            Err(PartError::Malformed { what: "ids" })
        }
    }

    /// Events in the part.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}

impl Store {
    /// Adds the events of `part`, a part of file `file` starting at byte `at` of its text,
    /// after `lines` lines, in their order, leaving out those already here; returns how many were
    /// left out, or `None`, adding nothing, when one of them shares its key with another event
    /// and differs ([`super::dedup::Dedup::insert_all`]).
    fn add_part(&mut self, file: u16, part: &Part, (at, lines): (u64, u64)) -> Option<u64> {
        let file_id = file;
        // Which events are new, column by column: each column is one pass over memory.
        let first = u32::try_from(self.time.len()).expect("fewer than 2^32 events");
        let fresh = self.dedup.insert_all(&part.keys, first)?;
        let ids: Vec<u32> = part
            .bounds
            .windows(2)
            .map(|b| self.strings.intern_str(&part.text[b[0]..b[1]]))
            .collect();
        let id = |s: u32| ids[s as usize];
        let geos: Vec<u32> = part
            .geos
            .iter()
            .map(|g| {
                self.geos.intern(GeoKey {
                    country: id(g.country),
                    country_name: id(g.country_name),
                    city: id(g.city),
                    ..*g
                })
            })
            .collect();
        let profiles: Vec<u32> = part
            .profiles
            .iter()
            .map(|p| {
                self.profiles.intern(ProfileKey {
                    method: id(p.method),
                    user_agent: id(p.user_agent),
                    actor: id(p.actor),
                    a: id(p.a),
                    b: id(p.b),
                    c: id(p.c),
                    stage: p.stage,
                    user_id: id(p.user_id),
                    actor_id: id(p.actor_id),
                })
            })
            .collect();
        let kept = fresh.iter().filter(|&&f| f).count();
        let fits = u32::try_from(self.time.len() + kept).is_ok();
        assert!(fits, "fewer than 2^32 events");
        // Each event's index in this store once kept.
        let mut next = self.time.len() as u32;
        let index: Vec<u32> = (fresh.iter())
            .map(|&f| {
                next += u32::from(f);
                next - u32::from(f)
            })
            .collect();
        keep(&mut self.time, &part.time, &fresh, kept);
        keep(&mut self.kind, &part.kind, &fresh, kept);
        keep(&mut self.outcome, &part.outcome, &fresh, kept);
        keep(&mut self.family, &part.family, &fresh, kept);
        keep(&mut self.len, &part.len, &fresh, kept);
        for (&line, _) in part.line.iter().zip(&fresh).filter(|(_, &f)| f) {
            self.lines.push(file, lines + line);
        }
        let file = u64::from(file) << 48;
        let loc = part.offset.iter().map(|&o| file | ((o + at) & OFFSET_MASK));
        self.loc.reserve_exact(kept);
        self.loc
            .extend(loc.zip(&fresh).filter(|(_, &f)| f).map(|(l, _)| l));
        keep_ids(&mut self.action, &part.action, &fresh, kept, &ids);
        keep_ids(&mut self.user, &part.user, &fresh, kept, &ids);
        keep_ids(&mut self.ip, &part.ip, &fresh, kept, &ids);
        keep_ids(&mut self.geo, &part.geo, &fresh, kept, &geos);
        keep_ids(&mut self.profile, &part.profile, &fresh, kept, &profiles);
        let mfa = part.account_mfa.iter().filter(|r| fresh[r.event as usize]);
        self.account_mfa.extend(mfa.map(|r| AccountMfaRecord {
            event: index[r.event as usize],
            from: id(r.from),
            to: id(r.to),
            companion: r.companion,
        }));
        let settings = part.settings.iter().filter(|r| fresh[r.event as usize]);
        self.settings.extend(settings.map(|r| SettingRecord {
            event: index[r.event as usize],
            setting: id(r.setting),
            from: if r.from == NO_VALUE {
                NO_VALUE
            } else {
                id(r.from)
            },
            to: id(r.to),
        }));
        let event_here = |e: u32| {
            let fresh = e != NO_EVENT && fresh[e as usize];
            if fresh {
                index[e as usize]
            } else {
                NO_EVENT
            }
        };
        for &((who, name), n) in &part.namings {
            let (who, name) = (id(who), id(name));
            self.learn(who, n.first, name);
            self.learn(who, n.last, name);
            let line = lines + n.line;
            self.note_naming((who, name), n.first, file_id, line, event_here(n.event));
            self.note_naming((who, name), n.last, file_id, line, event_here(n.event));
        }
        for (e, &f) in part.family.iter().enumerate() {
            if fresh[e] {
                self.tally(file_id, Family::ALL[usize::from(f).min(2)], index[e]);
            }
        }
        self.unkept_strings += part.unkept_strings;
        self.unkept_bytes += part.unkept_bytes;
        Some((part.len() - kept) as u64)
    }
}

/// Appends the values of `src` whose event is `fresh` (`kept` of them), growing `dst` by just
/// that: a column doubled past it would hold far more than the store needs, at the largest files.
fn keep<T: Copy>(dst: &mut Vec<T>, src: &[T], fresh: &[bool], kept: usize) {
    dst.reserve_exact(kept);
    dst.extend(src.iter().zip(fresh).filter(|(_, &f)| f).map(|(&v, _)| v));
}

/// As [`keep`], each id as `map` has it.
fn keep_ids(dst: &mut Vec<u32>, src: &[u32], fresh: &[bool], kept: usize, map: &[u32]) {
    dst.reserve_exact(kept);
    dst.extend(
        src.iter()
            .zip(fresh)
            .filter(|(_, &f)| f)
            .map(|(&v, _)| map[v as usize]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Options};
    use crate::Ingest;

    fn part() -> Part {
        let mut text = Vec::new();
        let options = Options {
            bytes: 200_000,
            ..Options::default()
        };
        generate(&options, &mut text).expect("generate");
        let mut store = Store::for_part();
        let mut ingest = Ingest::new(&mut store, "gen.ndjson");
        ingest.push(&mut store, &text);
        let part = ingest.end_part(&mut store);
        store.into_part(part)
    }

    #[test]
    fn a_part_reads_back_as_written() {
        let part = part();
        assert!(part.len() > 100 && !part.account_mfa.is_empty() && !part.settings.is_empty());
        assert!(part.summary.lines_only);
        assert_eq!(Part::from_bytes(&part.to_bytes()), Ok(part));
    }

    /// Records that share an id but differ, one before the split and one in the part, or both in
    /// the part: the part is not taken over but read in place, which tells each such record at
    /// its line as one thread does. A part with duplicates only is taken over, lines and all.
    #[test]
    fn a_part_with_records_that_share_an_id_but_differ_is_read_in_place() {
        let login = |id: &str, ip: &str| {
            format!(
                r#"{{"id":"{id}","eventTime":"2024-05-01T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{{"name":"ana@example.com","host":{{"address":"{ip}"}}}}}}"#
            )
        };
        let head = format!(
            "{}\n\n{}\n",
            login("a", "192.0.2.1"),
            login("b", "192.0.2.1")
        );
        for (tail, taken, conflicts, lines) in [
            (
                [login("c", "192.0.2.1"), login("a", "192.0.2.2")],
                false,
                1,
                &[1, 3, 4, 7][..],
            ),
            (
                [login("c", "192.0.2.1"), login("c", "192.0.2.2")],
                false,
                1,
                &[1, 3, 4, 7],
            ),
            (
                [login("a", "192.0.2.1"), login("c", "192.0.2.1")],
                true,
                0,
                &[1, 3, 7],
            ),
        ] {
            let tail = format!("{}\n\n\n{}\n", tail[0], tail[1]);
            let mut one = Store::new();
            let mut ingest = Ingest::new(&mut one, "f.ndjson");
            ingest.push(&mut one, format!("{head}{tail}").as_bytes());
            ingest.finish(&mut one);

            let mut store = Store::new();
            let mut ingest = Ingest::new(&mut store, "f.ndjson");
            ingest.push(&mut store, head.as_bytes());
            let mut apart = Store::for_part();
            let mut rest = Ingest::new(&mut apart, "f.ndjson");
            rest.push(&mut apart, tail.as_bytes());
            let part = rest.end_part(&mut apart);
            let part = Part::from_bytes(&apart.into_part(part).to_bytes()).expect("part");
            assert_eq!(ingest.take_part(&mut store, &part), taken, "{tail}");
            if !taken {
                ingest.push(&mut store, tail.as_bytes());
            }
            ingest.finish(&mut store);

            assert_eq!(
                crate::summary::summary_json(&store),
                crate::summary::summary_json(&one)
            );
            assert_eq!(
                (store.conflicts.len(), &store.conflicts),
                (conflicts, &one.conflicts)
            );
            let lines_of = |s: &Store| (0..s.len()).map(|i| s.line(i)).collect::<Vec<_>>();
            assert_eq!(
                (lines_of(&store), lines_of(&one)),
                (lines.to_vec(), lines.to_vec())
            );
            assert_eq!(store.diagnostics().len(), conflicts);
        }
    }

    #[test]
    fn a_damaged_part_is_refused_with_a_reason() {
        let bytes = part().to_bytes();
        let cut = Part::from_bytes(&bytes[..bytes.len() - 3]);
        assert!(matches!(cut, Err(PartError::CutShort { .. })), "{cut:?}");
        assert_eq!(
            Part::from_bytes(&bytes[..MAGIC.len() + 4]),
            Err(PartError::CutShort {
                section: 0,
                offset: MAGIC.len()
            })
        );
        assert_eq!(
            PartError::CutShort {
                section: 0,
                offset: 0
            }
            .to_string(),
            "a stretch read apart is cut short"
        );
        assert!(Part::from_bytes(b"something else").is_err());
        // An event whose user points past the strings.
        let mut bad = part();
        bad.user[0] = bad.bounds.len() as u32;
        let refused = Part::from_bytes(&bad.to_bytes());
        assert_eq!(refused, Err(PartError::Malformed { what: "ids" }));
    }

    /// Two files read as one part after the other: the store reading `head`, then taking over
    /// `rest` read on its own (or reading it itself when refused).
    fn read_split(head: &str, rest: &str) -> (Store, bool) {
        let mut apart = Store::for_part();
        let mut ingest = Ingest::new(&mut apart, "x.ndjson");
        ingest.push(&mut apart, rest.as_bytes());
        let part = ingest.end_part(&mut apart);
        let part = Part::from_bytes(&apart.into_part(part).to_bytes()).expect("a part");
        let mut store = Store::new();
        let mut ingest = Ingest::new(&mut store, "x.ndjson");
        ingest.push(&mut store, head.as_bytes());
        let taken = ingest.take_part(&mut store, &part);
        if !taken {
            ingest.push(&mut store, rest.as_bytes());
        }
        ingest.finish(&mut store);
        (store, taken)
    }

    fn login(n: u32, id: &str, name: &str, family: &str) -> String {
        if family == "verify" {
            return format!(
                r#"{{"id":"v{n}","time":{},"event_type":"authentication","data":{{"result":"success","subtype":"user_password","username":"{name}","userid":"{id}"}}}}"#,
                1_717_000_000_000_i64 + i64::from(n) * 1000
            );
        }
        format!(
            r#"{{"id":"l{n}","eventTime":"2024-06-0{}T10:00:00Z","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{{"id":"{id}","name":"{name}"}}}}"#,
            1 + n % 9
        )
    }

    #[test]
    fn names_and_families_read_apart_keep_their_lines_in_the_file() {
        let head: String = (0..3)
            .map(|n| login(n, "IBMid-1", "pat@example.com", "at") + "\n")
            .collect();
        let mut rest: String = (3..12)
            .map(|n| login(n, "IBMid-1", "pat@example.com", "at") + "\n")
            .collect();
        rest.push_str(&(login(12, "IBMid-1", "pat.lee@example.com", "at") + "\n"));
        rest.push_str(&(login(13, "u-9", "erin@example.com", "verify") + "\n"));
        let (store, taken) = read_split(&head, &rest);
        assert!(taken);
        let mut names: Vec<_> = (store.namings.iter())
            .map(|(&(_, name), n)| (store.str(name).to_owned(), n.line))
            .collect();
        names.sort();
        let expected = [
            ("erin@example.com".to_owned(), 14),
            ("pat.lee@example.com".to_owned(), 13),
            ("pat@example.com".to_owned(), 1),
        ];
        assert_eq!(names, expected);
        // The Verify record at line 14 is out of place among 13 Activity Tracker records.
        assert_eq!((&store.out_of_place[..], store.line(13)), (&[13][..], 14));
        let d = store.diagnostics();
        assert_eq!((d.len(), d[0].line), (1, 14), "{d:?}");
    }

    #[test]
    fn a_part_with_an_undocumented_level_is_read_again_where_it_is_told() {
        let change = r#"{"id":"m1","eventTime":"2024-06-01T10:00:00Z","action":"billing.account-traits.update","outcome":"success","initiator":{"name":"a@example.com"},"requestData":{"mfa":"LEVEL9"}}"#;
        let head = login(0, "IBMid-1", "pat@example.com", "at") + "\n";
        let (store, taken) = read_split(&head, &format!("{change}\n"));
        assert!(!taken, "a part that gave a diagnostic is not taken over");
        let d = store.diagnostics();
        assert_eq!((d.len(), d[0].line), (1, 2), "{d:?}");
        assert!(d[0]
            .message()
            .contains("\"LEVEL9\" is not one IBM documents"));
    }
}
