//! Streaming ingest of one file: bytes pushed in chunks of any size, then finished.
//!
//! ```
//! use authtrail_core::{Ingest, Store};
//! let mut store = Store::new();
//! let mut ingest = Ingest::new(&mut store, "logins.ndjson");
//! let text = br#"{"id":"e1","eventTime":"2024-05-01T10:00:00.00+0000","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}"#;
//! for chunk in text.chunks(10) {
//!     ingest.push(&mut store, chunk);
//! }
//! let summary = ingest.finish(&mut store);
//! assert_eq!((summary.records, summary.events), (1, 1));
//! ```

pub mod framing;
pub mod gzip;
pub mod limits;
pub mod sniff;
pub mod ui_text;

use crate::collect::{Collector, FileSummary, MAX_FILES};
use crate::decode::{self, EventSink};
use crate::diag::{Diagnostic, Problem};
use crate::model::{is_documented_level, Detail, Event};
use crate::record::{Position, RecordError, Shape, Span};
use framing::{Framer, RecordSink};
use limits::Options;
pub use limits::DEFAULT_MAX_RECORD;
use sniff::Sniffed;
use std::borrow::Cow;

/// The container Activity Tracker UI text lines are told as.
pub(crate) const UI_LINES: &str = "Activity Tracker UI text lines";

#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) gzip: bool,
    pub(crate) bom: bool,
    pub(crate) containers: Vec<Cow<'static, str>>,
}

impl Seen {
    fn note(&mut self, what: &'static str) {
        if !self.containers.iter().any(|c| c == what) {
            self.containers.push(Cow::Borrowed(what));
        }
    }
    fn format(&self, shape: Shape) -> String {
        let mut parts = Vec::new();
        if self.gzip {
            parts.push("gzip");
        }
        if self.bom {
            parts.push("UTF-8 BOM");
        }
        parts.push(
            match (shape.array, shape.single_line > 0, shape.multi_line > 0) {
                (true, _, _) => "JSON array",
                (false, true, false) => "NDJSON",
                (false, false, true) => "pretty-printed JSON",
                (false, true, true) => "mixed NDJSON and pretty-printed JSON",
                (false, false, false) => "text",
            },
        );
        let mut s = parts.join(", ");
        if !self.containers.is_empty() {
            s.push_str(": ");
            s.push_str(&self.containers.join(", "));
        }
        s
    }
}

/// The problems told about an event that was read and kept: each account MFA level it names that
/// IBM does not document (kept, shown as undocumented and ranked below every documented one).
fn level_notes(event: &Event<'_>) -> Vec<Problem> {
    let Detail::AccountMfa { from, to, .. } = &event.detail else {
        return Vec::new();
    };
    [from, to]
        .into_iter()
        .flatten()
        .filter(|level| !is_documented_level(level))
        .map(|level| Problem::UndocumentedLevel {
            level: level.to_string(),
        })
        .collect()
}

/// One file being read. Feed it with [`Ingest::push`], end with [`Ingest::finish`].
#[derive(Debug)]
pub struct Ingest {
    /// The file's index in the collector.
    file: u32,
    /// The same, as events carry it; `None` past [`MAX_FILES`]: the file is not read.
    pub(crate) event_file: Option<u16>,
    head: Vec<u8>,
    pub(crate) sniffed: Option<Sniffed>,
    gunzip: Option<gzip::Gunzip>,
    pub(crate) framer: Framer,
    /// The first bytes of the (decompressed) text, held until a byte order mark can be told.
    pub(crate) text_head: Option<Vec<u8>>,
    pub(crate) counts: FileSummary,
    pub(crate) seen: Seen,
    ui_occurrences: rustc_hash::FxHashMap<u64, u32>,
    pub(crate) options: Options,
    /// The host decompresses this gzip file ([`Ingest::decompressed`]).
    pub(crate) host_gunzip: bool,
    /// Events kept with a diagnostic that flags them ([`Adapter::flag`]).
    pub(crate) flagged: u64,
    /// Of `over_cap`, those left out by the memory cap.
    over_memory: u64,
}

struct Adapter<'c, C: Collector + ?Sized> {
    collector: &'c mut C,
    file: u16,
    options: &'c Options,
    counts: &'c mut FileSummary,
    seen: &'c mut Seen,
    ui_occurrences: &'c mut rustc_hash::FxHashMap<u64, u32>,
    flagged: &'c mut u64,
    over_memory: &'c mut u64,
}

