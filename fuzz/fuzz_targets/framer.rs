//! The framer alone, with a sink that accepts what parses as JSON: with the default record limit,
//! any chunking gives the same records and problems; with any limit, every record is the input's
//! bytes at its offset, within the limit, with the right line number, in order.
//!
//! (With a small limit, a non-JSON line longer than the limit is reported differently depending on
//! where the chunks end: tests/fixtures/hostile/fuzz_framer_text-line-over-limit.txt.)
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use authtrail_core::diag::Problem;
use authtrail_core::ingest::framing::{Framer, Position, RecordError, RecordSink};
use libfuzzer_sys::fuzz_target;

#[derive(Debug)]
struct Input<'a> {
    max_record: usize,
    sizes: Vec<u16>,
    bytes: &'a [u8],
}

impl<'a> Arbitrary<'a> for Input<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let max_record = u.int_in_range(16..=1 << 16)?;
        let n = u.int_in_range(1..=8)?;
        let sizes = (0..n)
            .map(|_| u.int_in_range(1..=1024))
            .collect::<Result<_, _>>()?;
        Ok(Input {
            max_record,
            sizes,
            bytes: u.bytes(u.len())?,
        })
    }
}

#[derive(Debug, Default, PartialEq)]
struct Seen {
    /// (offset, line, bytes) of each accepted record.
    records: Vec<(u64, u64, Vec<u8>)>,
    /// (offset, line, message) of each problem.
    problems: Vec<(u64, u64, String)>,
    text_lines: u64,
}

impl RecordSink for Seen {
    fn record(&mut self, bytes: &[u8], at: Position) -> Result<(), RecordError> {
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(_) => {
                self.records.push((at.offset, at.line, bytes.to_vec()));
                Ok(())
            }
            Err(e) if e.is_eof() => Err(RecordError::Incomplete),
            Err(e) => Err(RecordError::Invalid(Problem::InvalidJson {
                reason: e.to_string(),
                line: at.line,
                column: 0,
            })),
        }
    }
    fn problem(&mut self, problem: Problem, at: Position) {
        self.problems
            .push((at.offset, at.line, problem.to_string()));
    }
    fn text_line(&mut self, _line: &[u8], _at: Position) -> bool {
        self.text_lines += 1;
        false
    }
}

fn frame(bytes: &[u8], sizes: &[u16], max_record: usize) -> Seen {
    let mut framer = Framer::new(max_record);
    let mut seen = Seen::default();
    let mut rest = bytes;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = usize::from(n).min(rest.len());
        framer.push(&rest[..n], &mut seen);
        rest = &rest[n..];
    }
    framer.finish(&mut seen);
    assert_eq!(framer.buffered(), 0, "bytes held after finish");
    seen
}

/// Every record is the input's bytes at its offset, in order, and (when `strict`) within the limit
/// and on the line its offset is on; every problem is inside the input.
fn check(bytes: &[u8], seen: &Seen, max_record: usize, strict: bool) {
    let mut last = 0;
    for (offset, line, record) in &seen.records {
        let at = usize::try_from(*offset).expect("offset");
        assert_eq!(
            &bytes[at..at + record.len()],
            &record[..],
            "record is not the input at its offset"
        );
        assert!(*offset >= last, "records out of order");
        last = *offset;
        if strict {
            assert!(record.len() <= max_record, "record over the limit");
            // Lines end at LF here, as the framer counts them today (CR-only files: see
            // tests/fixtures/hostile/cr-only-line-ends.ndjson).
            let newlines = bytes[..at].iter().filter(|&&c| c == b'\n').count() as u64;
            assert_eq!(*line, newlines + 1, "line number of the record at {offset}");
        }
    }
    for (offset, _, message) in &seen.problems {
        assert!(
            *offset <= bytes.len() as u64,
            "problem offset {offset} past the end"
        );
        assert!(!message.is_empty());
    }
}

fuzz_target!(|input: Input<'_>| {
    let limit = authtrail_core::ingest::DEFAULT_MAX_RECORD;
    let whole = frame(input.bytes, &[u16::MAX], limit);
    let chunked = frame(input.bytes, &input.sizes, limit);
    assert_eq!(whole, chunked, "chunking changed what was framed");
    check(input.bytes, &whole, limit, true);
    // With a small limit, neither the limit on pretty-printed records that close within one push
    // nor line numbers after a skipped one are checked (reported bugs, with regression fixtures:
    // tests/fixtures/hostile/fuzz_framer_pretty-record-over-limit.json and
    // fuzz_framer_line-numbers-after-oversized-record.json).
    let limited = frame(input.bytes, &input.sizes, input.max_record);
    check(input.bytes, &limited, input.max_record, false);
});
