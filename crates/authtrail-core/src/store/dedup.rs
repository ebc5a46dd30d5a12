//! The events kept so far, by key, for de-duplication within and across files.
//!
//! Each kept event is held as its key (its id, or its wrapper's, else a hash of its record), its
//! content key (a hash of all it says, [`crate::decode::content_key`]) and its index in the store.
//! A record whose key and content key are both held is a duplicate; one whose key is held with
//! another content is a different event that reuses an id (a forged record, or a broken export):
//! it is kept, and the earliest event with that key is named. Keys are 64-bit xxh3 hashes (two
//! distinct ids collide with probability about n²/2⁶⁵, under one in 10⁵ at 10 million events),
//! content keys too: a record made to hide another as its duplicate must match its content key.
//!
//! Keys of finished files sit in sorted vectors; keys of the file being read in vectors in the
//! order read, found through a hash table of their positions, and merged into the sorted ones
//! when the file ends, a part read on another thread is taken over (its keys are merged in then
//! too), or they pass [`MAX_RECENT`] and the sorted ones' length (so that memory stays bounded
//! in a file of any size). Being uniform, keys are found in the sorted vector through an index
//! of where each value of their top bits starts (about 16 keys a value): a binary search over the
//! whole vector missed the cache at nearly every step, and made each file of a load of many
//! slower than the one before.

use hashbrown::hash_table::Entry;
use rustc_hash::FxHashMap;

/// What a record's keys say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    New,
    Duplicate,
    /// Its key is held with another content: the earliest event with the key.
    Conflict {
        earlier: u32,
    },
}

/// The keys of the file being read are merged once there are this many and as many as merged:
/// until then a record's key is looked up in the hash table alone, at one cache miss.
const MAX_RECENT: usize = 1 << 18;

#[derive(Debug, Default)]
pub(crate) struct Dedup {
    /// Keys merged so far, sorted; their content keys and events in step.
    keys: Vec<u64>,
    contents: Vec<u64>,
    events: Vec<u32>,
    /// Where the keys whose top `bits` bits are `b` start in `keys`, for each `b`, and
    /// `keys.len()` at the end (empty until the first merge).
    starts: Vec<u32>,
    bits: u32,
    /// Since the last merge, in the order added: keys, content keys, and their events from
    /// `recent_from` on, one each.
    recent_keys: Vec<u64>,
    recent_contents: Vec<u64>,
    recent_from: u32,
    /// Each key's first event: the key's top half and its position in `recent_keys` (keys are
    /// hashes already: the top half is the table's hash, [`slot`]).
    recent: hashbrown::HashTable<(u32, u32)>,
    /// The positions of the other events of a key (other contents), by key and content key.
    reused: FxHashMap<(u64, u64), u32>,
}

/// The hash table's hash of a key whose top half is `top`.
fn slot(top: u32) -> u64 {
    u64::from(top) << 32 | u64::from(top)
}

impl Dedup {
    /// Adds event `event` (the one after the last event added) with `key` and `content`, unless
    /// an event with both is held.
    pub fn insert(&mut self, key: u64, content: u64, event: u32) -> Seen {
        let mut earlier = None;
        for i in self.merged(key) {
            if self.contents[i] == content {
                return Seen::Duplicate;
            }
            earlier = Some(earlier.map_or(self.events[i], |e: u32| e.min(self.events[i])));
        }
        let at = self.recent_keys.len() as u32;
        let Dedup {
            recent,
            recent_keys,
            recent_contents,
            ..
        } = self;
        let top = (key >> 32) as u32;
        let first = recent.entry(
            slot(top),
            |&(t, p)| t == top && recent_keys[p as usize] == key,
            |&(t, _)| slot(t),
        );
        match first {
            Entry::Occupied(first) => {
                let p = first.get().1 as usize;
                if recent_contents[p] == content || self.reused.contains_key(&(key, content)) {
                    return Seen::Duplicate;
                }
                let e = self.recent_from + p as u32;
                earlier = Some(earlier.map_or(e, |a: u32| a.min(e)));
                self.reused.insert((key, content), at);
            }
            Entry::Vacant(v) => {
                v.insert((top, at));
            }
        }
        if self.recent_keys.is_empty() {
            self.recent_from = event;
        }
        debug_assert_eq!(event, self.recent_from + self.recent_keys.len() as u32);
        self.recent_keys.push(key);
        self.recent_contents.push(content);
        if self.recent_keys.len() >= MAX_RECENT.max(self.keys.len()) {
            self.seal();
        }
        match earlier {
            Some(earlier) => Seen::Conflict { earlier },
            None => Seen::New,
        }
    }

