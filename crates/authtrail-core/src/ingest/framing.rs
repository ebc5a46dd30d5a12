//! Record framing: finds where each JSON record starts and ends in a byte stream pushed in chunks.
//!
//! One framer reads every text container: NDJSON and LogDNA export lines, JSON arrays (streamed
//! element by element, never held whole), concatenated or pretty-printed values, and text that is
//! not JSON at all (runs of such lines become one diagnostic). CR, CRLF and LF line ends all work:
//! a line ends at a CR or an LF, and the LF of a CRLF ends nothing more.
//!
//! The fast path parses a whole line as one record. Only when the line ends inside a value does a
//! resumable scanner follow the value across lines. A line with a syntax error that does not close
//! on that line is reported and skipped, so one broken line never swallows the lines after it.
//! A raw line end is never inside a JSON string: a one-line record whose string runs over its line
//! end was cut there (as log shippers cut long lines) and ends there; in a record spanning lines the
//! string ends at the line end and the record is followed to its end, which pretty-printers'
//! indentation tells when a cut left it unbalanced (a record closed too early, its remains
//! indented deeper; or never closed, the next record at its own indentation).
//! A record or line longer than the record limit is reported and skipped whole, however the bytes
//! arrive: what is framed never depends on where the chunks end.

use crate::diag::Problem;
use crate::record::{Position, RecordError, Shape};
use crate::text::sample_text;
use memchr::memchr2;

/// Receives what the framer finds.
pub trait RecordSink {
    /// One framed JSON value, at most `max_record` bytes: an object, or any other value that is
    /// an element of an array (which the sink reports as not an event). A record refused with an
    /// error must have had no effect: the framer may offer the same bytes again.
    fn record(&mut self, bytes: &[u8], at: Position) -> Result<(), RecordError>;
    /// Something that is not a record. Each call is one unreadable record in the accounting.
    fn problem(&mut self, problem: Problem, at: Position);
    /// A whole line of text that is not JSON; returns true when the sink read it as an event.
    fn text_line(&mut self, line: &[u8], at: Position) -> bool;
}

#[derive(Debug)]
struct Scan {
    /// Index in `buf` where the value starts.
    start: usize,
    cursor: usize,
    depth: u32,
    in_str: bool,
    at: Position,
    /// Already reported as over the limit: the rest of the value is skipped, not kept.
    oversized: bool,
    /// Leading spaces and tabs of the line the value starts on, when found.
    indent: Option<usize>,
    layout: Layout,
    /// Leading spaces and tabs of the line the cursor is on, counted up to `indent + 1`.
    line_indent: usize,
    /// Only that indentation comes before the cursor on its line (never on the first line).
    line_head: bool,
    /// The value is an object.
    object: bool,
    /// Its first line holds nothing but its opening bracket so far.
    opener_only: bool,
}

/// How a value spanning lines is laid out, told at its first line end outside a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// No line end crossed yet.
    FirstLine,
    /// The lines inside are indented deeper than the first: pretty-printed, so a line at the first
    /// line's indentation or less either closes the value or starts what follows it.
    Indented,
    /// Anything else (compact records running over a line end, zero-indent pretty-printing).
    Flat,
}

/// The rest of a pretty-printed record that closed too early (a cut took an opening bracket):
/// skipped up to and including its closing bracket at the record's indentation.
#[derive(Debug, Clone, Copy)]
struct Remains {
    indent: usize,
    /// At the start of a line; otherwise the rest of the line is skipped first.
    line_start: bool,
}

/// What follows a line end, as far as [`Framer::continue_scan`] needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NextLine {
    /// Not enough bytes yet.
    NeedMore,
    /// Another line end (a blank line, or the LF of a CRLF): told at that one.
    Blank,
    /// A line indented by `indent` (counted up to the cap and one more), starting with `first`
    /// and `second` when it is not deeper than the cap.
    Line {
        indent: usize,
        first: Option<u8>,
        second: Option<u8>,
    },
}

/// How far back the start of a record's line is looked for to learn its indentation.
const MAX_INDENT_LOOKBACK: usize = 256;

#[derive(Debug)]
struct JunkRun {
    at: Position,
    lines: u64,
    sample: Vec<u8>,
}

/// The streaming framer. Push bytes, then finish; results go to a [`RecordSink`].
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    pos: usize,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Line number at `pos`.
    line: u64,
    in_array: bool,
    scan: Option<Scan>,
    junk: Option<JunkRun>,
    /// How far the search for the next newline has got without finding one.
    nl_search_from: usize,
    /// Discarding the rest of an oversized line.
    skipping_line: bool,
    max_record: usize,
    shape: Shape,
    /// The byte before `buf[0]` (dropped by compaction), `\n` at the start of the text.
    before: u8,
    remains: Option<Remains>,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Line ends in `bytes`, `before` the byte before them: every CR, and every LF not after a CR.
fn line_ends(bytes: &[u8], before: u8) -> u64 {
    let bytes = match bytes.split_first() {
        Some((b'\n', rest)) if before == b'\r' => rest,
        _ => bytes,
    };
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let cr = memchr::memchr_iter(b'\r', bytes).count();
    let crlf = if cr == 0 {
        0
    } else {
        memchr::memmem::find_iter(bytes, b"\r\n").count()
    };
    (lf + cr - crlf) as u64
}

