//! The collector behind `events` and `extract`: each new event is written as one line as soon as
//! it is read, and only the keys of the events written are held (with the content key and line
//! of the first event of each key; for `extract`, also a hash of each user and actor written, and
//! bounded naming records), so memory does not grow with the input, only with the events written,
//! which the events and memory caps bound. A record whose key was written with another content
//! reuses an id: it is written too, with a diagnostic.

use authtrail_core::collect::Collector;
use authtrail_core::decode::content_key;
use authtrail_core::diag::Problem;
use authtrail_core::export::ndjson_line;
use authtrail_core::record::Span;
use authtrail_core::text::{prose, visible};
use authtrail_core::{Diagnostic, Event};
use serde_json::json;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::io::{self, Write};

/// What is written for each event.
#[derive(Debug, Clone, Copy)]
pub enum Line {
    /// `{"file", "offset", "event"}` with the normalized event.
    Normalized,
    /// The event's original record, on one line.
    Original,
}

/// The latest record pairing an identifier with a name ([`Event::alias`]), as the store picks it:
/// the latest time, then the greatest name.
#[derive(Debug)]
struct Naming {
    time: i64,
    /// The record's original text, when it was not written (outside the subset).
    unwritten: Option<Vec<u8>>,
}

/// In [`Streamed::seen`], the bits of a record's line, below its file's index.
const LINE_BITS: u32 = 48;

/// Records that name identifiers are held for at most this many (identifier, name) pairs, and at
/// most this many bytes of them in all (with the identifiers and names): memory stays bounded.
const MAX_NAMINGS: usize = 10_000;
const MAX_NAMING_BYTES: usize = 64 << 20;

/// The same hash in every run, for the users and actors written.
type Fixed = BuildHasherDefault<DefaultHasher>;