    /// Whether an event with both keys is held.
    pub fn contains(&self, key: u64, content: u64) -> bool {
        self.merged(key).any(|i| self.contents[i] == content)
            || (self.recent)
                .find(slot((key >> 32) as u32), |&(_, p)| {
                    self.recent_keys[p as usize] == key
                })
                .is_some_and(|&(_, p)| self.recent_contents[p as usize] == content)
            || self.reused.contains_key(&(key, content))
    }

    /// The positions in the sorted vectors of the keys equal to `key`.
    fn merged(&self, key: u64) -> std::ops::Range<usize> {
        let Some(b) = key.checked_shr(64 - self.bits).map(|b| b as usize) else {
            return 0..0;
        };
        let (Some(&from), Some(&to)) = (self.starts.get(b), self.starts.get(b + 1)) else {
            return 0..0;
        };
        let (from, to) = (from as usize, to as usize);
        let bucket = &self.keys[from..to];
        let first = from + bucket.partition_point(|&k| k < key);
        let equal = self.keys[first..to]
            .iter()
            .take_while(|&&k| k == key)
            .count();
        first..first + equal
    }

    /// Builds `starts` for the keys in `keys`.
    fn index(&mut self) {
        self.bits = (self.keys.len() / 16).max(2).ilog2().min(20);
        let shift = 64 - self.bits;
        self.starts.clear();
        let mut at = 0;
        for b in 0..1u64 << self.bits {
            while self.keys.get(at).is_some_and(|&k| k >> shift < b) {
                at += 1;
            }
            self.starts.push(at as u32);
        }
        self.starts.push(self.keys.len() as u32);
    }

    /// Adds a part's events at once: `keys` (key, content key) in their order, the first of them
    /// to become event `first`. Returns, for each, whether it is new (the first of equal ones
    /// is), or `None`, adding nothing, when one of them shares its key with another content
    /// (held, or in the part): the part is then read in place, where that is told with its line.
    /// The keys held so far are merged first, then the part's are sorted and merged in: the hash
    /// table never holds both halves' keys, which keeps the page's wasm memory lower.
    pub fn insert_all(&mut self, keys: &[[u64; 2]], first: u32) -> Option<Vec<bool>> {
        self.seal();
        let mut by_key: Vec<([u64; 2], u32)> = (keys.iter().enumerate())
            .map(|(i, &k)| (k, i as u32))
            .collect();
        by_key.sort_unstable_by_key(|&([key, _], _)| key);
        let mut fresh = vec![false; keys.len()];
        let mut j = 0;
        for (n, &([key, content], i)) in by_key.iter().enumerate() {
            while self.keys.get(j).is_some_and(|&s| s < key) {
                j += 1;
            }
            let held = self.keys[j..].iter().take_while(|&&s| s == key).count();
            if (j..j + held).any(|h| self.contents[h] != content) {
                return None;
            }
            match n.checked_sub(1).map(|p| by_key[p].0) {
                Some([k, c]) if k == key && c != content => return None,
                Some(k) if k == [key, content] => {}
                _ => fresh[i as usize] = held == 0,
            }
        }
        // Each new one's event: the events before it in the part's order are the new ones.
        let mut events = Vec::with_capacity(keys.len());
        let mut next = first;
        for &f in &fresh {
            events.push(next);
            next += u32::from(f);
        }
        by_key.retain(|&(_, i)| fresh[i as usize]);
        self.merge(by_key.len(), |n| {
            let ([k, c], i) = by_key[n];
            (k, c, events[i as usize])
        });
        Some(fresh)
    }

