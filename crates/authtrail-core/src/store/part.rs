//! A stretch of a large file read on another thread (the page reads the second half of a large
//! NDJSON file on a second core): read into a store of its own ([`StretchStore`]), carried over
//! as bytes ([`Part`]), and merged into the store reading the text before it
//! ([`crate::Ingest::absorb`]), which then ends the file as if it had read all of it.

use super::{AccountMfaRecord, GeoKey, ProfileKey, SettingRecord, Store, NO_VALUE};
use crate::decode::Span;
use crate::diag::Diagnostic;
use crate::ingest::{Collector, Stretch};
use crate::model::Event;
use serde::{Deserialize, Serialize};

/// The collector a stretch is read into: a [`Store`] that also keeps each event's key, in order,
/// and is never sealed (its events go on to another store).
#[derive(Debug, Default)]
pub struct StretchStore {
    store: Store,
    keys: Vec<u64>,
}

impl Collector for StretchStore {
    fn add_file(&mut self, name: &str) -> u16 {
        self.store.add_file(name)
    }

    fn event(&mut self, file: u16, event: &Event<'_>, key: u64, span: Span) -> bool {
        let kept = Collector::event(&mut self.store, file, event, key, span);
        if kept {
            self.keys.push(key);
        }
        kept
    }

    fn kept(&self) -> u64 {
        self.store.kept()
    }

    fn not_kept(&mut self, event: &Event<'_>, original: &[u8]) {
        self.store.not_kept(event, original);
    }

    fn has(&self, key: u64) -> bool {
        self.store.has(key)
    }

    fn diagnostic(&mut self, diagnostic: Diagnostic) {
        self.store.diagnostic(diagnostic);
    }
}

impl StretchStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Its events, with what reading the stretch found.
    pub fn into_part(self, stretch: Stretch) -> Part {
        let StretchStore { store: s, keys } = self;
        Part {
            stretch,
            text: s.strings.text,
            bounds: s.strings.bounds,
            geos: s.geos.values,
            profiles: s.profiles.values,
            time: s.time,
            kind: s.kind,
            outcome: s.outcome,
            family: s.family,
            offset: s.loc.iter().map(|l| l & OFFSET_MASK).collect(),
            len: s.len,
            action: s.action,
            user: s.user,
            ip: s.ip,
            geo: s.geo,
            profile: s.profile,
            keys,
            account_mfa: s.account_mfa,
            settings: s.settings,
            names: s
                .names
                .into_iter()
                .map(|(id, (time, name))| (id, time, name))
                .collect(),
            unkept_strings: s.unkept_strings,
        }
    }
}

const OFFSET_MASK: u64 = (1 << 48) - 1;

/// A stretch's events (in the columns of the store they were read into, its string ids) and its
/// accounting, as they travel between threads ([`Part::to_bytes`], [`Part::from_bytes`]).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Part {
    pub(crate) stretch: Stretch,
    text: String,
    bounds: Vec<usize>,
    geos: Vec<GeoKey>,
    profiles: Vec<ProfileKey>,
    time: Vec<i64>,
    kind: Vec<u8>,
    outcome: Vec<u8>,
    family: Vec<u8>,
    /// From the start of the stretch.
    offset: Vec<u64>,
    len: Vec<u32>,
    action: Vec<u32>,
    user: Vec<u32>,
    ip: Vec<u32>,
    geo: Vec<u32>,
    profile: Vec<u32>,
    keys: Vec<u64>,
    account_mfa: Vec<AccountMfaRecord>,
    settings: Vec<SettingRecord>,
    /// (identifier, time, name) as [`Store::names`] holds them.
    names: Vec<(u32, i64, u32)>,
    unkept_strings: usize,
}

impl Part {
    /// The part as bytes ([postcard](https://docs.rs/postcard)).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("a part is plain data")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Part, String> {
        postcard::from_bytes(bytes).map_err(|e| format!("a stretch read apart is unreadable: {e}"))
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
    /// Adds the events of `part`, a stretch of file `file` starting at byte `at` of its text, in
    /// their order, leaving out those already here; returns how many were left out.
    pub(crate) fn absorb(&mut self, file: u16, part: &Part, at: u64) -> u64 {
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
                })
            })
            .collect();
        let (mut mfa, mut settings) = (0, 0);
        let mut duplicates = 0;
        for i in 0..part.len() {
            let event = i as u32;
            let mfa_end = mfa
                + part.account_mfa[mfa..]
                    .iter()
                    .take_while(|r| r.event == event)
                    .count();
            let settings_end = settings
                + part.settings[settings..]
                    .iter()
                    .take_while(|r| r.event == event)
                    .count();
            if self.dedup.insert(part.keys[i]) {
                let j = u32::try_from(self.time.len()).expect("fewer than 2^32 events");
                for r in &part.account_mfa[mfa..mfa_end] {
                    self.account_mfa.push(AccountMfaRecord {
                        event: j,
                        from: id(r.from),
                        to: id(r.to),
                        companion: r.companion,
                    });
                }
                for r in &part.settings[settings..settings_end] {
                    self.settings.push(SettingRecord {
                        event: j,
                        setting: id(r.setting),
                        from: if r.from == NO_VALUE {
                            NO_VALUE
                        } else {
                            id(r.from)
                        },
                        to: id(r.to),
                    });
                }
                self.time.push(part.time[i]);
                self.kind.push(part.kind[i]);
                self.outcome.push(part.outcome[i]);
                self.family.push(part.family[i]);
                self.loc
                    .push((u64::from(file) << 48) | ((part.offset[i] + at) & OFFSET_MASK));
                self.len.push(part.len[i]);
                self.action.push(id(part.action[i]));
                self.user.push(id(part.user[i]));
                self.ip.push(id(part.ip[i]));
                self.geo.push(geos[part.geo[i] as usize]);
                self.profile.push(profiles[part.profile[i] as usize]);
            } else {
                duplicates += 1;
            }
            (mfa, settings) = (mfa_end, settings_end);
        }
        for &(who, time, name) in &part.names {
            self.learn(id(who), time, id(name));
        }
        self.unkept_strings += part.unkept_strings;
        duplicates
    }
}
