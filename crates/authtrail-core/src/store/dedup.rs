//! The set of event keys seen, for de-duplication within and across files.
//!
//! Keys of finished files sit in a sorted vector (8 bytes a key); keys of files being read in a
//! hash set, merged into the vector when a file ends. Keys are 64-bit xxh3 hashes: two distinct
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

    /// Makes room for `n` more keys at once.
    pub fn reserve(&mut self, n: usize) {
        self.recent.reserve(n);
    }

    pub fn seal(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        self.sorted.extend(self.recent.drain());
        self.sorted.sort_unstable();
        self.sorted.shrink_to_fit();
        self.recent = FxHashSet::default();
    }

    pub fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * 8 + self.recent.capacity() * 9
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
}