impl<C: Collector + ?Sized> Adapter<'_, C> {
    fn report(&mut self, problem: Problem, at: Position) {
        self.counts.records += 1;
        self.counts.errors += 1;
        self.collector.diagnostic(Diagnostic {
            file: u32::from(self.file),
            line: at.line,
            offset: at.offset,
            problem,
        });
    }

    /// A diagnostic about an event that is kept: told, not counted as an unreadable record.
    fn flag(&mut self, problem: Problem, at: Position) {
        *self.flagged += 1;
        self.collector.diagnostic(Diagnostic {
            file: u32::from(self.file),
            line: at.line,
            offset: at.offset,
            problem,
        });
    }

    /// One decoded event of the record at `at`, with its original text: kept, a duplicate,
    /// outside the subset, or over the events or memory cap. Returns whether it was kept or a duplicate (its
    /// key is the collector's).
    fn take(
        &mut self,
        event: &Event<'_>,
        key: u64,
        span: Span,
        original: &[u8],
        at: Position,
    ) -> bool {
        self.counts.records += 1;
        self.seen.note(event.family.label());
        if !self.options.keep.keeps(event) {
            self.counts.outside_subset += 1;
            self.collector.not_kept(self.file, event, span, original);
            return false;
        }
        let over_events = self
            .options
            .max_events
            .is_some_and(|max| self.collector.kept() >= max);
        let over_memory = !over_events
            && self
                .options
                .max_memory_bytes
                .is_some_and(|max| self.collector.memory() >= max);
        if over_events || over_memory {
            // Nothing more is stored, not even the key: memory stays bounded.
            if self.collector.has(key, event) {
                self.counts.duplicates += 1;
                return true;
            }
            self.counts.over_cap += 1;
            *self.over_memory += u64::from(over_memory);
            self.collector.not_kept(self.file, event, span, original);
            return false;
        }
        if self
            .collector
            .event_with_original(self.file, event, key, span, original)
        {
            self.counts.events += 1;
            if let Some(note) = &event.time_note {
                self.flag(Problem::TimeFallback(note.clone().into_owned()), at);
            }
            if !crate::time::PLAUSIBLE.contains(&event.time) {
                self.flag(Problem::ImplausibleTime { time: event.time }, at);
            }
            for problem in level_notes(event) {
                let at = Position {
                    line: span.line,
                    offset: span.offset,
                };
                self.flag(problem, at);
            }
        } else {
            self.counts.duplicates += 1;
        }
        true
    }
}

/// The sink for the events of one framed record, which knows the record's bytes.
struct InRecord<'a, 'r, 'c, C: Collector + ?Sized> {
    adapter: &'a mut Adapter<'c, C>,
    bytes: &'r [u8],
    /// Where the record starts (`bytes[0]`) in the file's text.
    at: Position,
}

impl<C: Collector + ?Sized> EventSink for InRecord<'_, '_, '_, C> {
    fn event(&mut self, event: &Event<'_>, key: u64, span: Span) {
        let original = usize::try_from(span.offset.saturating_sub(self.at.offset))
            .ok()
            .and_then(|start| self.bytes.get(start..start.checked_add(span.len as usize)?))
            .unwrap_or_default();
        self.adapter.take(event, key, span, original, self.at);
    }
    fn problem(&mut self, problem: Problem, at: Position) {
        self.adapter.report(problem, at);
    }
    fn container(&mut self, what: &'static str) {
        self.adapter.seen.note(what);
    }
}

impl<C: Collector + ?Sized> RecordSink for Adapter<'_, C> {
    fn record(&mut self, bytes: &[u8], at: Position) -> Result<(), RecordError> {
        let mut sink = InRecord {
            adapter: self,
            bytes,
            at,
        };
        decode::decode_record(bytes, at, &mut sink)
    }
    fn problem(&mut self, problem: Problem, at: Position) {
        self.report(problem, at);
    }
    fn text_line(&mut self, line: &[u8], at: Position) -> bool {
        let Ok(text) = std::str::from_utf8(line) else {
            return false;
        };
        let Some(event) = ui_text::parse(text) else {
            return false;
        };
        // UI lines have second resolution and no id: identical lines in one file are distinct
        // events, while the same file read twice is recognised as duplicate. Occurrences are
        // counted only for lines the collector took (kept or duplicate): lines outside the subset
        // or over the events cap add nothing to memory.
        let h = decode::key_of("u:", text.trim());
        let n = self.ui_occurrences.get(&h).map_or(1, |n| n + 1);
        let key = h ^ u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.seen.note(UI_LINES);
        let span = Span {
            offset: at.offset,
            len: u32::try_from(line.len()).unwrap_or(u32::MAX),
            line: at.line,
        };
        if self.take(&event, key, span, line, at) {
            self.ui_occurrences.insert(h, n);
        }
        true
    }
}