    /// Merges the keys of the file being read into the sorted vectors.
    pub fn seal(&mut self) {
        if self.recent_keys.is_empty() {
            return;
        }
        self.recent = hashbrown::HashTable::new();
        self.reused = FxHashMap::default();
        let keys = std::mem::take(&mut self.recent_keys);
        let contents = std::mem::take(&mut self.recent_contents);
        let mut added: Vec<(u64, u64, u32)> = (keys.into_iter().zip(contents))
            .zip(self.recent_from..)
            .map(|((k, c), e)| (k, c, e))
            .collect();
        added.sort_unstable_by_key(|&(key, _, _)| key);
        self.merge(added.len(), |n| added[n]);
    }

    /// Merges `n` events, `added(0)`, `added(1)`... (key, content key, event), sorted by key and none of
    /// them held, into the sorted vectors, from the back, in place.
    fn merge(&mut self, n: usize, added: impl Fn(usize) -> (u64, u64, u32)) {
        let mut old = self.keys.len();
        let new = old + n;
        self.keys.reserve_exact(n);
        self.contents.reserve_exact(n);
        self.events.reserve_exact(n);
        self.keys.resize(new, 0);
        self.contents.resize(new, 0);
        self.events.resize(new, 0);
        for end in (0..n).rev() {
            let (k, c, e) = added(end);
            while old > 0 && self.keys[old - 1] > k {
                self.keys[old + end] = self.keys[old - 1];
                self.contents[old + end] = self.contents[old - 1];
                self.events[old + end] = self.events[old - 1];
                old -= 1;
            }
            self.keys[old + end] = k;
            self.contents[old + end] = c;
            self.events[old + end] = e;
        }
        self.index();
    }

