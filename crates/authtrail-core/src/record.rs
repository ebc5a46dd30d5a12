//! A record as the layers above see it: where it starts ([`Position`]), where an event's original
//! text is ([`Span`]), why it could not be taken ([`RecordError`]) and how a text's records were
//! laid out ([`Shape`]). A leaf: the framer, the decoders, the store and the collectors share these
//! types without importing one another.

use crate::diag::Problem;

/// Where a record starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// Byte offset in the stream.
    pub offset: u64,
}

/// Where an event's original JSON is, in the file's (decompressed) text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: u32,
    /// The 1-based line it starts on.
    pub line: u64,
}

/// Why the sink could not take a framed record.
#[derive(Debug)]
pub enum RecordError {
    /// The value ends before the slice does not: the record continues past this line.
    Incomplete,
    /// The record is broken; the problem is reported at the record's position.
    Invalid(Problem),
}

/// How a text's records were laid out: the framing part of a file's format line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// A top-level JSON array was read.
    pub array: bool,
    /// Records framed on one line (NDJSON style), readable or not.
    pub single_line: u64,
    /// Records framed across lines (pretty-printed), readable or not.
    pub multi_line: u64,
}