impl Ingest {
    /// Starts reading a file named `name` into `collector`.
    pub fn new<C: Collector + ?Sized>(collector: &mut C, name: &str) -> Self {
        Self::with_options(collector, name, &Options::default())
    }

    /// As [`Ingest::new`], with a cap on one record's size in bytes.
    pub fn with_limit<C: Collector + ?Sized>(
        collector: &mut C,
        name: &str,
        max_record: usize,
    ) -> Self {
        let options = Options {
            max_record_bytes: max_record,
            ..Options::default()
        };
        Self::with_options(collector, name, &options)
    }

    /// As [`Ingest::new`], with caps and a subset ([`limits`]).
    pub fn with_options<C: Collector + ?Sized>(
        collector: &mut C,
        name: &str,
        options: &Options,
    ) -> Self {
        let file = collector.add_file(name);
        Ingest {
            file,
            event_file: u16::try_from(file).ok(),
            options: *options,
            head: Vec::new(),
            sniffed: None,
            gunzip: None,
            framer: Framer::new(options.max_record_bytes),
            text_head: Some(Vec::new()),
            counts: FileSummary {
                name: name.to_owned(),
                ..FileSummary::default()
            },
            seen: Seen::default(),
            ui_occurrences: Default::default(),
            host_gunzip: false,
            flagged: 0,
            over_memory: 0,
        }
    }

    /// As [`Ingest::with_options`], for a gzip file of `compressed_bytes` bytes that the host decompresses
    /// (the page uses the browser's `DecompressionStream`): the pushed chunks are its text, the
    /// format still says gzip, `bytes` is the compressed size, and the host reports a damaged
    /// stream with [`Ingest::gzip_damaged`].
    pub fn decompressed<C: Collector + ?Sized>(
        collector: &mut C,
        name: &str,
        compressed_bytes: u64,
        options: &Options,
    ) -> Self {
        let mut ingest = Self::with_options(collector, name, options);
        ingest.host_gunzip = true;
        ingest.seen.gzip = true;
        // As with the core's own gunzip, only the compressed head is sniffed.
        ingest.sniffed = Some(Sniffed::Text);
        ingest.counts.bytes = compressed_bytes;
        ingest
    }

    /// The host could not decompress the rest of a [`Ingest::decompressed`] file (`detail` says
    /// why): what was pushed is kept, and a file-level diagnostic says so.
    pub fn gzip_damaged<C: Collector + ?Sized>(&mut self, collector: &mut C, detail: &str) {
        self.file_problem(
            collector,
            Problem::HostGzip {
                detail: detail.to_owned(),
            },
        );
    }