    pub fn heap_bytes(&self) -> usize {
        (self.keys.capacity() + self.contents.capacity()) * 8
            + (self.events.capacity() + self.starts.capacity()) * 4
            + (self.recent_keys.capacity() + self.recent_contents.capacity()) * 8
            + self.recent.capacity() * 9
            + self.reused.capacity() * 25
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys whose content key is the key itself, with events 0, 1, 2...
    fn plain(keys: &[u64]) -> Vec<[u64; 2]> {
        keys.iter().map(|&k| [k, k]).collect()
    }

    #[test]
    fn remembers_across_seals() {
        let mut d = Dedup::default();
        assert_eq!(d.insert(5, 50, 0), Seen::New);
        assert_eq!(d.insert(5, 50, 1), Seen::Duplicate);
        d.seal();
        assert_eq!(d.insert(5, 50, 1), Seen::Duplicate);
        assert_eq!(d.insert(6, 60, 1), Seen::New);
        assert_eq!(d.insert(6, 60, 2), Seen::Duplicate);
        assert!(d.contains(6, 60) && !d.contains(7, 70));
        d.seal();
        assert!(d.contains(5, 50) && d.contains(6, 60) && !d.contains(7, 70));
        assert_eq!(
            (d.keys, d.contents, d.events),
            (vec![5, 6], vec![50, 60], vec![0, 1])
        );
    }

    #[test]
    fn a_key_held_with_another_content_is_a_conflict_naming_the_earliest_event() {
        let mut d = Dedup::default();
        assert_eq!(d.insert(9, 1, 0), Seen::New);
        // The same key, another content: kept, and the first event with the key named.
        assert_eq!(d.insert(9, 2, 1), Seen::Conflict { earlier: 0 });
        assert_eq!(d.insert(9, 2, 2), Seen::Duplicate);
        assert_eq!(d.insert(9, 1, 2), Seen::Duplicate);
        assert!(d.contains(9, 1) && d.contains(9, 2) && !d.contains(9, 3));
        d.seal();
        assert_eq!(d.insert(9, 3, 2), Seen::Conflict { earlier: 0 });
        assert_eq!(d.insert(9, 2, 3), Seen::Duplicate);
        assert!(!d.contains(9, 4) && !d.contains(8, 1));
        d.seal();
        assert_eq!(d.insert(9, 4, 3), Seen::Conflict { earlier: 0 });
        assert_eq!(
            (d.insert(9, 3, 4), d.insert(9, 1, 4)),
            (Seen::Duplicate, Seen::Duplicate)
        );
        d.seal();
        assert_eq!(d.keys, [9, 9, 9, 9]);
        assert_eq!((d.contents, d.events), (vec![1, 2, 3, 4], vec![0, 1, 2, 3]));
    }

    #[test]
    fn keys_are_found_through_the_index_of_their_top_bits() {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut keys: Vec<u64> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect();
        keys.extend([0, 1, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1]);
        let (kept, other) = keys.split_at(keys.len() / 2);
        let mut d = Dedup::default();
        for (e, &k) in kept.iter().chain(&[0, u64::MAX, 1 << 63]).enumerate() {
            d.insert(k, !k, e as u32);
        }
        d.seal();
        assert!(d.bits >= 9 && d.starts.len() == (1 << d.bits) + 1);
        for &k in kept.iter().chain(&[0, u64::MAX, 1 << 63]) {
            assert!(
                d.contains(k, !k) && d.insert(k, !k, 0) == Seen::Duplicate,
                "{k:x}"
            );
            assert!(!d.contains(k, k), "{k:x}");
        }
        for &k in other
            .iter()
            .filter(|k| ![0, u64::MAX, 1 << 63].contains(*k))
        {
            assert!(!d.contains(k, !k), "{k:x}");
        }
    }

    /// The keys of one long file are merged once they pass [`MAX_RECENT`]: memory stays
    /// bounded, and what is held does not change.
    #[test]
    fn the_keys_of_a_long_file_are_merged_as_they_grow() {
        let mut d = Dedup::default();
        let n = MAX_RECENT as u64 + 1000;
        let key = |k: u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for k in 0..n {
            assert_eq!(d.insert(key(k), k, k as u32), Seen::New);
        }
        assert_eq!((d.keys.len(), d.recent_keys.len()), (MAX_RECENT, 1000));
        for k in (0..n).step_by(997) {
            assert_eq!(d.insert(key(k), k, 0), Seen::Duplicate);
        }
        assert_eq!(d.insert(key(5), 6, n as u32), Seen::Conflict { earlier: 5 });
        assert_eq!(
            d.insert(key(n - 1), 0, n as u32 + 1),
            Seen::Conflict {
                earlier: n as u32 - 1
            }
        );
    }

    #[test]
    fn a_parts_keys_are_new_unless_seen_before_or_earlier_in_the_part() {
        let mut d = Dedup::default();
        for (e, k) in [40, 10, 30].into_iter().enumerate() {
            d.insert(k, k, e as u32);
        }
        d.seal();
        d.insert(25, 25, 3);
        assert_eq!(
            d.insert_all(&plain(&[50, 30, 5, 25, 50, 35, 5, 45]), 4),
            Some(vec![true, false, true, false, false, true, false, true])
        );
        assert_eq!(d.keys, [5, 10, 25, 30, 35, 40, 45, 50]);
        // The new ones become events 4, 5, 6, 7 in the part's order.
        assert_eq!(d.events, [5, 1, 3, 2, 6, 0, 7, 4]);
        assert!(d.recent.is_empty() && d.insert(45, 45, 8) == Seen::Duplicate);
        assert_eq!(d.insert(20, 20, 8), Seen::New);
        d.seal();
        assert_eq!(d.keys, [5, 10, 20, 25, 30, 35, 40, 45, 50]);
    }

    #[test]
    fn a_part_with_a_key_held_with_another_content_is_refused_whole() {
        let mut d = Dedup::default();
        d.insert(10, 1, 0);
        d.insert(20, 2, 1);
        // Against a held key, or two contents of one key inside the part.
        assert_eq!(d.insert_all(&[[30, 3], [10, 9]], 2), None);
        assert_eq!(d.insert_all(&[[30, 3], [40, 4], [30, 5]], 2), None);
        // Nothing was added; the keys held are all merged.
        assert_eq!(d.keys, [10, 20]);
        assert!(!d.contains(30, 3) && d.contains(10, 1));
        assert_eq!(
            d.insert_all(&[[30, 3], [10, 1]], 2),
            Some(vec![true, false])
        );
        assert_eq!(d.events, [0, 1, 2]);
    }
}
