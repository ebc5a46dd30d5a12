//! Helpers shared by the integration tests: reading bytes in chunks of any sizes with the
//! accounting identity checked, and what a store shows a reader.

#![allow(dead_code)] // each test file uses what it needs of this module

use authtrail_core::summary::summary_json;
use authtrail_core::{FileSummary, Ingest, Store};

/// Reads `bytes` as one file named `name` into `store`, pushing chunks of the given sizes in turn
/// (cycled), and checks the accounting identity.
pub fn ingest_into(store: &mut Store, name: &str, bytes: &[u8], sizes: &[usize]) -> FileSummary {
    let mut ing = Ingest::new(store, name);
    let mut rest = bytes;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = n.clamp(1, rest.len());
        ing.push(store, &rest[..n]);
        rest = &rest[n..];
    }
    let f = ing.finish(store);
    assert_eq!(
        f.records,
        f.events + f.duplicates + f.errors,
        "{name}: accounting identity (records == events + duplicates + errors)"
    );
    f
}

/// Everything a store holds that a reader could see: the summary and every event, in order.
pub fn fingerprint(store: &Store) -> String {
    let events: Vec<_> = (0..store.len())
        .map(|i| {
            (
                store.locate(i),
                store.line(i),
                serde_json::to_string(&store.event(i)).expect("json"),
            )
        })
        .collect();
    format!("{}\n{events:?}", summary_json(store))
}
