//! Who an event names, and what the records say about each identifier's names.
//!
//! A record may pair an identifier with a name ([`crate::Event::alias`]); the store shows the
//! identifier by the latest such name ([`Store::show_names`]). Every pair is kept with where it
//! was first read ([`Naming`]), so that an identifier that was given more than one name shows
//! all of them and their records ([`Alias::other_names`]): a forged record pairing someone's IAM
//! ID with another person's name cannot rename them unseen. Per event, the identifier behind the
//! user and the actor shown is [`Store::user_of`] / [`Store::actor_of_event`]: the one the
//! record pairs with the name it gives, or the identifier the record gives that is shown by a
//! name.

use super::{ProfileKey, Store};
use crate::time::serialize_iso;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// No event: the pair was read from an event not kept (outside a subset, over the events cap).
pub(crate) const NO_EVENT: u32 = u32::MAX;

/// One (identifier, name) pair that records give: where the first of them was read, and the
/// earliest and latest time of those records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Naming {
    pub first: i64,
    pub last: i64,
    pub file: u16,
    pub line: u64,
    /// The store index of the first record's event, [`NO_EVENT`] when it was not kept.
    pub event: u32,
}

/// An identifier (an IAM ID, a Verify user id) that the store shows by the name the latest
/// record pairing them gives it ([`crate::Event::alias`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alias {
    pub id: String,
    pub name: String,
    /// Where the name shown was first paired with the identifier; only when the identifier had
    /// other names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<NameSource>,
    /// The other names records gave the identifier, earliest first (empty for most): a name
    /// that changed is shown, never silently replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<NameSource>,
}

/// A name an identifier was given, with the first record that gave it and the time span of
/// the records that did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameSource {
    pub name: String,
    /// The file's name and the line of the first record giving the name.
    pub file: String,
    pub line: u64,
    #[serde(serialize_with = "serialize_iso")]
    pub first: i64,
    #[serde(serialize_with = "serialize_iso")]
    pub last: i64,
}

/// Someone an event names: the string shown (a name, or an identifier no record names), and
/// the identifier behind it when the records tell one (`0` when not); string ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Person {
    pub shown: u32,
    pub id: u32,
    /// As the event's own record gave it, before any identifier was shown by a name.
    pub given: u32,
}

/// The profiles as they were interned, before their actors were shown by names: index = profile
/// id ([`Store::profiles_as_read`]).
pub(crate) type ProfilesAsRead = Vec<ProfileKey>;

impl Store {
    /// Keeps that a record at `time` (file `file`, line `line`, store event `event` or
    /// [`NO_EVENT`]) paired identifier `id` with `name` (string ids); returns whether the pair is
    /// new.
    pub(crate) fn note_naming(
        &mut self,
        (id, name): (u32, u32),
        time: i64,
        file: u16,
        line: u64,
        event: u32,
    ) -> bool {
        let mut new = false;
        self.namings
            .entry((id, name))
            .and_modify(|n| {
                n.first = n.first.min(time);
                n.last = n.last.max(time);
            })
            .or_insert_with(|| {
                new = true;
                Naming {
                    first: time,
                    last: time,
                    file,
                    line,
                    event,
                }
            });
        new
    }

    /// The profiles as they were interned (their actors as the records gave them).
    pub(crate) fn profiles_as_read(&self) -> ProfilesAsRead {
        let mut out = self.profiles.values.clone();
        for (key, &id) in &self.profiles.ids {
            out[id as usize] = *key;
        }
        out
    }

    /// The user of event `i` as its record gave it, before it was shown by a name.
    fn user_given(&self, i: usize) -> u32 {
        let i32 = i as u32;
        match self.renamed.binary_search_by_key(&i32, |&(e, _)| e) {
            Ok(k) => self.renamed[k].1,
            Err(_) => self.user[i],
        }
    }

    /// The user of event `i`: shown, given, and the identifier behind it.
    pub(crate) fn user_of(&self, i: usize) -> Person {
        let shown = self.user[i];
        let given = self.user_given(i);
        let p = self.profiles.get(self.profile[i]);
        let id = match p.user_id {
            0 if given != shown => given,
            id => id,
        };
        Person { shown, id, given }
    }

    /// The actor of event `i` (its user when the record names no other actor).
    pub(crate) fn actor_of_event(&self, i: usize, read: &ProfilesAsRead) -> Person {
        let p = self.profiles.get(self.profile[i]);
        let given = read[self.profile[i] as usize].actor;
        if given == 0 {
            let user = self.user_of(i);
            let id = if p.actor_id != 0 { p.actor_id } else { user.id };
            return Person { id, ..user };
        }
        let id = match p.actor_id {
            0 if given != p.actor => given,
            id => id,
        };
        Person {
            shown: p.actor,
            id,
            given,
        }
    }

    /// Whether event `i`'s actor is its user by what the records say: the same identifier when
    /// both are known, otherwise the same string in the event's own record (never a name another
    /// record gave an identifier).
    pub(crate) fn by_self(&self, i: usize, read: &ProfilesAsRead) -> bool {
        let (user, actor) = (self.user_of(i), self.actor_of_event(i, read));
        if user.id != 0 && actor.id != 0 {
            user.id == actor.id
        } else {
            user.given == actor.given
        }
    }

    /// The identifiers that records gave more than one name (string ids), each with its names:
    /// the one shown first, then by the time they were first given.
    pub(crate) fn several_names(&self) -> FxHashMap<u32, Vec<(u32, Naming)>> {
        let mut out: FxHashMap<u32, Vec<(u32, Naming)>> = FxHashMap::default();
        for (&(id, name), &n) in &self.namings {
            out.entry(id).or_default().push((name, n));
        }
        out.retain(|_, names| names.len() > 1);
        for (id, names) in &mut out {
            let shown = self.names.get(id).map(|&(_, name)| name);
            let key =
                |&(name, n): &(u32, Naming)| (Some(name) != shown, n.first, n.file, n.line, name);
            // A few names each: sorted in place, without another instance of the standard sort
            // in the page's wasm.
            for k in 1..names.len() {
                let mut j = k;
                while j > 0 && key(&names[j - 1]) > key(&names[j]) {
                    names.swap(j - 1, j);
                    j -= 1;
                }
            }
        }
        out
    }

    pub(crate) fn name_source(&self, name: u32, n: &Naming) -> NameSource {
        NameSource {
            name: self.str(name).to_owned(),
            file: (self.files.get(usize::from(n.file)))
                .map_or_else(String::new, |f| f.name.clone()),
            line: n.line,
            first: n.first,
            last: n.last,
        }
    }

    /// The identifiers shown by a name somewhere (as a user or an actor), in the order they were
    /// first read, each with the other names records gave it.
    pub fn aliases_shown(&self) -> Vec<Alias> {
        let mut used: Vec<u32> = self.renamed.iter().map(|&(_, id)| id).collect();
        used.extend(
            self.profiles
                .ids
                .iter()
                .filter(|(key, &id)| self.profiles.get(id).actor != key.actor)
                .map(|(key, _)| key.actor),
        );
        used.sort_unstable();
        used.dedup();
        let several = self.several_names();
        used.into_iter()
            .filter_map(|id| {
                let &(_, name) = self.names.get(&id)?;
                let names = several.get(&id).map_or(&[][..], Vec::as_slice);
                let source = |&(n, how): &(u32, Naming)| self.name_source(n, &how);
                Some(Alias {
                    id: self.str(id).to_owned(),
                    name: self.str(name).to_owned(),
                    source: names.first().map(source),
                    other_names: names.iter().skip(1).map(source).collect(),
                })
            })
            .collect()
    }
}
