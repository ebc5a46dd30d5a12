//! The set of event keys seen, for de-duplication within and across files.
//!
//! Keys of finished files sit in a sorted vector (8 bytes a key); keys of files being read in a
//! hash set, merged into the vector when a file ends or a part read on another thread is taken
//! over (its keys are merged in then too). Keys are 64-bit xxh3 hashes: two distinct
//! events collide with probability about n²/2⁶⁵ (under one in 10⁵ at 10 million events). Being
//! uniform, they are found in the vector through an index of where each value of their top bits
//! starts (about 16 keys a value): a binary search over the whole vector missed the cache at
//! nearly every step, and made each file of a load of many slower than the one before.

use rustc_hash::FxHashSet;

#[derive(Debug, Default)]
pub(crate) struct Dedup {
    sorted: Vec<u64>,
    /// Where the keys whose top `bits` bits are `b` start in `sorted`, for each `b`, and
    /// `sorted.len()` at the end (empty until the first seal).
    starts: Vec<u32>,
    bits: u32,
    recent: FxHashSet<u64>,
}

impl Dedup {
    /// Adds a key; false when it was already there.
    pub fn insert(&mut self, key: u64) -> bool {
        !self.in_sorted(key) && self.recent.insert(key)
    }

    /// Whether the key was added.
    pub fn contains(&self, key: u64) -> bool {
        self.in_sorted(key) || self.recent.contains(&key)
    }

    fn in_sorted(&self, key: u64) -> bool {
        let Some(b) = key.checked_shr(64 - self.bits).map(|b| b as usize) else {
            return false;
        };
        let (Some(&from), Some(&to)) = (self.starts.get(b), self.starts.get(b + 1)) else {
            return false;
        };
        self.sorted[from as usize..to as usize]
            .binary_search(&key)
            .is_ok()
    }

    /// Builds `starts` for the keys in `sorted`.
    fn index(&mut self) {
        self.bits = (self.sorted.len() / 16).max(2).ilog2().min(20);
        let shift = 64 - self.bits;
        self.starts.clear();
        let mut at = 0;
        for b in 0..1u64 << self.bits {
            while self.sorted.get(at).is_some_and(|&k| k >> shift < b) {
                at += 1;
            }
            self.starts.push(at as u32);
        }
        self.starts.push(self.sorted.len() as u32);
    }

    /// Adds a part's keys (in their order) at once; for each, whether it was new (the first of
    /// equal keys is). The keys read so far are sealed first, then the part's are sorted and
    /// merged in: the hash set never holds both halves' keys (wasm memory after 1 GB read in 2
    /// parts: 96.7 MB with this and the other seal changes of 2026-12-07, 107.5 before them).
    pub fn insert_all(&mut self, keys: &[u64]) -> Vec<bool> {
        self.seal();
        let mut by_key: Vec<(u64, u32)> = (keys.iter().enumerate())
            .map(|(i, &k)| (k, i as u32))
            .collect();
        by_key.sort_unstable();
        let mut fresh = vec![false; keys.len()];
        let mut added = Vec::with_capacity(keys.len());
        let mut j = 0;
        for (k, i) in by_key {
            while self.sorted.get(j).is_some_and(|&s| s < k) {
                j += 1;
            }
            if self.sorted.get(j) != Some(&k) && added.last() != Some(&k) {
                fresh[i as usize] = true;
                added.push(k);
            }
        }
        merge(&mut self.sorted, &added);
        self.index();
        fresh
    }

    pub fn seal(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        let mut added: Vec<u64> = std::mem::take(&mut self.recent).into_iter().collect();
        added.sort_unstable();
        merge(&mut self.sorted, &added);
        self.index();
    }

    pub fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * 8 + self.starts.capacity() * 4 + self.recent.capacity() * 9
    }
}

/// Merges `added` (sorted, none of them in `sorted`) into `sorted`, from the back, in place.
fn merge(sorted: &mut Vec<u64>, added: &[u64]) {
    let mut old = sorted.len();
    sorted.reserve_exact(added.len());
    sorted.resize(old + added.len(), 0);
    for (end, &k) in added.iter().enumerate().rev() {
        while old > 0 && sorted[old - 1] > k {
            sorted[old + end] = sorted[old - 1];
            old -= 1;
        }
        sorted[old + end] = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_across_seals() {
        let mut d = Dedup::default();
        assert!(d.insert(5));
        assert!(!d.insert(5));
        d.seal();
        assert!(!d.insert(5));
        assert!(d.insert(6));
        assert!(!d.insert(6));
        assert!(d.contains(6) && !d.contains(7));
        d.seal();
        assert!(d.contains(5) && d.contains(6) && !d.contains(7));
        assert_eq!(d.sorted, vec![5, 6]);
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
        for &k in kept.iter().chain(&[0, u64::MAX, 1 << 63]) {
            d.insert(k);
        }
        d.seal();
        assert!(d.bits >= 9 && d.starts.len() == (1 << d.bits) + 1);
        for &k in kept.iter().chain(&[0, u64::MAX, 1 << 63]) {
            assert!(d.contains(k) && !d.insert(k), "{k:x}");
        }
        for &k in other
            .iter()
            .filter(|k| ![0, u64::MAX, 1 << 63].contains(*k))
        {
            assert!(!d.contains(k), "{k:x}");
        }
    }

    #[test]
    fn a_parts_keys_are_new_unless_seen_before_or_earlier_in_the_part() {
        let mut d = Dedup::default();
        for k in [40, 10, 30] {
            d.insert(k);
        }
        d.seal();
        d.insert(25);
        assert_eq!(
            d.insert_all(&[50, 30, 5, 25, 50, 35, 5, 45]),
            [true, false, true, false, false, true, false, true]
        );
        assert_eq!(d.sorted, [5, 10, 25, 30, 35, 40, 45, 50]);
        assert!(d.recent.is_empty() && !d.insert(45) && d.insert(20));
        d.seal();
        assert_eq!(d.sorted, [5, 10, 20, 25, 30, 35, 40, 45, 50]);
    }
}
