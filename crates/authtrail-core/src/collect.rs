//! Where ingested events and diagnostics go ([`Collector`]: the store, or a stream writer) and
//! what became of each file ([`FileSummary`]). A leaf under the ingest, the store and the CLI's
//! stream writer.

use crate::diag::Diagnostic;
use crate::model::Event;
use crate::record::Span;
use serde::Serialize;

/// At most this many files are read into one collector: an event's locator holds its file's index
/// in 16 bits. A file past them is listed, with a diagnostic, and nothing is read from it.
pub const MAX_FILES: u32 = 1 << 16;

/// Where ingested events and diagnostics go: the [`crate::Store`], or a stream writer.
pub trait Collector {
    /// Registers a file and returns its index (events of the first [`MAX_FILES`] files carry it as
    /// a `u16`).
    fn add_file(&mut self, name: &str) -> u32;
    /// Takes one event; returns false when it is a duplicate of one already taken.
    fn event(&mut self, file: u16, event: &Event<'_>, key: u64, span: Span) -> bool;
    /// As [`Collector::event`], with the event's original text (the bytes `span` covers), for
    /// collectors that write it out.
    fn event_with_original(
        &mut self,
        file: u16,
        event: &Event<'_>,
        key: u64,
        span: Span,
        _original: &[u8],
    ) -> bool {
        self.event(file, event, key, span)
    }
    /// How many events were taken (not duplicates), over every file: what the events cap counts.
    fn kept(&self) -> u64;
    /// Bytes what was taken uses, over every file: what the memory cap counts.
    fn memory(&self) -> u64;
    /// An event not taken (outside the subset, over the events or memory cap), with where it is
    /// and its original text: it may still name an identifier ([`Event::alias`]) that taken events
    /// use.
    fn not_kept(&mut self, _file: u16, _event: &Event<'_>, _span: Span, _original: &[u8]) {}
    /// Whether an event with this key and the content of `event` was taken (tells duplicates
    /// once the events or memory cap is reached).
    fn has(&self, key: u64, event: &Event<'_>) -> bool;
    fn diagnostic(&mut self, diagnostic: Diagnostic);
    /// Called once a file is finished, with its accounting.
    fn file_done(&mut self, _file: u32, _summary: &FileSummary) {}
}

/// What became of one file.
/// `records == events + duplicates + errors + outside_subset + over_cap` always holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileSummary {
    pub name: String,
    /// The containers detected, e.g. `gzip, NDJSON: LogDNA stream lines, Activity Tracker`.
    pub format: String,
    pub records: u64,
    pub events: u64,
    pub duplicates: u64,
    pub errors: u64,
    /// Bytes pushed (compressed size for gzip).
    pub bytes: u64,
    /// Events outside the subset read ([`Keep`](crate::ingest::limits::Keep)): not kept.
    #[serde(skip_serializing_if = "is_zero")]
    pub outside_subset: u64,
    /// New events after the events cap or the memory cap was reached ([`Options::max_events`](crate::ingest::limits::Options::max_events),
    /// [`Options::max_memory_bytes`](crate::ingest::limits::Options::max_memory_bytes)): not kept.
    #[serde(skip_serializing_if = "is_zero")]
    pub over_cap: u64,
    /// What the subset or a cap left out and how to change it ([`Options::note`](crate::ingest::limits::Options::note)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
