//! The set of event keys seen, for de-duplication within and across files.
//!
//! Keys of finished files sit in a sorted vector (8 bytes a key); keys of files being read in a
//! hash set, merged into the vector when a file ends or a part read on another thread is taken
//! over (its keys are merged in then too). Keys are 64-bit xxh3 hashes: two distinct
//! events collide with probability about n²/2⁶⁵ (under one in 10⁵ at 10 million events).

use rustc_hash::FxHashSet;

#[derive(Debug, Default)]
pub(crate) struct Dedup {
    sorted: Vec<u64>,
    recent: FxHashSet<u64>,
}

impl Dedup {
    /// Adds a key; false when it was already there.
    pub fn insert(&mut self, key: u64) -> bool {
        if self.sorted.binary_search(&key).is_ok() {
            return false;
        }
        self.recent.insert(key)
    }

    /// Whether the key was added.
    pub fn contains(&self, key: u64) -> bool {
        self.sorted.binary_search(&key).is_ok() || self.recent.contains(&key)
    }

    /// Adds a part's keys (in their order) at once; for each, whether it was new (the first of
    /// equal keys is). The keys read so far are sealed first, then the part's are sorted and
    /// merged in: at 1 M events in wasm this is faster than adding them one by one to the hash
    /// set and sorting them all at the seal.
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
        fresh
    }

    pub fn seal(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        let mut added: Vec<u64> = std::mem::take(&mut self.recent).into_iter().collect();
        added.sort_unstable();
        merge(&mut self.sorted, &added);
    }

    pub fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * 8 + self.recent.capacity() * 9
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
