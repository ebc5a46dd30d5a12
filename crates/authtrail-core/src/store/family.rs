//! Records out of place: an Activity Tracker record inside a Security Verify export, or the
//! reverse, is not trusted silently.
//!
//! While a file is read, its kept events are counted by family, and the first few of each
//! noted. When the file is done, if a few of its Activity Tracker and Verify events (at
//! most [`FEW`], and at most one in ten) are of one family and the rest of the other, those few
//! are out of place: they stay (they may be real), each gets a diagnostic with its line, and
//! every finding that uses one says so ([`Store::out_of_place_at`]). More than a few are taken
//! for a file that mixes both in earnest: a SIEM re-export, or `authtrail extract`'s MFA subset,
//! where account changes are rare beside the sign-ins.

use super::Store;
use crate::collect::Collector;
use crate::diag::{Diagnostic, Problem};
use crate::model::Family;

/// At most this many events of one family in a file of the other are out of place.
pub(crate) const FEW: usize = 5;

/// ...and at most one in this many of the file's events.
const ONE_IN: u64 = 10;

/// A file's kept events by family, as it is read: Activity Tracker, then Verify.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Tally {
    pub counts: [u64; 2],
    /// The first [`FEW`] events of each family, in order.
    pub events: [Vec<u32>; 2],
}

fn slot(family: Family) -> Option<usize> {
    match family {
        Family::ActivityTracker => Some(0),
        Family::Verify => Some(1),
        Family::Unknown => None,
    }
}

impl Tally {
    /// Counts event `event` of `family`.
    pub fn add(&mut self, family: Family, event: u32) {
        let Some(k) = slot(family) else { return };
        self.counts[k] += 1;
        if self.events[k].len() < FEW {
            self.events[k].push(event);
        }
    }
}

impl Store {
    /// Counts event `event` of file `file`, of `family`, for the file's tally.
    pub(crate) fn tally(&mut self, file: u16, family: Family, event: u32) {
        self.tally_of(file).add(family, event);
    }

    /// File `file`'s tally (the files being read at once are few: a list).
    fn tally_of(&mut self, file: u16) -> &mut Tally {
        let k = match self.tallies.iter().position(|(f, _)| *f == file) {
            Some(k) => k,
            None => {
                self.tallies.push((file, Tally::default()));
                self.tallies.len() - 1
            }
        };
        &mut self.tallies[k].1
    }

    /// File `file`'s tally, taken out.
    fn remove_tally(&mut self, file: u16) -> Option<Tally> {
        let k = self.tallies.iter().position(|(f, _)| *f == file)?;
        Some(self.tallies.swap_remove(k).1)
    }

    /// Once file `file` is read: marks its events of a family that is out of place in it, with a
    /// diagnostic for each.
    pub(super) fn place_families(&mut self, file: u16) {
        let Some(tally) = self.remove_tally(file) else {
            return;
        };
        let [at, verify] = tally.counts;
        let (minor, count, others) = if at <= verify {
            (0, at, verify)
        } else {
            (1, verify, at)
        };
        if count == 0 || count > FEW as u64 || count * ONE_IN > count + others {
            return;
        }
        let (family, other) = [
            (Family::ActivityTracker, Family::Verify),
            (Family::Verify, Family::ActivityTracker),
        ][minor];
        // Few enough that each one was noted.
        let marked = tally.events[minor].clone();
        for &i in &marked {
            self.diagnostic(Diagnostic {
                file: u32::from(file),
                line: self.line(i as usize),
                offset: self.locate(i as usize).offset,
                problem: Problem::OutOfPlace {
                    family,
                    others,
                    usual: other,
                },
            });
        }
        for m in marked {
            let at = self.out_of_place.partition_point(|&e| e < m);
            self.out_of_place.insert(at, m);
        }
    }

    /// Event `i`'s line when it is out of place.
    pub(crate) fn out_of_place_at(&self, i: u32) -> Option<u64> {
        (self.out_of_place.binary_search(&i).ok()).map(|_| self.line(i as usize))
    }
}