#[derive(Debug)]
pub struct Streamed<W: Write> {
    pub out: W,
    line: Line,
    names: Vec<String>,
    /// The bytes of `names`.
    names_bytes: usize,
    /// Per key of the events written: the first one's content key, and its file and line (the
    /// file's index above [`LINE_BITS`]).
    seen: HashMap<u64, (u64, u64)>,
    /// The other contents written of a key: (key, content key).
    reused: HashSet<(u64, u64)>,
    /// Reused to write each event's content key.
    scratch: Vec<u8>,
    /// For original lines: per identifier and name, the latest record that pairs them (every name
    /// an identifier was given is kept, so the output shows the same other names).
    namings: HashMap<(String, String), Naming>,
    /// For original lines: the users and actors of the events written, by hash.
    used: HashSet<u64>,
    /// The bytes of the naming records held, with their identifiers and names.
    naming_bytes: usize,
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
            names_bytes: 0,
            seen: HashMap::new(),
            reused: HashSet::new(),
            scratch: Vec::new(),
            namings: HashMap::new(),
            used: HashSet::new(),
            naming_bytes: 0,
            error: None,
            shown: shown_diagnostics,
            diagnostics: 0,
        }
    }

    /// Says how many diagnostics were counted but not printed, if any.
    pub fn report_unshown(&self) {
        if self.diagnostics > self.shown {
            eprintln!(
                "authtrail: ... and {} more diagnostic(s)",
                self.diagnostics - self.shown
            );
        }
    }

    /// Keeps `event`'s naming of an identifier if it is the latest to give that name
    /// (`original`: the record's text, when it is not written).
    fn learn_name(&mut self, event: &Event<'_>, original: Option<&[u8]>) {
        let Some((id, name)) = &event.alias else {
            return;
        };
        let naming = || Naming {
            time: event.time,
            unwritten: original.map(<[u8]>::to_vec),
        };
        let unwritten = |n: &Naming| n.unwritten.as_ref().map_or(0, Vec::len);
        let held = original.map_or(0, <[u8]>::len);
        // A new pair holds its identifier and name too.
        let named = id.len() + name.len();
        let room = |n: Option<&Naming>| {
            let freed = n.map_or(0, unwritten);
            let new = if n.is_some() { held } else { held + named };
            self.naming_bytes - freed + new <= MAX_NAMING_BYTES
        };
        let key = (id.to_string(), name.to_string());
        match self.namings.get(&key) {
            Some(n) if event.time > n.time && room(Some(n)) => {
                let old = self.namings.insert(key, naming());
                self.naming_bytes -= old.as_ref().map_or(0, unwritten);
                self.naming_bytes += held;
            }
            None if self.namings.len() < MAX_NAMINGS && room(None) => {
                self.namings.insert(key, naming());
                self.naming_bytes += held + named;
            }
            _ => {}
        }
    }

    fn used_hash(who: &str) -> u64 {
        Fixed::default().hash_one(who)
    }

    /// For original lines, after the last file: writes the records outside the subset that give
    /// the names of identifiers the written events use (so that the output, read alone, shows them
    /// by the same names); returns how many.
    pub fn finish_names(&mut self) -> usize {
        let mut lines: Vec<(&(String, String), &Vec<u8>)> = self
            .namings
            .iter()
            .filter(|((id, _), _)| self.used.contains(&Self::used_hash(id)))
            .filter_map(|(key, n)| Some((key, n.unwritten.as_ref()?)))
            .collect();
        lines.sort();
        let mut written = 0;
        for (_, original) in lines {
            let mut line = Vec::with_capacity(original.len() + 1);
            ndjson_line(&mut line, original);
            if self.error.is_none() {
                match self.out.write_all(&line) {
                    Ok(()) => written += 1,
                    Err(e) => self.error = Some(e),
                }
            }
        }
        written
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
    fn add_file(&mut self, name: &str) -> u32 {
        self.names.push(name.to_owned());
        self.names_bytes += name.len();
        u32::try_from(self.names.len() - 1).expect("fewer than 2^32 files")
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
        let content = content_key(event, &mut self.scratch);
        let here = (u64::from(file) << LINE_BITS) | span.line.min((1 << LINE_BITS) - 1);
        match self.seen.entry(key) {
            Entry::Vacant(v) => {
                v.insert((content, here));
            }
            Entry::Occupied(o) => {
                let (first, at) = *o.get();
                if first == content || !self.reused.insert((key, content)) {
                    return false;
                }
                let first = (at >> LINE_BITS) as u16;
                let name = (first != file).then(|| self.names[usize::from(first)].as_str());
                let problem = Problem::SharedId {
                    id: event.id.as_deref().map(str::to_owned),
                    file: name.map(str::to_owned),
                    line: at & ((1 << LINE_BITS) - 1),
                };
                self.diagnostic(Diagnostic {
                    file: u32::from(file),
                    line: span.line,
                    offset: span.offset,
                    problem,
                });
            }
        }
        if matches!(self.line, Line::Original) {
            self.learn_name(event, None);
            for who in [&event.user, &event.actor].into_iter().flatten() {
                self.used.insert(Self::used_hash(who));
            }
        }
        if self.error.is_none() {
            if let Err(e) = self.write(file, event, span, original) {
                self.error = Some(e);
            }
        }
        true
    }
    fn kept(&self) -> u64 {
        (self.seen.len() + self.reused.len()) as u64
    }
    fn memory(&self) -> u64 {
        // A hash table entry: its key, its value and a control byte.
        let entries = self.seen.len() * 25 + self.reused.len() * 17 + self.used.len() * 9;
        (entries + self.names_bytes + self.naming_bytes) as u64
    }
    fn not_kept(&mut self, _file: u16, event: &Event<'_>, _span: Span, original: &[u8]) {
        if matches!(self.line, Line::Original) {
            self.learn_name(event, Some(original));
        }
    }
    fn has(&self, key: u64, event: &Event<'_>) -> bool {
        let content = content_key(event, &mut Vec::new());
        self.seen.get(&key).is_some_and(|&(c, _)| c == content)
            || self.reused.contains(&(key, content))
    }
    fn diagnostic(&mut self, d: Diagnostic) {
        self.diagnostics += 1;
        if self.diagnostics <= self.shown {
            eprintln!(
                "authtrail: {}:{} (byte {}): {}",
                visible(&self.names[d.file as usize]),
                d.line,
                d.offset,
                prose(&d.message())
            );
        }
    }
}
