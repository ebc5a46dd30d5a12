//! Diagnostics: what became of a record that could not be read, told so a person can find it.

use serde::Serialize;
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
    #[error("gzip data is corrupt or truncated: {0}")]
    Gzip(String),
    #[error("text is not UTF-8 at byte {offset}")]
    NotUtf8 { offset: u64 },
}

/// Where a problem is, and what it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Index of the file in the store (or other collector).
    pub file: u32,
    /// 1-based line in the (decompressed) text.
    pub line: u64,
    /// Byte offset in the (decompressed) text.
    pub offset: u64,
    pub message: String,
}

/// Shortens attacker-controlled text for a message: at most `max` characters, controls escaped.
pub fn sample_text(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (n, c) in text.trim().chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
