//! Every fixture (real published samples and constructed exports) against its expected summary, the
//! accounting identity, and independence from how the bytes are chunked.

mod common;

use authtrail_core::generate::{self, generate};
use authtrail_core::ingest::limits::Options;
use authtrail_core::part::Part;
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
        s.diagnostics()[0].message().contains("not JSON"),
        "{:?}",
        s.diagnostics()
    );
    // Trailing comma as published.
    let s = read("at_user-setting-update_new-diff_2FA-update_doc-sample.json");
    assert!(
        s.diagnostics()[0].message().contains("at line 12"),
        "{:?}",
        s.diagnostics()
    );
    // Newline inside a string as published by QRadar's page.
    let s = read("verify_qradar-dsm_management_api-client-created_2019.txt");
    assert!(
        s.diagnostics()[0].message().contains("control character"),
        "{:?}",
        s.diagnostics()
    );
    // The truncated LogDNA stream line: its unescaped quote is reported where it is.
    let s = read("at_logdna-kafka-stream_source-line-wrapper_security-advisor_TRUNCATED.txt");
    assert!(
        s.diagnostics()[0].message().contains("column 759"),
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
/// pushed, each part from one split to the next (or the end) read on its own into a part, carried
/// over as bytes and taken over in turn; a part not taken over is pushed after all. Returns the
/// store and how many parts were taken over.
fn ingest_parts(name: &str, bytes: &[u8], splits: &[usize], options: &Options) -> (Store, usize) {
    let mut store = Store::new();
    let mut ing = Ingest::with_options(&mut store, name, options);
    ing.push(&mut store, &bytes[..splits[0]]);
    let mut taken = 0;
    for (k, &from) in splits.iter().enumerate() {
        let to = splits.get(k + 1).copied().unwrap_or(bytes.len());
        let mut apart = Store::for_part();
        let mut rest = Ingest::with_options(&mut apart, name, options);
        for chunk in bytes[from..to].chunks(977) {
            rest.push(&mut apart, chunk);
        }
        let summary = rest.end_part(&mut apart);
        let part =
            Part::from_bytes(&apart.into_part(summary).to_bytes()).expect("a part reads back");
        if ing.take_part(&mut store, &part) {
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
fn a_part_read_on_its_own_and_taken_over_changes_nothing() {
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
    // The same for the memory cap: taken over when the part's text and 256 bytes an event fit.
    let memory = whole.memory();
    for (max, taken) in [
        (memory + bytes.len() as u64 + 256 * n, true),
        (memory - 1000, false),
    ] {
        let capped = Options {
            max_memory_bytes: Some(max),
            ..Options::default()
        };
        let mut one = Store::new();
        let mut ing = Ingest::with_options(&mut one, "gen.ndjson", &capped);
        ing.push(&mut one, &bytes);
        let f = ing.finish(&mut one);
        assert_eq!(f.over_cap > 0, !taken, "memory cap {max}: {f:?}");
        let (store, ok) = ingest_split("gen.ndjson", &bytes, split, &capped);
        assert_eq!(ok, taken, "memory cap {max}");
        assert_eq!(fingerprint(&store), fingerprint(&one), "memory cap {max}");
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

// ------------------------------------------------------------------------------------------------
// Cut lines: a record cut short (as log shippers cut lines at their limit) costs that record only.

/// Every NDJSON fixture: the constructed ones, the samples, the stories and the hostile corpus,
/// gzip decompressed; with its text.
fn ndjson_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut paths = fixtures();
    for dir in ["stories", "hostile"] {
        for entry in std::fs::read_dir(fixtures_dir().join(dir)).expect("fixtures directory") {
            paths.push(entry.expect("entry").path());
        }
    }
    let mut out: Vec<(String, Vec<u8>)> = paths
        .iter()
        .filter_map(|path| {
            let name = name_of(path);
            let plain = name.strip_suffix(".gz").unwrap_or(&name);
            if !(plain.ends_with(".ndjson") || plain.ends_with(".jsonl")) {
                return None;
            }
            let bytes = std::fs::read(path).expect("read");
            if name.ends_with(".gz") {
                let mut text = Vec::new();
                std::io::Read::read_to_end(
                    &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                    &mut text,
                )
                .ok()?;
                return Some((plain.to_owned(), text));
            }
            Some((name, bytes))
        })
        .collect();
    out.sort();
    out
}

/// The lines of `text` as (start, length without the line end); LF, CRLF and CR end lines.
fn lines(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        if matches!(text[i], b'\n' | b'\r') {
            out.push((start, i - start));
            if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start < text.len() {
        out.push((start, text.len() - start));
    }
    out
}

/// Where to cut a line of `content`: after each byte that starts or ends a token (a cut inside
/// a string, between keys, after an escape...), and a spread of the others, at most `max` in all,
/// always the same ones.
fn cut_points(content: &[u8], max: usize) -> Vec<usize> {
    let mut points: Vec<usize> = (1..content.len())
        .filter(|&b| {
            matches!(
                content[b - 1],
                b'"' | b':' | b',' | b'{' | b'[' | b'\\' | b'}'
            )
        })
        .collect();
    let step = (content.len() / max).max(1);
    points.extend((1..content.len()).step_by(step));
    points.sort_unstable();
    points.dedup();
    if points.len() > max {
        let step = points.len().div_ceil(max);
        points = points.into_iter().step_by(step).collect();
    }
    points
}

/// `text` with line `line` cut to `at` bytes, and the same with the bytes of the record span
/// `record` (in the cut text) blanked: the file as if that record were not there, byte for byte
/// at the same offsets and lines.
fn cut_and_blank(
    text: &[u8],
    line: (usize, usize),
    at: usize,
    record: (usize, usize),
) -> (Vec<u8>, Vec<u8>) {
    let mut cut = text[..line.0 + at].to_vec();
    cut.extend_from_slice(&text[line.0 + line.1..]);
    let removed = line.1 - at;
    let (from, to) = (record.0, record.1 - removed);
    let mut blank = cut.clone();
    for c in &mut blank[from..to] {
        if !matches!(*c, b'\n' | b'\r') {
            *c = b' ';
        }
    }
    (cut, blank)
}

/// The events (where and what) and the diagnostics a store holds.
fn events_and_diagnostics(store: &Store) -> (Vec<String>, Vec<(u64, u64, String)>) {
    let events = (0..store.len())
        .map(|i| {
            format!(
                "{:?} {}",
                store.locate(i),
                serde_json::to_string(&store.event(i)).expect("json")
            )
        })
        .collect();
    let diagnostics = store
        .diagnostics()
        .iter()
        .map(|d| (d.line, d.offset, d.message()))
        .collect();
    (events, diagnostics)
}

/// Reads the file cut at line `line` at byte `at`, within the record spanning `record` (which
/// starts on line `record_line`), and checks it reads as the file without that record plus one
/// diagnostic at the record's line. Returns a description of what differs.
fn check_cut(
    name: &str,
    text: &[u8],
    line: (usize, usize),
    at: usize,
    record: (usize, usize),
    record_line: u64,
) -> Option<String> {
    let (cut, blank) = cut_and_blank(text, line, at, record);
    let (mut cut_store, mut blank_store) = (Store::new(), Store::new());
    let fc = ingest_into(&mut cut_store, name, &cut, &[cut.len().max(1)]);
    let fb = ingest_into(&mut blank_store, name, &blank, &[blank.len().max(1)]);
    let (events, mut diagnostics) = events_and_diagnostics(&cut_store);
    let (want_events, want_diagnostics) = events_and_diagnostics(&blank_store);
    let at_record: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.0 == record_line)
        .cloned()
        .collect();
    diagnostics.retain(|d| d.0 != record_line);
    let what = format!("{name}: line at byte {} cut to {at} bytes", line.0);
    if at_record.len() != 1 || !want_diagnostics.iter().all(|d| d.0 != record_line) {
        return Some(format!(
            "{what}: diagnostics at line {record_line}: {at_record:?}"
        ));
    }
    if events != want_events {
        return Some(format!("{what}: the other events differ"));
    }
    if diagnostics != want_diagnostics {
        return Some(format!(
            "{what}: other diagnostics {diagnostics:?}, want {want_diagnostics:?}"
        ));
    }
    let counts = |f: &authtrail_core::FileSummary| (f.records, f.events, f.duplicates, f.errors);
    if counts(&fc) != (fb.records + 1, fb.events, fb.duplicates, fb.errors + 1) {
        return Some(format!(
            "{what}: accounting {fc:?}, without the record {fb:?}"
        ));
    }
    None
}

/// The spans of `text`'s records that were read as events and nothing else, (start, end, line),
/// but those right after a broken line: where that one's reading resumes depends on the line
/// after it.
fn event_records(
    name: &str,
    text: &[u8],
    spans: &[(usize, usize, u64)],
) -> Vec<(usize, usize, u64)> {
    let store = ingest(name, text, &[text.len().max(1)]);
    let broken = |line: u64| store.diagnostics().iter().any(|d| d.line == line);
    spans
        .iter()
        .filter(|&&(start, end, line)| {
            let inside = |o: u64| (start as u64..end as u64).contains(&o);
            (0..store.len()).any(|i| inside(store.locate(i).offset))
                && !store.diagnostics().iter().any(|d| inside(d.offset))
                && !broken(line)
                && !broken(line - 1)
        })
        .copied()
        .collect()
}

/// Cut points per line: enough to cut inside strings, between keys and after escapes on every
/// line of every fixture, few enough for a debug build.
const CUTS_PER_LINE: usize = 8;

/// Regression: a line cut inside a string swallowed the rest of the file. For every NDJSON
/// fixture, cutting any line holding events at any byte loses that line's events only: one
/// diagnostic at that line, every other event and diagnostic as they are without it, the
/// accounting exact.
#[test]
fn a_cut_line_costs_its_own_events_only() {
    let mut failures = Vec::new();
    let mut cuts = 0;
    for (name, text) in ndjson_fixtures() {
        let all = lines(&text);
        let spans: Vec<_> = all
            .iter()
            .enumerate()
            .map(|(k, &(start, len))| (start, start + len, k as u64 + 1))
            .collect();
        let records = event_records(&name, &text, &spans);
        if records.len() < 2 {
            continue;
        }
        for &(start, end, line) in &records {
            let l = (start, end - start);
            let content = &text[start..end];
            let trimmed = content.len()
                - content
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_whitespace())
                    .count();
            for at in cut_points(&content[..trimmed], CUTS_PER_LINE) {
                cuts += 1;
                failures.extend(check_cut(&name, &text, l, at, (start, end), line));
            }
        }
    }
    assert!(cuts > 1000, "{cuts} cuts");
    assert!(
        failures.is_empty(),
        "{} of {cuts} cuts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Four records of the NDJSON export (two account MFA changes, a user setting change in each
/// form: nested objects and arrays) as a pretty-printer writes them (`jq .`, two-space
/// indentation), one after the other, or as the elements of one array; with each record's span
/// and first line.
fn pretty(array: bool) -> (Vec<u8>, Vec<(usize, usize, u64)>) {
    let ndjson =
        std::fs::read(fixtures_dir().join("at_logdna-export_mfa-story.ndjson")).expect("read");
    let mut text = String::from(if array { "[\n" } else { "" });
    let mut spans = Vec::new();
    let lines: Vec<&[u8]> = ndjson.split(|&c| c == b'\n').collect();
    let records: Vec<serde_json::Value> = [3, 4, 5, 10]
        .iter()
        .map(|&k| serde_json::from_slice(lines[k]).expect("a JSON line"))
        .collect();
    for (k, v) in records.iter().enumerate() {
        let mut record = serde_json::to_string_pretty(v).expect("json");
        if array {
            record = record
                .lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        let line = text.bytes().filter(|&c| c == b'\n').count() as u64 + 1;
        let start = text.len() + record.len() - record.trim_start().len();
        text.push_str(&record);
        spans.push((start, text.len(), line));
        text.push_str(if array && k + 1 < records.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    if array {
        text.push_str("]\n");
    }
    (text.into_bytes(), spans)
}

/// A cut in a pretty-printed file costs the record it is in, not the file: as for NDJSON, for
/// every line of every record (but one that opens an array element: without its opening bracket
/// nothing tells the record's lines from text), unless the cut record is still valid JSON (a
/// number shortened at its end, a comma between array elements taken).
#[test]
fn a_cut_line_in_a_pretty_printed_file_costs_its_record_only() {
    let mut failures = Vec::new();
    let mut cuts = 0;
    for array in [false, true] {
        let (text, spans) = pretty(array);
        let name = if array {
            "pretty-array.json"
        } else {
            "pretty.json"
        };
        let records = event_records(name, &text, &spans);
        assert_eq!(records.len(), spans.len(), "{name}: every record an event");
        let all = lines(&text);
        for &(start, end, first_line) in &records {
            for &(l_start, l_len) in all.iter().filter(|l| l.0 + l.1 > start && l.0 < end) {
                let content = &text[l_start..l_start + l_len];
                for at in cut_points(content, CUTS_PER_LINE) {
                    if l_start + at <= start {
                        continue;
                    }
                    let mut cut_record = text[start..l_start + at].to_vec();
                    cut_record.extend_from_slice(&text[(l_start + l_len).min(end)..end]);
                    if serde_json::from_slice::<serde_json::Value>(&cut_record).is_ok() {
                        continue;
                    }
                    cuts += 1;
                    let span = (start.min(l_start), end.max(l_start + l_len));
                    failures.extend(check_cut(
                        name,
                        &text,
                        (l_start, l_len),
                        at,
                        span,
                        first_line,
                    ));
                }
            }
        }
    }
    assert!(cuts > 1000, "{cuts} cuts");
    assert!(
        failures.is_empty(),
        "{} of {cuts} cuts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