/// Length of the scalar (number, string, literal) starting at `bytes[0]`, if it ends within
/// `bytes`. A string ends at its closing quote or, unterminated, at the end of its line.
fn scalar_len(bytes: &[u8]) -> Option<usize> {
    if bytes.first() != Some(&b'"') {
        return bytes
            .iter()
            .position(|&c| is_ws(c) || matches!(c, b',' | b']' | b'}' | b'[' | b'{'));
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(i + 1),
            b'\r' | b'\n' => return Some(i),
            b'\\' if matches!(bytes.get(i + 1), Some(b'\r' | b'\n')) => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// Position of the byte just after the value starting at `bytes[0]` closes, within `bytes`.
fn value_end(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_str, mut esc) = (0u32, false, false);
    for (i, &c) in bytes.iter().enumerate() {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where a string's scan stops, in `bytes`: its closing quote, a backslash, or a line end.
fn string_stop(bytes: &[u8]) -> Option<usize> {
    let stop = memchr::memchr3(b'"', b'\\', b'\n', bytes);
    memchr::memchr(b'\r', &bytes[..stop.unwrap_or(bytes.len())]).or(stop)
}

/// What `rest`, the text after a line end, starts with; leading spaces and tabs are counted up to
/// `cap` and one more.
fn next_line(rest: &[u8], cap: usize) -> NextLine {
    let mut k = 0;
    loop {
        match rest.get(k) {
            None => return NextLine::NeedMore,
            Some(b' ' | b'\t') if k == cap => {
                return NextLine::Line {
                    indent: cap + 1,
                    first: None,
                    second: None,
                }
            }
            Some(b' ' | b'\t') => k += 1,
            Some(b'\n' | b'\r') => return NextLine::Blank,
            Some(&first) => {
                return match rest.get(k + 1) {
                    None => NextLine::NeedMore,
                    Some(&second) => NextLine::Line {
                        indent: k,
                        first: Some(first),
                        second: Some(second),
                    },
                }
            }
        }
    }
}

impl Framer {
    pub fn new(max_record: usize) -> Self {
        Framer {
            buf: Vec::new(),
            pos: 0,
            base: 0,
            line: 1,
            in_array: false,
            scan: None,
            junk: None,
            nl_search_from: 0,
            skipping_line: false,
            max_record,
            shape: Shape::default(),
            before: b'\n',
            remains: None,
        }
    }

    /// How the records of the text were laid out so far.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Starts counting offsets at `n`: bytes before the text (a byte order mark) were skipped.
    pub fn skip_prefix(&mut self, n: u64) {
        self.base += n;
    }

    /// Bytes held for a record not yet complete.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Everything pushed is framed, it ends with a line feed, and no array is open: the next
    /// byte starts a line that is framed on its own, as if it started the text.
    pub fn between_lines(&self) -> bool {
        self.pos == self.buf.len() && self.idle() && self.byte_before(self.pos) == b'\n'
    }

    /// Offset of the end of the text pushed so far.
    pub fn offset(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Lines ended so far.
    pub fn lines(&self) -> u64 {
        self.line - 1
    }

    /// Counts a part of the text framed elsewhere ([`super::Ingest::take_part`]) as read, from a
    /// point [`Framer::between_lines`]: its `bytes`, the `lines` it ended, and how its records lay.
    pub fn skip_part(&mut self, bytes: u64, lines: u64, shape: Shape) {
        self.base += bytes;
        self.line += lines;
        self.shape.array |= shape.array;
        self.shape.single_line += shape.single_line;
        self.shape.multi_line += shape.multi_line;
    }

    pub fn push(&mut self, mut chunk: &[u8], sink: &mut impl RecordSink) {
        if self.pos < self.buf.len() {
            // Complete the line held from the last chunk first.
            let Some(mut nl) = memchr2(b'\n', b'\r', chunk) else {
                self.buf.extend_from_slice(chunk);
                self.run(sink, false);
                self.compact();
                return;
            };
            if chunk[nl] == b'\r' && chunk.get(nl + 1) == Some(&b'\n') {
                nl += 1;
            }
            self.buf.extend_from_slice(&chunk[..=nl]);
            self.run(sink, false);
            chunk = &chunk[nl + 1..];
        }
        if self.pos == self.buf.len() && self.idle() {
            let taken = self.direct_lines(chunk, sink);
            chunk = &chunk[taken..];
        }
        self.buf.extend_from_slice(chunk);
        self.run(sink, false);
        self.compact();
    }

    /// Nothing is pending: no value followed across lines, no run of text, no line skipped,
    /// no array open.
    fn idle(&self) -> bool {
        self.scan.is_none()
            && self.junk.is_none()
            && !self.skipping_line
            && !self.in_array
            && self.remains.is_none()
    }

    /// The NDJSON fast path: frames whole lines that are one record each straight from `chunk`,
    /// without copying them into `buf` (which must hold nothing unread), and stops at the first
    /// line that needs more (text, whitespace, an array, a record spanning lines or broken, the
    /// unfinished last line), which the caller frames as usual. Returns the bytes taken.
    fn direct_lines(&mut self, chunk: &[u8], sink: &mut impl RecordSink) -> usize {
        // Kept until a line is taken: the start of the line the chunk continues.
        let held = self.buf.len() as u64;
        let mut at = 0;
        while chunk.get(at) == Some(&b'{') {
            let Some(nl) = memchr2(b'\n', b'\r', &chunk[at..]) else {
                break;
            };
            let line_end = at + nl;
            if line_end - at > self.max_record {
                break;
            }
            let mut end = line_end;
            while end > at && is_ws(chunk[end - 1]) {
                end -= 1;
            }
            let position = Position {
                line: self.line,
                offset: self.base + held + at as u64,
            };
            if sink.record(&chunk[at..end], position).is_err() {
                break; // framed again below, where the error is handled
            }
            self.shape.single_line += 1;
            self.line += 1;
            at = line_end + 1;
            if chunk[line_end] == b'\r' && chunk.get(at) == Some(&b'\n') {
                at += 1;
            }
        }
        if at > 0 {
            self.base += held + at as u64;
            self.before = chunk[at - 1];
            self.buf.clear();
            self.pos = 0;
            self.nl_search_from = 0;
        }
        at
    }

    pub fn finish(&mut self, sink: &mut impl RecordSink) {
        self.run(sink, true);
        self.flush_junk(sink);
        self.buf.clear();
        self.pos = 0;
    }

    fn position(&self, idx: usize) -> Position {
        Position {
            line: self.line,
            offset: self.base + idx as u64,
        }
    }

    fn compact(&mut self) {
        let keep_from = match &self.scan {
            Some(s) if !s.oversized => s.start,
            _ => self.pos,
        };
        // The start of its line too, for the indentation of a record starting there
        // ([`Framer::indent_of_line_at`]): what is framed does not depend on the chunking.
        let keep_from = self.line_start_near(keep_from).unwrap_or(keep_from);
        if keep_from == 0 || keep_from < self.buf.len() / 2 && keep_from < (1 << 20) {
            return;
        }
        self.before = self.buf[keep_from - 1];
        self.buf.drain(..keep_from);
        self.base += keep_from as u64;
        self.pos -= keep_from;
        self.nl_search_from = self.nl_search_from.saturating_sub(keep_from);
        if let Some(s) = self.scan.as_mut() {
            s.start = s.start.saturating_sub(keep_from);
            s.cursor -= keep_from;
        }
    }

    /// Where the line `buf[i]` is on starts, when that is at most [`MAX_INDENT_LOOKBACK`] bytes
    /// back (0 when it starts at or before `buf[0]` and `i` is that close).
    fn line_start_near(&self, i: usize) -> Option<usize> {
        let from = i.saturating_sub(MAX_INDENT_LOOKBACK);
        match memchr::memrchr2(b'\n', b'\r', &self.buf[from..i]) {
            Some(k) => Some(from + k + 1),
            None => (from == 0).then_some(0),
        }
    }

    /// Leading spaces and tabs of the line a record starting at `buf[start]` is on, when its
    /// start is at most [`MAX_INDENT_LOOKBACK`] bytes back (compaction keeps it).
    fn indent_of_line_at(&self, start: usize) -> Option<usize> {
        let line_start = self.line_start_near(start)?;
        if line_start == 0 && !matches!(self.before, b'\n' | b'\r') {
            return None;
        }
        let head = &self.buf[line_start..start];
        Some(
            head.iter()
                .take_while(|&&c| c == b' ' || c == b'\t')
                .count(),
        )
    }

    /// Skips the rest of a record that closed too early ([`Remains`]): the rest of the line it
    /// closed on, then lines indented deeper than it, then its closing bracket. Returns false
    /// when more bytes are needed.
    fn skip_remains(&mut self, eof: bool) -> bool {
        let Some(mut r) = self.remains else {
            return true;
        };
        loop {
            if !r.line_start {
                match self.line_end() {
                    Some(nl) => {
                        self.advance_lines(nl + 1);
                        r.line_start = true;
                    }
                    None => {
                        self.advance_lines(self.buf.len());
                        self.remains = (!eof).then_some(r);
                        return eof;
                    }
                }
                continue;
            }
            match next_line(&self.buf[self.pos..], r.indent) {
                NextLine::NeedMore if !eof => {
                    self.remains = Some(r);
                    return false;
                }
                NextLine::Blank => {
                    let k = self.buf[self.pos..]
                        .iter()
                        .position(|&c| c == b'\n' || c == b'\r')
                        .unwrap_or(0);
                    self.advance_lines(self.pos + k + 1);
                }
                NextLine::Line { indent, .. } if indent > r.indent => r.line_start = false,
                NextLine::Line {
                    indent,
                    first: Some(b'}' | b']'),
                    ..
                } if indent == r.indent => {
                    self.advance_lines(self.pos + indent + 1);
                    self.remains = None;
                    return true;
                }
                NextLine::NeedMore | NextLine::Line { .. } => {
                    self.remains = None;
                    return true;
                }
            }
        }
    }

    /// The byte before `buf[i]`.
    fn byte_before(&self, i: usize) -> u8 {
        i.checked_sub(1).map_or(self.before, |p| self.buf[p])
    }

    fn advance_lines(&mut self, to: usize) {
        self.line += line_ends(&self.buf[self.pos..to], self.byte_before(self.pos));
        self.pos = to;
    }

    /// End of the line starting at `pos` (index of its CR or LF), if it is in the buffer.
    fn line_end(&mut self) -> Option<usize> {
        let from = self.nl_search_from.max(self.pos);
        match memchr2(b'\n', b'\r', &self.buf[from..]) {
            Some(i) => Some(from + i),
            None => {
                self.nl_search_from = self.buf.len();
                None
            }
        }
    }

    fn flush_junk(&mut self, sink: &mut impl RecordSink) {
        if let Some(run) = self.junk.take() {
            let sample = sample_text(&run.sample, 60);
            sink.problem(
                Problem::NotJson {
                    lines: run.lines,
                    sample,
                },
                run.at,
            );
        }
    }

    fn run(&mut self, sink: &mut impl RecordSink, eof: bool) {
        loop {
            if self.scan.is_some() {
                if !self.continue_scan(sink, eof) {
                    return;
                }
                continue;
            }
            if self.remains.is_some() {
                if !self.skip_remains(eof) {
                    return;
                }
                continue;
            }
            if self.skipping_line {
                match self.line_end() {
                    Some(nl) => {
                        self.skipping_line = false;
                        self.advance_lines(nl + 1);
                    }
                    None => {
                        self.pos = self.buf.len();
                        return;
                    }
                }
                continue;
            }
            // Skip whitespace (and commas between array elements).
            while self.pos < self.buf.len() {
                let c = self.buf[self.pos];
                if c == b'\r' || c == b'\n' && self.byte_before(self.pos) != b'\r' {
                    self.line += 1;
                } else if !(is_ws(c) || self.in_array && c == b',') {
                    break;
                }
                self.pos += 1;
            }
            if self.pos >= self.buf.len() {
                return;
            }
            let at_line_start = matches!(self.byte_before(self.pos), b'\n' | b'\r');
            match self.buf[self.pos] {
                b'[' if !self.in_array => {
                    self.flush_junk(sink);
                    self.in_array = true;
                    self.shape.array = true;
                    self.pos += 1;
                }
                b']' if self.in_array => {
                    self.in_array = false;
                    self.pos += 1;
                }
                b'{' | b'[' => {
                    self.flush_junk(sink);
                    if !self.record_at(sink, eof) {
                        return;
                    }
                }
                b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' if self.in_array => {
                    self.flush_junk(sink);
                    if !self.scalar_at(sink, eof) {
                        return;
                    }
                }
                _ => {
                    if !self.junk_line(sink, eof, at_line_start) {
                        return;
                    }
                }
            }
        }
    }

    /// Frames the record starting at `pos`. Returns false when more bytes are needed.
    fn record_at(&mut self, sink: &mut impl RecordSink, eof: bool) -> bool {
        let start = self.pos;
        let line_end = match self.line_end() {
            Some(nl) => nl,
            None if eof => self.buf.len(),
            None => {
                if self.buf.len() - start > self.max_record {
                    self.skip_line_too_large(sink, start);
                }
                return false;
            }
        };
        let mut end = line_end;
        while end > start && is_ws(self.buf[end - 1]) {
            end -= 1;
        }
        if self.in_array && end > start && self.buf[end - 1] == b',' {
            end -= 1;
        }
        let at = self.position(start);
        // The line as it stands, as when it does not fit in the buffer (above).
        if line_end - start > self.max_record {
            sink.problem(
                Problem::TooLarge {
                    limit: self.max_record,
                },
                at,
            );
            self.advance_lines((line_end + 1).min(self.buf.len()));
            return true;
        }
        let result = sink.record(&self.buf[start..end], at);
        if !matches!(result, Err(RecordError::Incomplete)) {
            self.shape.single_line += 1;
        }
        match result {
            Ok(()) => {
                self.advance_lines((line_end + 1).min(self.buf.len()));
                true
            }
            Err(RecordError::Incomplete) => {
                let indent = self.indent_of_line_at(start);
                self.scan = Some(Scan {
                    start,
                    cursor: start,
                    depth: 0,
                    in_str: false,
                    at,
                    oversized: false,
                    indent,
                    layout: Layout::FirstLine,
                    line_indent: indent.unwrap_or(0),
                    line_head: false,
                    object: self.buf[start] == b'{',
                    opener_only: true,
                });
                true
            }
            Err(RecordError::Invalid(problem)) => {
                match value_end(&self.buf[start..end]) {
                    // The line holds a value followed by something else: take the value alone.
                    Some(len) if start + len < end => {
                        match sink.record(&self.buf[start..start + len], at) {
                            Ok(()) => {}
                            Err(RecordError::Invalid(p)) => sink.problem(p, at),
                            Err(RecordError::Incomplete) => sink.problem(problem, at),
                        }
                        self.pos = start + len;
                    }
                    _ => {
                        sink.problem(problem, at);
                        self.advance_lines((line_end + 1).min(self.buf.len()));
                    }
                }
                true
            }
        }
    }

    /// Follows a value across lines. Returns false when more bytes are needed.
    fn continue_scan(&mut self, sink: &mut impl RecordSink, eof: bool) -> bool {
        let Some(mut s) = self.scan.take() else {
            return true;
        };
        let buf = &self.buf;
        let cap = s.indent.unwrap_or(0);
        let mut i = s.cursor;
        let mut closed = None;
        let mut resync = None;
        // The line end a string of a value still on its first line runs over: it was cut there.
        let mut cut = None;
        let mut early = false;
        while i < buf.len() {
            if s.in_str {
                let Some(k) = string_stop(&buf[i..]) else {
                    i = buf.len();
                    break;
                };
                i += k;
                match buf[i] {
                    b'"' => {
                        s.in_str = false;
                        i += 1;
                    }
                    b'\\' => match buf.get(i + 1) {
                        None => break,
                        // An escaped line end is a line end in a string all the same.
                        Some(b'\n' | b'\r') => i += 1,
                        Some(_) => i += 2,
                    },
                    _ if s.layout == Layout::FirstLine => {
                        cut = Some(i);
                        break;
                    }
                    // The string ends at the line end (the record is broken: the sink says so
                    // when it closes), which is then read as one outside a string.
                    _ => s.in_str = false,
                }
                continue;
            }
            let head = std::mem::replace(&mut s.line_head, false);
            if s.layout == Layout::FirstLine && s.depth > 0 && !is_ws(buf[i]) {
                s.opener_only = false;
            }
            match buf[i] {
                b'"' => s.in_str = true,
                b'{' | b'[' => s.depth += 1,
                b'}' | b']' => {
                    s.depth = s.depth.saturating_sub(1);
                    if s.depth == 0 {
                        // On a line of its own indented deeper than the record's first: a cut
                        // took an opening bracket, and the record goes on after it.
                        early = s.layout == Layout::Indented && head && s.line_indent > cap;
                        closed = Some(i + 1);
                        break;
                    }
                }
                b' ' | b'\t' => s.line_head = head,
                b'\n' | b'\r' if s.depth > 0 => match next_line(&buf[i + 1..], cap) {
                    NextLine::NeedMore if !eof => break,
                    NextLine::NeedMore | NextLine::Blank => {}
                    NextLine::Line {
                        indent,
                        first,
                        second,
                    } => {
                        let deeper = indent > cap;
                        // Past its first line, a record holding more than its opening bracket
                        // there goes on deeper indented, and an object's next line holds a key
                        // or its end: otherwise it is a one-line record cut short.
                        let mut cut_short = false;
                        if s.layout == Layout::FirstLine {
                            s.layout = if deeper && s.indent.is_some() {
                                Layout::Indented
                            } else {
                                Layout::Flat
                            };
                            cut_short = if s.opener_only {
                                s.object && !deeper && !matches!(first, Some(b'"' | b'}'))
                            } else {
                                !deeper
                            };
                        }
                        s.line_indent = indent;
                        s.line_head = true;
                        // A compact record at column 0, or in a pretty-printed value a line at
                        // the value's indentation that opens another or one indented less,
                        // means the value was cut short: pretty-printers indent everything
                        // nested.
                        let compact = indent == 0 && first == Some(b'{') && second == Some(b'"');
                        let outdented = s.layout == Layout::Indented
                            && (indent < cap
                                || indent == cap && matches!(first, Some(b'{' | b'[')));
                        if cut_short || compact || outdented {
                            resync = Some(i + 1);
                            break;
                        }
                    }
                },
                _ => {}
            }
            i += 1;
        }
        s.cursor = i;
        let too_large = Problem::TooLarge {
            limit: self.max_record,
        };
        // Over the limit is told by where the value ends (closes, is cut short, or the file
        // ends), which does not depend on the chunking; when the bytes come in several pushes
        // it is told as soon as the limit is passed, and the rest is skipped as it comes.
        if let Some(nl) = cut {
            self.shape.single_line += 1;
            self.advance_lines(nl + 1);
            if !s.oversized {
                if nl - s.start > self.max_record {
                    sink.problem(too_large, s.at);
                } else {
                    sink.problem(
                        Problem::CutInString {
                            line: s.at.line,
                            resumed_line: self.line,
                        },
                        s.at,
                    );
                }
            }
            return true;
        }
        if let Some(end) = closed {
            self.shape.multi_line += 1;
            self.advance_lines(end);
            if early {
                self.remains = Some(Remains {
                    indent: cap,
                    line_start: false,
                });
            }
            if s.oversized {
                return true;
            }
            if end - s.start > self.max_record {
                sink.problem(too_large, s.at);
            } else if early {
                sink.problem(
                    Problem::ClosesEarly {
                        start_line: s.at.line,
                        line: self.line,
                    },
                    s.at,
                );
            } else if let Err(e) = sink.record(&self.buf[s.start..end], s.at) {
                let p = match e {
                    RecordError::Invalid(p) => p,
                    RecordError::Incomplete => Problem::Truncated {
                        start_line: s.at.line,
                    },
                };
                sink.problem(p, s.at);
            }
            return true;
        }
        if let Some(next) = resync {
            self.advance_lines(next);
            if !s.oversized {
                if next - s.start > self.max_record {
                    sink.problem(too_large, s.at);
                } else {
                    sink.problem(
                        Problem::Unclosed {
                            start_line: s.at.line,
                            resumed_line: self.line,
                        },
                        s.at,
                    );
                }
            }
            return true;
        }
        if eof {
            if !s.oversized {
                if self.buf.len() - s.start > self.max_record {
                    sink.problem(too_large, s.at);
                } else {
                    sink.problem(
                        Problem::Truncated {
                            start_line: s.at.line,
                        },
                        s.at,
                    );
                }
            }
            self.advance_lines(self.buf.len());
            return true;
        }
        if !s.oversized && s.cursor - s.start > self.max_record {
            sink.problem(too_large, s.at);
            s.oversized = true;
        }
        if s.oversized {
            // Counted, then dropped by the next compaction.
            self.advance_lines(s.cursor);
        }
        self.scan = Some(s);
        false
    }

    /// Frames a scalar element of an array (a number, string, `true`, `false` or `null`) for the
    /// sink to report. Returns false when more bytes are needed.
    fn scalar_at(&mut self, sink: &mut impl RecordSink, eof: bool) -> bool {
        let start = self.pos;
        let end = match scalar_len(&self.buf[start..]) {
            Some(len) => start + len,
            None if eof => self.buf.len(),
            None => {
                if self.buf.len() - start > self.max_record {
                    self.skip_line_too_large(sink, start);
                }
                return false;
            }
        };
        let at = self.position(start);
        if end - start > self.max_record {
            self.skip_line_too_large(sink, start);
            self.pos = end;
            return true;
        }
        match sink.record(&self.buf[start..end], at) {
            Ok(()) => {}
            Err(RecordError::Invalid(p)) => sink.problem(p, at),
            Err(RecordError::Incomplete) => self.extend_junk(start, end),
        }
        self.pos = end;
        true
    }

    /// Reports the value at `start` as over the limit and skips the rest of its line.
    fn skip_line_too_large(&mut self, sink: &mut impl RecordSink, start: usize) {
        sink.problem(
            Problem::TooLarge {
                limit: self.max_record,
            },
            self.position(start),
        );
        self.skipping_line = true;
        self.pos = self.buf.len();
    }

    /// Reads text up to the end of the line as not-JSON. Returns false when more bytes are needed.
    fn junk_line(&mut self, sink: &mut impl RecordSink, eof: bool, at_line_start: bool) -> bool {
        let start = self.pos;
        let line_end = match self.line_end() {
            Some(nl) => nl,
            None if eof => self.buf.len(),
            None => {
                if self.buf.len() - start > self.max_record {
                    self.extend_junk(start, self.buf.len());
                    self.skipping_line = true;
                    self.pos = self.buf.len();
                }
                return false;
            }
        };
        // A line over the limit is not offered as text, as when it does not fit in the buffer
        // (above), and its sample is taken the same way.
        if line_end - start > self.max_record {
            self.extend_junk(start, line_end);
            self.advance_lines((line_end + 1).min(self.buf.len()));
            return true;
        }
        let mut end = line_end;
        while end > start && is_ws(self.buf[end - 1]) {
            end -= 1;
        }
        if at_line_start {
            let at = self.position(start);
            let line = self.buf[start..end].to_vec();
            if sink.text_line(&line, at) {
                self.flush_junk(sink);
                self.advance_lines((line_end + 1).min(self.buf.len()));
                return true;
            }
        }
        self.extend_junk(start, end);
        self.advance_lines((line_end + 1).min(self.buf.len()));
        true
    }

    fn extend_junk(&mut self, start: usize, end: usize) {
        let at = self.position(start);
        let run = self.junk.get_or_insert_with(|| JunkRun {
            at,
            lines: 0,
            sample: Vec::new(),
        });
        run.lines += 1;
        if run.sample.len() < 80 {
            // At most the first `max_record + 1` bytes: all a line over the limit is sure to
            // have when it is seen to be over.
            let take = (end - start)
                .min(80 - run.sample.len())
                .min(self.max_record + 1);
            if !run.sample.is_empty() {
                run.sample.push(b' ');
            }
            run.sample.extend_from_slice(&self.buf[start..start + take]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what the framer hands out; a record is accepted when it parses as JSON.
    #[derive(Default)]
    struct Seen {
        records: Vec<(String, u64, u64)>,
        problems: Vec<(String, u64)>,
        text: Vec<String>,
    }

    impl RecordSink for Seen {
        fn record(&mut self, bytes: &[u8], at: Position) -> Result<(), RecordError> {
            match serde_json::from_slice::<serde_json::Value>(bytes) {
                Ok(_) => {
                    self.records.push((
                        String::from_utf8_lossy(bytes).into_owned(),
                        at.line,
                        at.offset,
                    ));
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
            self.problems.push((problem.to_string(), at.line));
        }
        fn text_line(&mut self, line: &[u8], _: Position) -> bool {
            let l = String::from_utf8_lossy(line).into_owned();
            let ok = l.starts_with("UI ");
            if ok {
                self.text.push(l);
            }
            ok
        }
    }

    fn frame(input: &str, chunk: usize) -> Seen {
        let mut f = Framer::new(1 << 20);
        let mut seen = Seen::default();
        for c in input.as_bytes().chunks(chunk.max(1)) {
            f.push(c, &mut seen);
        }
        f.finish(&mut seen);
        seen
    }

    fn lines_of(s: &Seen) -> Vec<u64> {
        s.records.iter().map(|r| r.1).collect()
    }

    #[test]
    fn ndjson_lf_crlf_and_cr_only() {
        for input in [
            "{\"a\":1}\n{\"a\":2}\n",
            "{\"a\":1}\r\n{\"a\":2}\r\n",
            "{\"a\":1}\r{\"a\":2}\r",
            "{\"a\":1}\n{\"a\":2}",
        ] {
            for chunk in [1, 3, 100] {
                let s = frame(input, chunk);
                assert_eq!(s.records.len(), 2, "{input:?} chunk {chunk}");
                assert!(s.problems.is_empty(), "{input:?}: {:?}", s.problems);
            }
        }
    }

    /// Regression: a lone CR did not end a line, so a broken record swallowed the records after
    /// it and line numbers stopped moving.
    #[test]
    fn every_kind_of_line_end_counts_whatever_the_chunking() {
        let input = "{\"a\":1}\r{\"b\":\r{\"a\":2}\r\n\r\n{\"a\":3}\n\r{\"a\":4}\r";
        for chunk in 1..=input.len() {
            let s = frame(input, chunk);
            assert_eq!(lines_of(&s), [1, 3, 5, 7], "chunk {chunk}");
            assert_eq!(s.problems.len(), 1, "chunk {chunk}: {:?}", s.problems);
            assert!(s.problems[0].0.contains("reading resumed at line 3"));
        }
    }

    /// Regression: a scalar in a JSON array made the rest of its line one run of text.
    #[test]
    fn scalars_and_arrays_in_an_array_are_elements_of_their_own() {
        let input = "[1, \"two\\\" ]\", null, {\"a\":1}, [2, [3]], -4.5e1, true]\n";
        for chunk in [1, 4, input.len()] {
            let s = frame(input, chunk);
            assert_eq!(
                s.records.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
                [
                    "1",
                    "\"two\\\" ]\"",
                    "null",
                    "{\"a\":1}",
                    "[2, [3]]",
                    "-4.5e1",
                    "true"
                ],
                "chunk {chunk}"
            );
            assert!(s.problems.is_empty(), "{:?}", s.problems);
        }
    }

    #[test]
    fn json_array_streamed_by_element_with_offsets() {
        let input = "[\n  {\"a\":1},\n  {\"a\":2}, {\"a\":3}\n]\n";
        let s = frame(input, 2);
        assert_eq!(
            s.records.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"]
        );
        assert_eq!(lines_of(&s), [2, 3, 3]);
        assert_eq!(s.records[0].2, input.find("{\"a\":1}").unwrap() as u64);
    }

    #[test]
    fn pretty_printed_and_concatenated_values() {
        let input = "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n{\"c\":2} {\"d\":3}\n{\n\"e\":\n{\n\"f\":\"}\"\n}\n}";
        let s = frame(input, 5);
        assert_eq!(s.records.len(), 4, "{:?}", s.problems);
        assert_eq!(lines_of(&s), [1, 6, 6, 7]);
    }

    #[test]
    fn broken_line_does_not_swallow_the_next_ones() {
        let input = "{\"a\":\"x\"y\",\"b\":[1,2\n{\"ok\":1}\n{\"bad\":1,}\n{\"ok\":2}\n";
        let s = frame(input, 4);
        assert_eq!(
            s.records.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["{\"ok\":1}", "{\"ok\":2}"]
        );
        assert_eq!(s.problems.iter().map(|p| p.1).collect::<Vec<_>>(), [1, 3]);
    }

    #[test]
    fn unclosed_pretty_value_resumes_at_the_next_compact_record() {
        let input = "{\n  \"a\": {\n    \"b\": 1\n{\"ok\":1}\n";
        let s = frame(input, 3);
        assert_eq!(s.records.len(), 1);
        assert!(
            s.problems[0]
                .0
                .contains("never closes; reading resumed at line 4"),
            "{:?}",
            s.problems
        );
    }

    #[test]
    fn truncated_file_is_reported_at_the_record_start() {
        let s = frame("{\"ok\":1}\n{\n  \"a\": [1, 2", 3);
        assert_eq!(s.records.len(), 1);
        assert_eq!(s.problems, [("the file ends inside a JSON record that started at line 2 (truncated or unbalanced)".to_owned(), 2)]);
    }

    #[test]
    fn runs_of_text_are_one_problem_and_ui_lines_are_offered_to_the_sink() {
        let input = "\"action\": \"x\",\n\"message\": \"y\"\n}\nUI line\n{\"ok\":1}\nnot json\n";
        let s = frame(input, 1);
        assert_eq!(s.text, ["UI line"]);
        assert_eq!(s.records.len(), 1);
        assert_eq!(s.problems.len(), 2, "{:?}", s.problems);
        assert!(
            s.problems[0].0.starts_with("3 line(s) of text"),
            "{:?}",
            s.problems
        );
        assert_eq!((s.problems[0].1, s.problems[1].1), (1, 6));
    }

    /// Regression: with 1-byte chunks, compaction dropped the newline before `buf[0]` and the
    /// next line was no longer seen as starting a line, so UI text lines were reported as junk.
    #[test]
    fn line_start_survives_compaction_with_one_byte_chunks() {
        let s = frame("UI a\nUI b\nUI c\n", 1);
        assert_eq!(s.text, ["UI a", "UI b", "UI c"]);
    }

    /// Whole lines go to the sink straight from the chunk; whatever else they meet (a broken
    /// line, text, a pretty-printed value, a line cut by the chunk end) is framed as before.
    #[test]
    fn lines_read_straight_from_the_chunk_keep_their_lines_offsets_and_problems() {
        let input = "{\"a\":1}\r\n{\"a\":2}\n{\"bad\":1,}\n{\"a\":3}\nUI x\n{\n\"p\":1\n}\n{\"a\":4} {\"a\":5}\n{\"a\":6}";
        let expected = [
            ("{\"a\":1}", 1, 0),
            ("{\"a\":2}", 2, 9),
            ("{\"a\":3}", 4, 28),
            ("{\n\"p\":1\n}", 6, 41),
            ("{\"a\":4}", 9, 51),
            ("{\"a\":5}", 9, 59),
            ("{\"a\":6}", 10, 67),
        ];
        for chunk in [input.len(), 12, 30, 45] {
            let s = frame(input, chunk);
            let got: Vec<_> = s
                .records
                .iter()
                .map(|(r, line, offset)| (r.as_str(), *line, *offset))
                .collect();
            assert_eq!(got, expected, "chunk {chunk}");
            assert_eq!(s.text, ["UI x"]);
            assert_eq!(s.problems.iter().map(|p| p.1).collect::<Vec<_>>(), [3]);
        }
    }

    /// Regression: a line cut inside a string made every later line part of one unclosed record,
    /// so the events on them were lost and the file read as 2 records.
    #[test]
    fn a_line_cut_inside_a_string_costs_that_line_only() {
        for cut in [
            "{\"a\":\"x",
            "{\"a\":\"x\\",
            "{\"a\":\"x\\u00",
            "{\"a",
            "{\"ok\":1} {\"b\":\"",
        ] {
            for end in ["\n", "\r\n", "\r"] {
                let input = format!(
                    "{{\"ok\":1}}{end}{cut}{end}{{\"ok\":2}}{end}UI x{end}{{\"ok\":3}}{end}"
                );
                for chunk in 1..=input.len() {
                    let s = frame(&input, chunk);
                    let ok = s
                        .records
                        .iter()
                        .filter(|r| r.0.starts_with("{\"ok\""))
                        .count();
                    assert_eq!(
                        ok,
                        3 + usize::from(cut.starts_with("{\"ok")),
                        "{input:?} chunk {chunk}"
                    );
                    assert_eq!(lines_of(&s).last(), Some(&5), "{input:?} chunk {chunk}");
                    assert_eq!(s.text, ["UI x"], "{input:?} chunk {chunk}");
                    assert_eq!(
                        s.problems.len(),
                        1,
                        "{input:?} chunk {chunk}: {:?}",
                        s.problems
                    );
                    assert_eq!(s.problems[0].1, 2);
                    assert!(
                        s.problems[0].0.contains("cut inside a string")
                            && s.problems[0].0.ends_with("reading resumed at line 3"),
                        "{:?}",
                        s.problems
                    );
                }
            }
        }
    }

    const PRETTY: &str =
        "{\n  \"a\": {\n    \"b\": [\n      1\n    ],\n    \"c\": \"x\"\n  },\n  \"d\": 2\n}\n";

    /// A pretty-printed record with one line cut at `at` bytes, between two good ones: one
    /// problem, at the cut record's first line, and both good records read, whatever the chunking
    /// and whether the records are concatenated or the elements of an array.
    fn cut_pretty_costs_one_record(line: usize, at: usize) {
        let mut lines: Vec<String> = PRETTY.lines().map(str::to_owned).collect();
        lines[line].truncate(at);
        let cut = lines.join("\n") + "\n";
        if serde_json::from_str::<serde_json::Value>(&cut).is_ok() {
            return;
        }
        let indent = |text: &str| -> String { text.lines().map(|l| format!("  {l}\n")).collect() };
        let concatenated = format!("{PRETTY}{cut}{PRETTY}");
        let array = format!(
            "[\n{},\n{},\n{}]\n",
            indent(PRETTY).trim_end(),
            indent(&cut).trim_end(),
            indent(PRETTY).trim_end()
        );
        for (input, first_line) in [(concatenated, 10), (array, 11)] {
            for chunk in [1, 7, input.len()] {
                let s = frame(&input, chunk);
                assert_eq!(
                    s.records.len(),
                    2,
                    "line {line} at {at}, chunk {chunk}:\n{input}\n{:?}",
                    s.problems
                );
                assert_eq!(
                    s.problems.iter().map(|p| p.1).collect::<Vec<_>>(),
                    [first_line],
                    "line {line} at {at}, chunk {chunk}:\n{input}"
                );
            }
        }
    }

    /// Cuts that take an opening bracket (the record closes too early), a closing one (it never
    /// closes) or end a line inside a string.
    #[test]
    fn a_cut_in_a_pretty_printed_record_costs_that_record_only() {
        let lines: Vec<&str> = PRETTY.lines().collect();
        for (line, text) in lines.iter().enumerate() {
            for at in 1..text.len() {
                cut_pretty_costs_one_record(line, at);
            }
        }
    }

    /// A line end inside a string of a record spanning lines (as a published sample has it) is
    /// one broken record, not a cut that ends it.
    #[test]
    fn a_line_end_inside_a_string_of_a_multi_line_record_is_one_problem() {
        let input = "{\n\"a\":\"x\ny\",\n\"b\":1\n}\n{\"ok\":1}\n";
        for chunk in [1, 5, input.len()] {
            let s = frame(input, chunk);
            assert_eq!(lines_of(&s), [6], "chunk {chunk}");
            assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
            assert!(
                s.problems[0].0.contains("control character"),
                "{:?}",
                s.problems
            );
        }
    }

    /// Found by a chunking fuzz: a record that passed the limit among blank lines, before its
    /// second line, read its first line from where compaction had dropped it (a panic).
    #[test]
    fn an_oversized_record_among_blank_lines_is_one_problem() {
        let input = format!("{{{}\"a\":1}}\n{{\"c\":2}}\n", "\n".repeat(20));
        for chunk in 1..=input.len() {
            let mut f = Framer::new(16);
            let mut seen = Seen::default();
            for c in input.as_bytes().chunks(chunk) {
                f.push(c, &mut seen);
            }
            f.finish(&mut seen);
            assert_eq!(lines_of(&seen), [22], "chunk {chunk}: {:?}", seen.problems);
            assert_eq!(seen.problems.len(), 1, "chunk {chunk}: {:?}", seen.problems);
            assert!(seen.problems[0].0.contains("larger than the 16 byte limit"));
        }
    }

    #[test]
    fn oversized_record_is_skipped_with_a_problem() {
        let mut f = Framer::new(64);
        let mut seen = Seen::default();
        let big = format!("{{\"a\":\"{}\"}}\n{{\"ok\":1}}\n", "x".repeat(200));
        for c in big.as_bytes().chunks(16) {
            f.push(c, &mut seen);
        }
        f.finish(&mut seen);
        assert_eq!(seen.records.len(), 1);
        assert!(seen.problems[0].0.contains("larger than the 64 byte limit"));
        assert!(f.buffered() == 0);
    }
}
