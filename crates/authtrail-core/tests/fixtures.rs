//! Every fixture (real published samples and constructed exports) against its expected summary, the
//! accounting identity, and independence from how the bytes are chunked.

mod common;

use authtrail_core::generate::{self, generate};
use authtrail_core::ingest::limits::Options;
use authtrail_core::store::part::Part;
use authtrail_core::summary::summary_json;
use authtrail_core::{Ingest, Store};
use common::{fingerprint, ingest_into};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Every input fixture: the samples (not their provenance notes) and the constructed files.
fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [fixtures_dir(), fixtures_dir().join("samples")] {
        for entry in std::fs::read_dir(dir).expect("fixtures directory") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_file() && !name.ends_with(".source.txt") && name != "README.md" {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(
        out.len() >= 40,
        "expected the samples and constructed fixtures, found {}",
        out.len()
    );
    out
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("utf-8 name")
        .to_owned()
}

/// Reads `bytes` into a fresh store, pushing chunks of the given sizes in turn (cycled).
fn ingest(name: &str, bytes: &[u8], sizes: &[usize]) -> Store {
    let mut store = Store::new();
    let f = ingest_into(&mut store, name, bytes, sizes);
    assert!(
        f.records >= 1,
        "{name}: every file yields at least one event or diagnostic"
    );
    store
}

#[test]
fn every_fixture_matches_its_expected_summary() {
    let bless = std::env::var_os("AUTHTRAIL_BLESS").is_some();
    let mut mismatches = Vec::new();
    for path in fixtures() {
        let name = name_of(&path);
        let store = ingest(
            &name,
            &std::fs::read(&path).expect("read fixture"),
            &[1 << 20],
        );
        let got = serde_json::to_string_pretty(&summary_json(&store)).expect("json") + "\n";
        let expected_path = fixtures_dir().join("expected").join(format!("{name}.json"));
        if bless {
            std::fs::write(&expected_path, &got).expect("write expected");
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(want) if want == got => {}
            Ok(_) => mismatches.push(format!(
                "{name}: summary differs from {}",
                expected_path.display()
            )),
            Err(_) => mismatches.push(format!(
                "{name}: no expected summary at {}",
                expected_path.display()
            )),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n(re-bless with AUTHTRAIL_BLESS=1 after reviewing)",
        mismatches.join("\n")
    );
}

#[test]
fn all_fixtures_together_add_up_and_deduplicate_across_files() {
    let mut store = Store::new();
    let mut files = 0u64;
    for path in fixtures().iter().chain(fixtures().iter()) {
        let mut ing = Ingest::new(&mut store, &name_of(path));
        ing.push(&mut store, &std::fs::read(path).expect("read"));
        ing.finish(&mut store);
        files += 1;
    }
    let f = store.files();
    assert_eq!(f.len() as u64, files);
    let events: u64 = f.iter().map(|f| f.events).sum();
    assert_eq!(events, store.len() as u64);
    // The second pass over the same files adds nothing new: all its events are duplicates.
    let half = f.len() / 2;
    assert!(
        f[half..].iter().all(|f| f.events == 0),
        "second reading of a file added events"
    );
    let first: u64 = f[..half].iter().map(|f| f.events).sum();
    let dup_second: u64 = f[half..].iter().map(|f| f.duplicates).sum();
    let dup_first: u64 = f[..half].iter().map(|f| f.duplicates).sum();
    assert_eq!(dup_second, first + dup_first);
}

#[test]
fn published_samples_get_the_result_they_deserve() {
    let read = |name: &str| {
        let path = fixtures_dir().join("samples").join(name);
        ingest(name, &std::fs::read(path).expect("sample"), &[4096])
    };
    // Valid JSON as published: one event each, of the right family.
    for name in [
        "at_full-event_cos-object-create_2020.json",
        "at_full-event_iam-groups-group-read_2020.json",
        "at_full-event_power-iaas_new-flat-format_2022.json",
        "at_full-event_power-iaas_old-payload-wrapper-format_2019.json",
        "verify_webhook-body_authentication_user-password_2022.json",
        "verify_qradar-dsm_management_api-client-created_2024.json",
    ] {
        let s = read(name);
        assert_eq!((s.len(), s.diagnostics_total()), (1, 0), "{name}");
    }
    // Doc fragments (key/value lines without braces) are one "not JSON" diagnostic each.
    let s = read("at_billing-account-traits-update_mfa-TOTP4ALL_doc-fragment.txt");
    assert_eq!(s.len(), 0);
    assert!(
        s.diagnostics()[0].message.contains("not JSON"),
        "{:?}",
        s.diagnostics()
    );
    // Trailing comma as published.
    let s = read("at_user-setting-update_new-diff_2FA-update_doc-sample.json");
    assert!(
        s.diagnostics()[0].message.contains("at line 12"),
        "{:?}",
        s.diagnostics()
    );
    // Newline inside a string as published by QRadar's page.
    let s = read("verify_qradar-dsm_management_api-client-created_2019.txt");
    assert!(
        s.diagnostics()[0].message.contains("control character"),
        "{:?}",
        s.diagnostics()
    );
    // The truncated LogDNA stream line: its unescaped quote is reported where it is.
    let s = read("at_logdna-kafka-stream_source-line-wrapper_security-advisor_TRUNCATED.txt");
    assert!(
        s.diagnostics()[0].message.contains("column 759"),
        "{:?}",
        s.diagnostics()
    );
    // UI text lines become events; the two identical member.add lines are two events.
    let s = read("at_ui-text-lines_global-actions_2019.txt");
    assert_eq!((s.len(), s.duplicates()), (4, 0));
    // UI line + event + pasted damage: the event is kept, the damage reported at its line.
    let s = read("at_ui-text-plus-event_bss-user-management-user-delete_2019.txt");
    assert_eq!(s.len(), 1);
    assert_eq!(
        s.diagnostics().iter().map(|d| d.line).collect::<Vec<_>>(),
        vec![1, 44]
    );
}

/// Reads `bytes` as the page reads a large file on several threads: the text before `splits[0]`
/// pushed, each part from one split to the next (or the end) read apart into a stretch, carried
/// over as bytes and taken over in turn; a part not taken over is pushed after all. Returns the
/// store and how many parts were taken over.
fn ingest_parts(name: &str, bytes: &[u8], splits: &[usize], options: &Options) -> (Store, usize) {
    let mut store = Store::new();
    let mut ing = Ingest::with_options(&mut store, name, options);
    ing.push(&mut store, &bytes[..splits[0]]);
    let mut taken = 0;
    for (k, &from) in splits.iter().enumerate() {
        let to = splits.get(k + 1).copied().unwrap_or(bytes.len());
        let mut apart = Store::for_stretch();
        let mut rest = Ingest::with_options(&mut apart, name, options);
        for chunk in bytes[from..to].chunks(977) {
            rest.push(&mut apart, chunk);
        }
        let stretch = rest.end_stretch(&mut apart);
        let part =
            Part::from_bytes(&apart.into_part(stretch).to_bytes()).expect("a part reads back");
        if ing.absorb(&mut store, &part) {
            taken += 1;
        } else {
            ing.push(&mut store, &bytes[from..to]);
        }
    }
    let f = ing.finish(&mut store);
    assert_eq!(
        f.records,
        f.events + f.duplicates + f.errors + f.outside_subset + f.over_cap,
        "{name} split at {splits:?}: accounting identity"
    );
    (store, taken)
}

/// [`ingest_parts`] in two parts: whether the second was taken over.
fn ingest_split(name: &str, bytes: &[u8], split: usize, options: &Options) -> (Store, bool) {
    let (store, taken) = ingest_parts(name, bytes, &[split], options);
    (store, taken == 1)
}

/// Where lines start, but the first.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    (1..bytes.len())
        .filter(|&i| bytes[i - 1] == b'\n')
        .collect()
}

/// Reading the rest of a file apart and taking it over gives the store reading it whole gives,
/// wherever the file is split; and the plain NDJSON fixtures are taken over, not read again.
#[test]
fn a_stretch_read_apart_and_taken_over_changes_nothing() {
    let (mut taken, mut refused) = (Vec::new(), Vec::new());
    for path in fixtures() {
        let name = name_of(&path);
        let bytes = std::fs::read(&path).expect("read");
        let whole = fingerprint(&ingest(&name, &bytes, &[bytes.len().max(1)]));
        let starts = line_starts(&bytes);
        let mut splits: Vec<usize> = (1..4)
            .filter_map(|k| starts.get(k * starts.len() / 4))
            .copied()
            .collect();
        // Inside a line: never taken over.
        splits.push(bytes.len() / 2 + usize::from(bytes.get(bytes.len() / 2) == Some(&b'\n')));
        // All at once, in order: parts taken over in turn, or pushed between them.
        let mut all = splits.clone();
        all.sort_unstable();
        all.dedup();
        let (store, _) = ingest_parts(&name, &bytes, &all, &Options::default());
        assert_eq!(fingerprint(&store), whole, "{name} in parts from {all:?}");
        for split in splits {
            let (store, ok) = ingest_split(&name, &bytes, split, &Options::default());
            assert_eq!(fingerprint(&store), whole, "{name} split at byte {split}");
            if ok {
                taken.push(name.clone());
            } else {
                refused.push(name.clone());
            }
        }
    }
    for ndjson in [
        "at_logdna-export_mfa-story.ndjson",
        "at_jsonl_iam-groups-read-and-member-add_2019.jsonl",
    ] {
        assert!(
            taken.iter().any(|n| n == ndjson),
            "{ndjson} taken over: {taken:?}"
        );
    }
    for not_lines in [
        "verify_events-api_two-pages.json",
        "at_archive_2019-2020.ndjson.gz",
        "at_ui-text-lines_global-actions_2019.txt",
    ] {
        assert!(
            !taken.iter().any(|n| n == not_lines),
            "{not_lines} never taken over"
        );
    }
}

/// A generated export with events of the first half repeated in the second, split in the
/// middle: taken over, the repeats counted as duplicates, and the store as read whole.
#[test]
fn duplicates_across_the_split_count_once() {
    let mut bytes = Vec::new();
    let options = generate::Options {
        bytes: 400_000,
        ..generate::Options::default()
    };
    generate(&options, &mut bytes).expect("generate");
    let starts = line_starts(&bytes);
    let repeated = bytes[..starts[40]].to_vec();
    bytes.extend_from_slice(&repeated);
    let split = starts[starts.len() / 2];
    let whole = ingest("gen.ndjson", &bytes, &[bytes.len()]);
    let (store, ok) = ingest_split("gen.ndjson", &bytes, split, &Options::default());
    assert!(ok, "a plain NDJSON export is taken over");
    assert_eq!(store.duplicates(), whole.duplicates());
    assert!(
        store.duplicates() >= 40,
        "the repeated lines are duplicates: {}",
        store.duplicates()
    );
    assert_eq!(fingerprint(&store), fingerprint(&whole));
    // In four parts, each taken over in turn.
    let quarters: Vec<usize> = (1..4).map(|k| starts[k * starts.len() / 4]).collect();
    let (store, taken) = ingest_parts("gen.ndjson", &bytes, &quarters, &Options::default());
    assert_eq!(taken, 3, "three later parts taken over");
    assert_eq!(fingerprint(&store), fingerprint(&whole));

    // An events cap the whole file stays under changes nothing; one it reaches is met by
    // reading the rest after all, which leaves out what reading it whole leaves out.
    let n = whole.len() as u64;
    for (max, taken) in [(2 * n, true), (n - 10, false)] {
        let capped = Options {
            max_events: Some(max),
            ..Options::default()
        };
        let mut one = Store::new();
        let mut ing = Ingest::with_options(&mut one, "gen.ndjson", &capped);
        ing.push(&mut one, &bytes);
        ing.finish(&mut one);
        let (store, ok) = ingest_split("gen.ndjson", &bytes, split, &capped);
        assert_eq!(ok, taken, "cap {max}");
        assert_eq!(fingerprint(&store), fingerprint(&one), "cap {max}");
    }
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1usize..8, 8usize..300, 300usize..5000], 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any chunking of any fixture gives the same store as reading it in one piece.
    #[test]
    fn chunking_never_changes_the_store(sizes in chunk_sizes()) {
        for path in fixtures() {
            let name = name_of(&path);
            let bytes = std::fs::read(&path).expect("read");
            let whole = fingerprint(&ingest(&name, &bytes, &[bytes.len().max(1)]));
            let chunked = fingerprint(&ingest(&name, &bytes, &sizes));
            prop_assert_eq!(whole, chunked, "fixture {} with chunk sizes {:?}", name, sizes);
        }
    }
}
