//! The framer alone, with a sink that accepts what parses as JSON: with the default record limit
//! and with a small one, any chunking gives the same records and problems, and every record is the
//! input's bytes at its offset, within the limit, with the right line number, in order.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use authtrail_core::diag::Problem;
use authtrail_core::ingest::framing::{Framer, RecordSink};
use authtrail_core::record::{Position, RecordError};
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

/// Every record is the input's bytes at its offset, in order, within the limit and on the line its
/// offset is on; every problem is inside the input, on the line its offset is on.
fn check(bytes: &[u8], seen: &Seen, max_record: usize) {
    let line_of = line_numbers(bytes);
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
        assert!(record.len() <= max_record, "record over the limit");
        assert_eq!(*line, line_of(at), "line number of the record at {offset}");
    }
    for (offset, line, message) in &seen.problems {
        let at = usize::try_from(*offset).expect("offset");
        assert!(at <= bytes.len(), "problem offset {offset} past the end");
        assert_eq!(*line, line_of(at), "line number of the problem at {offset}");
        assert!(!message.is_empty());
    }
}

/// The 1-based line of each byte offset: lines end at CR, LF or CRLF.
fn line_numbers(bytes: &[u8]) -> impl Fn(usize) -> u64 {
    let ends: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i] == b'\r' || bytes[i] == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))
        .collect();
    move |at| 1 + ends.partition_point(|&e| e < at) as u64
}

fuzz_target!(|input: Input<'_>| {
    for limit in [authtrail_core::ingest::DEFAULT_MAX_RECORD, input.max_record] {
        let whole = frame(input.bytes, &[u16::MAX], limit);
        let chunked = frame(input.bytes, &input.sizes, limit);
        assert_eq!(
            whole, chunked,
            "chunking changed what was framed (limit {limit})"
        );
        check(input.bytes, &whole, limit);
    }
});
