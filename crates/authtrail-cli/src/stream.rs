//! The collector behind `events` and `extract`: each new event is written as one line as soon as
//! it is read, and only the keys of the events written are held, so memory does not grow with the
//! input.

use authtrail_core::decode::Span;
use authtrail_core::export::ndjson_line;
use authtrail_core::ingest::Collector;
use authtrail_core::{Diagnostic, Event};
use serde_json::json;
use std::collections::HashSet;
use std::io::{self, Write};

/// What is written for each event.
#[derive(Debug, Clone, Copy)]
pub enum Line {
    /// `{"file", "offset", "event"}` with the normalized event.
    Normalized,
    /// The event's original record, on one line.
    Original,
}

#[derive(Debug)]
pub struct Streamed<W: Write> {
    pub out: W,
    line: Line,
    names: Vec<String>,
    seen: HashSet<u64>,
    /// The first write error; nothing more is written after it.
    pub error: Option<io::Error>,
    /// Diagnostics printed word for word; the rest are only counted.
    shown: u64,
    diagnostics: u64,
}

impl<W: Write> Streamed<W> {
    pub fn new(out: W, line: Line, shown_diagnostics: u64) -> Self {
        Streamed {
            out,
            line,
            names: Vec::new(),
            seen: HashSet::new(),
            error: None,
            shown: shown_diagnostics,
            diagnostics: 0,
        }
    }

    /// Says how many diagnostics were counted but not printed, if any.
    pub fn report_unshown(&self) {
        if self.diagnostics > self.shown {
            eprintln!(
                "authtrail: ... and {} more record(s) that could not be read",
                self.diagnostics - self.shown
            );
        }
    }

    fn write(
        &mut self,
        file: u16,
        event: &Event<'_>,
        span: Span,
        original: &[u8],
    ) -> io::Result<()> {
        match self.line {
            Line::Normalized => {
                let line = json!({"file": self.names[usize::from(file)], "offset": span.offset, "event": event});
                serde_json::to_writer(&mut self.out, &line)?;
                self.out.write_all(b"\n")
            }
            Line::Original => {
                let mut line = Vec::with_capacity(original.len() + 1);
                ndjson_line(&mut line, original);
                self.out.write_all(&line)
            }
        }
    }
}

impl<W: Write> Collector for Streamed<W> {
    fn add_file(&mut self, name: &str) -> u16 {
        self.names.push(name.to_owned());
        u16::try_from(self.names.len() - 1).unwrap_or(u16::MAX)
    }
    fn event(&mut self, file: u16, event: &Event<'_>, key: u64, span: Span) -> bool {
        self.event_with_original(file, event, key, span, &[])
    }
    fn event_with_original(
        &mut self,
        file: u16,
        event: &Event<'_>,
        key: u64,
        span: Span,
        original: &[u8],
    ) -> bool {
        if !self.seen.insert(key) {
            return false;
        }
        if self.error.is_none() {
            if let Err(e) = self.write(file, event, span, original) {
                self.error = Some(e);
            }
        }
        true
    }
    fn kept(&self) -> u64 {
        self.seen.len() as u64
    }
    fn has(&self, key: u64) -> bool {
        self.seen.contains(&key)
    }
    fn diagnostic(&mut self, d: Diagnostic) {
        self.diagnostics += 1;
        if self.diagnostics <= self.shown {
            eprintln!(
                "authtrail: {}:{} (byte {}): {}",
                self.names[usize::from(d.file)],
                d.line,
                d.offset,
                d.message
            );
        }
    }
}
