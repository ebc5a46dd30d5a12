//! Diagnostics: what became of a record that could not be read, told so a person can find it.

use crate::model::{Family, TimeFallback};
use crate::text::sample_text;
use crate::time::format_iso;
use serde::{Serialize, Serializer};
use thiserror::Error;

/// Why a record or file could not be read. The `Display` text is the message a person sees.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Problem {
    #[error("invalid JSON ({reason}) at line {line}, column {column}")]
    InvalidJson {
        reason: String,
        line: u64,
        column: u64,
    },
    #[error("{lines} line(s) of text that are not JSON records, starting \"{sample}\"")]
    NotJson { lines: u64, sample: String },
    #[error("the file ends inside a JSON record that started at line {start_line} (truncated or unbalanced)")]
    Truncated { start_line: u64 },
    #[error("a JSON record that started at line {start_line} never closes; reading resumed at line {resumed_line}")]
    Unclosed { start_line: u64, resumed_line: u64 },
    #[error("the JSON record at line {line} is cut inside a string (a line end where the string should go on); reading resumed at line {resumed_line}")]
    CutInString { line: u64, resumed_line: u64 },
    #[error("the pretty-printed JSON record that started at line {start_line} closes too early, at line {line} (a line of it was cut); skipped to where its indentation ends")]
    ClosesEarly { start_line: u64, line: u64 },
    #[error("record is larger than the {limit} byte limit; skipped (raise the limit with authtrail --max-record-bytes, or Limits on the page)")]
    TooLarge { limit: usize },
    /// `found` says what it is: `integer `7``, `string "x"`, `null`, `array`...
    #[error("a JSON {found} where an event object was expected")]
    NotAnObject { found: String },
    #[error("{what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("unsupported file: {0}")]
    UnsupportedFile(&'static str),
    #[error("gzip data is corrupt or truncated: {0}; the events before the damage were kept")]
    Gzip(GzipError),
    /// The host's gunzip (the page's `DecompressionStream`) could not go on, for the reason it
    /// gives.
    #[error("gzip data is corrupt or truncated: {detail}; the events before the damage were kept")]
    HostGzip { detail: String },
    #[error("text is not UTF-8 at byte {offset}")]
    NotUtf8 { offset: u64 },
    #[error("the file is empty")]
    EmptyFile,
    #[error("the file holds no JSON records (only whitespace)")]
    OnlyWhitespace,
    /// The file came after the first `max` files of one collector.
    #[error("not read: at most {max} files are read at once; read the files in smaller batches")]
    TooManyFiles { max: u32 },
    /// A kept event placed at another of its record's times than its `eventTime`.
    #[error("{0}")]
    TimeFallback(TimeFallback<'static>),
    /// A kept event whose time (ms since the epoch) is implausible.
    #[error("the time {} is outside the years 1990-2100; the event is kept at that time, check its record", format_iso(*.time))]
    ImplausibleTime { time: i64 },
    /// A kept account MFA change that names a level IBM does not document.
    #[error("account MFA level \"{}\" is not one IBM documents: it is shown as undocumented and ranked below every documented level", sample_text(.level.as_bytes(), 40))]
    UndocumentedLevel { level: String },
    /// A kept record whose id (`None`: its wrapper's) another record with other content has, at
    /// `line` of `file` (`None`: the same file).
    #[error("record shares {} with a different record at line {line} of {}: not a duplicate, both are kept (finding \"records share an id but differ\")", shared_what(.id.as_deref()), .file.as_deref().unwrap_or("this file"))]
    SharedId {
        id: Option<String>,
        file: Option<String>,
        line: u64,
    },
    /// A kept record of `family` in a file whose `others` other records are of `usual`.
    #[error("{} in a file whose other {others} records are {}: marked out of place, not trusted silently; every finding that uses it says so", .family.a_record(), .usual.label())]
    OutOfPlace {
        family: Family,
        others: u64,
        usual: Family,
    },
}

fn shared_what(id: Option<&str>) -> String {
    match id {
        Some(id) => format!("the id \"{}\"", sample_text(id.as_bytes(), 80)),
        None => "its wrapper's id (_lid or _id)".to_owned(),
    }
}

/// Why a gzip stream could not be read to its end: the member (1-based) and the byte offset in the
/// compressed file where it was found. Damaged deflate data is told at its member's start: where
/// the inflater notices it depends on how the input was cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GzipError {
    #[error("gzip member {member} has an invalid header (not gzip data)")]
    NotGzip { member: u32, offset: u64 },
    #[error("gzip member {member} has an invalid header (a name or comment too long)")]
    FieldTooLong { member: u32, offset: u64 },
    #[error("gzip member {member} has a header that fails its checksum")]
    HeaderChecksum { member: u32, offset: u64 },
    #[error("gzip member {member} holds damaged compressed data")]
    Damaged { member: u32, offset: u64 },
    /// At the member's trailer.
    #[error("gzip member {member} fails its checksum (its text may be damaged)")]
    Checksum { member: u32, offset: u64 },
    /// At the end of the input.
    #[error("the file ends inside gzip member {member}")]
    Truncated { member: u32, offset: u64 },
}

/// Where a problem is, and what it is. Serialized as `{file, line, offset, message}`, the message
/// being the problem's `Display` text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Index of the file in the store (or other collector).
    pub file: u32,
    /// 1-based line in the (decompressed) text.
    pub line: u64,
    /// Byte offset in the (decompressed) text.
    pub offset: u64,
    #[serde(rename = "message", serialize_with = "as_message")]
    pub problem: Problem,
}

impl Diagnostic {
    /// The message a person sees: the problem's `Display` text.
    pub fn message(&self) -> String {
        self.problem.to_string()
    }
}

fn as_message<S: Serializer>(problem: &Problem, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(problem)
}
