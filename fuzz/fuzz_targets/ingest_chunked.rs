//! Any bytes, pushed through `Ingest` in chunks chosen by the fuzzer, give the same store as the
//! same bytes pushed in one piece; the accounting identity holds; the queries the page asks of a
//! store (history, histogram, facets, rows, summary) answer without panicking.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use authtrail_core::{Facet, Filter, Store};
use libfuzzer_sys::fuzz_target;

#[derive(Debug)]
struct Input<'a> {
    sizes: Vec<u16>,
    bytes: &'a [u8],
}

impl<'a> Arbitrary<'a> for Input<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let n = u.int_in_range(1..=16)?;
        let sizes = (0..n)
            .map(|_| u.int_in_range(1..=4096))
            .collect::<Result<_, _>>()?;
        Ok(Input {
            sizes,
            bytes: u.bytes(u.len())?,
        })
    }
}

// The integration tests' chunked reading (with the accounting identity) and store fingerprint.
#[path = "../../crates/authtrail-core/tests/common/mod.rs"]
mod common;

fn read(bytes: &[u8], sizes: &[u16]) -> Store {
    let mut store = Store::new();
    let sizes: Vec<usize> = sizes.iter().map(|&n| usize::from(n)).collect();
    let f = common::ingest_into(&mut store, "fuzz.json", bytes, &sizes);
    assert!(f.records >= 1, "every file yields an event or a diagnostic");
    assert_eq!(f.events, store.len() as u64);
    store
}

fuzz_target!(|input: Input<'_>| {
    let whole = read(input.bytes, &[u16::MAX]);
    let chunked = read(input.bytes, &input.sizes);
    assert_eq!(
        common::fingerprint(&whole),
        common::fingerprint(&chunked),
        "chunking changed the store"
    );
    let text_len = input.bytes.len() as u64;
    for d in whole.diagnostics() {
        assert!(!d.message().is_empty(), "{d:?}");
        if !input.bytes.starts_with(&[0x1f, 0x8b]) {
            assert!(
                d.offset <= text_len,
                "diagnostic past the end of the text: {d:?}"
            );
        }
    }

    // The questions the page asks.
    let all = Filter::default();
    let ids = whole.select(&all);
    assert_eq!(ids.len(), whole.len());
    whole.rows(&ids[..ids.len().min(100)]);
    if let Some((from, to)) = whole.time_bounds() {
        whole.histogram(from, to.saturating_add(1), 50, &all);
    }
    for facet in Facet::ALL {
        whole.facet_counts(facet, &all, 10);
    }
    let text = Filter {
        text: Some("a".into()),
        ..Filter::default()
    };
    assert!(whole.select(&text).len() <= whole.len());
});