    /// The file's index in the collector.
    pub fn file(&self) -> u32 {
        self.file
    }

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.counts.bytes
    }

    /// Pushes the next chunk of the file.
    pub fn push<C: Collector + ?Sized>(&mut self, collector: &mut C, chunk: &[u8]) {
        if !self.host_gunzip {
            self.counts.bytes += chunk.len() as u64;
        }
        if self.event_file.is_none() {
            return;
        }
        if self.sniffed.is_none() {
            self.head.extend_from_slice(chunk);
            if self.head.len() < sniff::SNIFF_LEN {
                return;
            }
            let head = std::mem::take(&mut self.head);
            self.start(collector, &head);
            return;
        }
        self.feed(collector, chunk);
    }

    fn start<C: Collector + ?Sized>(&mut self, collector: &mut C, head: &[u8]) {
        let s = sniff::sniff(head);
        self.sniffed = Some(s);
        match s {
            Sniffed::Unsupported(what) => {
                self.file_problem(collector, Problem::UnsupportedFile(what))
            }
            Sniffed::Gzip => {
                self.seen.gzip = true;
                self.gunzip = Some(gzip::Gunzip::default());
                self.feed(collector, head);
            }
            Sniffed::Text => self.feed(collector, head),
        }
    }

    /// A diagnostic about the whole file, counted as one unreadable record.
    fn file_problem<C: Collector + ?Sized>(&mut self, collector: &mut C, problem: Problem) {
        self.counts.records += 1;
        self.counts.errors += 1;
        collector.diagnostic(Diagnostic {
            file: self.file,
            line: 0,
            offset: 0,
            problem,
        });
    }

    fn feed<C: Collector + ?Sized>(&mut self, collector: &mut C, chunk: &[u8]) {
        if matches!(self.sniffed, Some(Sniffed::Unsupported(_))) {
            return;
        }
        match self.gunzip.take() {
            // Each piece is framed before the next is inflated.
            Some(mut gunzip) => {
                gunzip.push(chunk, &mut |text| self.frame(collector, text));
                self.gunzip = Some(gunzip);
            }
            None => self.frame(collector, chunk),
        }
    }

    /// Hands decompressed text to the framer.
    fn frame<C: Collector + ?Sized>(&mut self, collector: &mut C, bytes: &[u8]) {
        if let Some(mut head) = self.text_head.take() {
            // A UTF-8 byte order mark, also inside gzip: skipped, but counted in offsets so
            // that locators point into the text as it is stored.
            head.extend_from_slice(bytes);
            if head.len() < 3 && head.starts_with(&b"\xEF\xBB\xBF"[..head.len()]) {
                self.text_head = Some(head);
                return;
            }
            let skip = if head.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            if skip > 0 {
                self.seen.bom = true;
                self.framer.skip_prefix(3);
            }
            self.frame_text(collector, &head[skip..]);
            return;
        }
        self.frame_text(collector, bytes);
    }

    fn frame_text<C: Collector + ?Sized>(&mut self, collector: &mut C, bytes: &[u8]) {
        self.with_framer(collector, |framer, adapter| framer.push(bytes, adapter));
    }

    /// Runs `f` with the framer and the sink that turns its records into events of this file
    /// (none past [`MAX_FILES`]).
    fn with_framer<C: Collector + ?Sized>(
        &mut self,
        collector: &mut C,
        f: impl FnOnce(&mut Framer, &mut Adapter<'_, C>),
    ) {
        let Some(file) = self.event_file else {
            return;
        };
        let mut adapter = Adapter {
            collector,
            file,
            options: &self.options,
            counts: &mut self.counts,
            seen: &mut self.seen,
            ui_occurrences: &mut self.ui_occurrences,
            flagged: &mut self.flagged,
            over_memory: &mut self.over_memory,
        };
        f(&mut self.framer, &mut adapter);
    }

    /// Ends the file: reads what is left and returns its accounting.
    pub fn finish<C: Collector + ?Sized>(mut self, collector: &mut C) -> FileSummary {
        self.read_rest(collector);
        if self.counts.records == 0 && self.counts.errors == 0 {
            let problem = if self.counts.bytes == 0 {
                Problem::EmptyFile
            } else {
                Problem::OnlyWhitespace
            };
            self.file_problem(collector, problem);
        }
        self.counts.format = match self.event_file {
            Some(_) => self.seen.format(self.framer.shape()),
            None => "not read".to_owned(),
        };
        self.counts.note = self.options.note(
            self.counts.outside_subset,
            self.counts.over_cap - self.over_memory,
            self.over_memory,
        );
        collector.file_done(self.file, &self.counts);
        self.counts
    }

    /// Reads what is left of the file: the head still unsniffed, the end of the gzip stream, the
    /// framer's last record. Past [`MAX_FILES`], says the file was not read.
    pub(crate) fn read_rest<C: Collector + ?Sized>(&mut self, collector: &mut C) {
        if self.event_file.is_none() {
            self.file_problem(collector, Problem::TooManyFiles { max: MAX_FILES });
            return;
        }
        if self.sniffed.is_none() {
            let head = std::mem::take(&mut self.head);
            if head.is_empty() {
                self.sniffed = Some(Sniffed::Text);
            } else {
                self.start(collector, &head);
            }
        }
        // Reported before the framer's last diagnostics whatever the chunking: the text
        // decompressed before the damage was all framed as it came.
        if let Some(Err(e)) = self.gunzip.as_mut().map(gzip::Gunzip::finish) {
            self.file_problem(collector, Problem::Gzip(e));
        }
        if let Some(head) = self.text_head.take() {
            self.frame_text(collector, &head);
        }
        if !matches!(self.sniffed, Some(Sniffed::Unsupported(_))) {
            self.with_framer(collector, |framer, adapter| framer.finish(adapter));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use std::io::Write;

    fn read(name: &str, bytes: &[u8], chunk: usize) -> (Store, FileSummary) {
        let mut store = Store::new();
        let mut ing = Ingest::new(&mut store, name);
        for c in bytes.chunks(chunk) {
            ing.push(&mut store, c);
        }
        let f = ing.finish(&mut store);
        (store, f)
    }

    const LOGIN: &str = r#"{"id":"x1","eventTime":"2024-05-01T10:00:00.00+0000","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}"#;

    /// Regression: the decompressor's last output was pushed back into the decompressor at
    /// finish, which reported "invalid gzip header" and lost the file's last records.
    #[test]
    fn gzip_tail_from_finish_is_framed_not_decompressed_again() {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..2000 {
            writeln!(z, "{}", LOGIN.replace("x1", &format!("x{i}"))).unwrap();
        }
        let z = z.finish().unwrap();
        for chunk in [7, 4096, z.len()] {
            let (store, f) = read("a.gz", &z, chunk);
            assert_eq!(
                (f.events, f.errors, store.len()),
                (2000, 0, 2000),
                "chunk {chunk}"
            );
            assert!(f.format.starts_with("gzip, NDJSON"), "{}", f.format);
        }
    }

    #[test]
    fn truncated_gzip_keeps_what_came_before_and_says_so() {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..5000 {
            writeln!(z, "{}", LOGIN.replace("x1", &format!("x{i}"))).unwrap();
        }
        let z = z.finish().unwrap();
        let (store, f) = read("cut.gz", &z[..z.len() / 2], 1000);
        assert!(store.len() > 100 && store.len() < 5000, "{}", store.len());
        assert!(store
            .diagnostics()
            .iter()
            .any(|d| d.message().contains("gzip data is corrupt or truncated")));
        assert_eq!(f.records, f.events + f.duplicates + f.errors);
    }

    /// The page's path: the browser decompresses, the core reads the text as the gzip file.
    #[test]
    fn text_decompressed_by_the_host_reads_like_the_gzip_file() {
        let mut text = String::from("\u{feff}");
        for i in 0..3000 {
            text.push_str(&LOGIN.replace("x1", &format!("x{}", i % 2900)));
            text.push('\n');
        }
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text.as_bytes()).unwrap();
        let z = z.finish().unwrap();
        let (core, expected) = read("a.gz", &z, 4096);
        let mut store = Store::new();
        let mut ing = Ingest::decompressed(&mut store, "a.gz", z.len() as u64, &Options::default());
        for c in text.as_bytes().chunks(5000) {
            ing.push(&mut store, c);
        }
        let f = ing.finish(&mut store);
        assert_eq!(f, expected);
        assert_eq!(
            (f.events, f.duplicates, f.bytes),
            (2900, 100, z.len() as u64)
        );
        assert!(
            f.format.starts_with("gzip, UTF-8 BOM, NDJSON"),
            "{}",
            f.format
        );
        assert_eq!(
            (0..store.len())
                .map(|i| store.locate(i))
                .collect::<Vec<_>>(),
            (0..core.len()).map(|i| core.locate(i)).collect::<Vec<_>>()
        );

        // Damage after half the text: what came before is kept, then a file-level diagnostic.
        let mut store = Store::new();
        let mut ing =
            Ingest::decompressed(&mut store, "cut.gz", z.len() as u64, &Options::default());
        ing.push(&mut store, &text.as_bytes()[..text.len() / 2]);
        ing.gzip_damaged(&mut store, "incorrect header check");
        let f = ing.finish(&mut store);
        assert!(store.len() > 1000 && store.len() < 1600, "{}", store.len());
        assert_eq!(f.records, f.events + f.duplicates + f.errors);
        assert!(store.diagnostics().iter().any(|d| d.line == 0
            && d.message()
                == "gzip data is corrupt or truncated: incorrect header check; the events before the damage were kept"));
    }

    #[test]
    fn bom_is_skipped_but_counted_in_offsets_also_inside_gzip() {
        let text = format!("\u{feff}{LOGIN}\n");
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text.as_bytes()).unwrap();
        let z = z.finish().unwrap();
        for (name, bytes, format) in [
            ("bom.json", text.as_bytes(), "UTF-8 BOM, NDJSON"),
            ("bom.json.gz", &z[..], "gzip, UTF-8 BOM, NDJSON"),
        ] {
            for chunk in [1, 2, 1000] {
                let (store, f) = read(name, bytes, chunk);
                assert_eq!((store.len(), f.errors), (1, 0), "{name} chunk {chunk}");
                assert!(f.format.starts_with(format), "{}", f.format);
                let l = store.locate(0);
                assert_eq!(
                    &text.as_bytes()[l.offset as usize..][..l.len as usize],
                    LOGIN.as_bytes()
                );
            }
        }
    }

    /// Memory stays bounded once the events cap is reached, also for Activity Tracker UI text
    /// lines (whose keys count the occurrences of each line), and identical lines stay distinct
    /// events below the cap.
    #[test]
    fn ui_lines_over_the_events_cap_add_nothing_to_memory() {
        let mut text = String::new();
        for i in 0..5000 {
            let (m, s) = (i / 60 % 60, i % 60);
            text.push_str(&format!(
                "27/Nov/2019:09:{m:02}:{s:02} iam-identity iam-identity.user-apikey.login STATUS:success\n"
            ));
        }
        let first_three: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        text.push_str(&first_three);
        let options = limits::Options {
            max_events: Some(10),
            ..Options::default()
        };
        let mut store = Store::new();
        let mut ing = Ingest::with_options(&mut store, "ui.txt", &options);
        ing.push(&mut store, text.as_bytes());
        assert!(
            ing.ui_occurrences.len() <= 10,
            "{}",
            ing.ui_occurrences.len()
        );
        let f = ing.finish(&mut store);
        assert_eq!(
            (f.records, f.events, f.over_cap, f.errors),
            (5003, 10, 4993, 0),
            "{f:?}"
        );
        // Below the cap, the three repeated lines are events of their own.
        let (store, f) = read("ui.txt", text.as_bytes(), 1000);
        assert_eq!((f.events, f.duplicates, store.len()), (5003, 0, 5003));
    }

    /// Regression: the 65,537th file panicked the store (`summary`, `findings`) and was named as
    /// the 65,536th by the CLI's event stream: past [`MAX_FILES`], a file is listed with a
    /// message and nothing from it is read.
    #[test]
    fn files_past_the_65536th_are_listed_and_not_read() {
        let mut store = Store::new();
        // Files listed, not read: reading 65,536 files takes the store minutes in a debug build.
        for i in 0..MAX_FILES - 1 {
            assert_eq!(store.add_file(&format!("f{i}.ndjson")), i);
        }
        for i in MAX_FILES - 1..MAX_FILES + 2 {
            let mut ing = Ingest::new(&mut store, &format!("f{i}.ndjson"));
            assert_eq!(ing.file(), i);
            ing.push(&mut store, LOGIN.replace("x1", &format!("x{i}")).as_bytes());
            let f = ing.finish(&mut store);
            let want = if i < MAX_FILES { (1, 1, 0) } else { (1, 0, 1) };
            assert_eq!((f.records, f.events, f.errors), want, "file {i}");
        }
        assert_eq!(store.files().len(), MAX_FILES as usize + 2);
        assert_eq!(store.len(), 1);
        assert_eq!(
            store.files()[usize::from(store.locate(0).file)].name,
            "f65535.ndjson"
        );
        let v = crate::summary::summary_json(&store);
        let errors: Vec<_> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["file"].as_str().unwrap(), e["line"].as_u64().unwrap()))
            .collect();
        assert_eq!(errors, [("f65536.ndjson", 0), ("f65537.ndjson", 0)]);
        assert!(store.diagnostics()[0]
            .message()
            .starts_with("not read: at most 65536 files are read at once"));
        assert_eq!(
            store.diagnostics()[0].problem,
            Problem::TooManyFiles { max: MAX_FILES }
        );
    }

    #[test]
    fn unsupported_and_empty_files_get_one_file_level_message() {
        for (bytes, want) in [
            (&b"PK\x03\x04zipzipzip"[..], "zip archive"),
            (b"%PDF-1.7 ...", "PDF"),
            (b"\x89PNG\r\n\x1a\n....", "PNG"),
            (b"PAR1....", "Parquet"),
            (b"", "empty"),
            (b"  \n\n ", "only whitespace"),
        ] {
            let (store, f) = read("f", bytes, 3);
            assert_eq!((f.records, f.errors, store.len()), (1, 1, 0), "{want}");
            assert!(
                store.diagnostics()[0].message().contains(want),
                "{}",
                store.diagnostics()[0].message()
            );
        }
    }
}
