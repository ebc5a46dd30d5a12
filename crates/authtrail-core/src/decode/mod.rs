//! Decoding one framed JSON record into normalized events.
//!
//! A record is first unwrapped from whatever container holds it (see [`wrappers`]), then read as an
//! Activity Tracker CADF event ([`cadf`]), a Security Verify event ([`verify`]), or kept as an
//! event of neither family. Parsing borrows from the record's bytes; nothing is copied unless a
//! string holds escapes.

pub mod cadf;
pub mod lenient;
mod scan;
pub mod verify;
pub mod wrappers;

use crate::diag::Problem;
use crate::model::{Detail, Event};
use crate::record::{Position, RecordError, Span};
use crate::text::sample_text;
use lenient::{Obj, Raw, Text};
use scan::keys;
use serde::Deserialize;

/// Receives decoded events and the problems found inside records.
pub trait EventSink {
    /// One event; `key` identifies it for de-duplication: its id (or its wrapper's), else a hash
    /// of its record. Two events with one key are the same event only when their
    /// [`content_key`]s are equal too.
    fn event(&mut self, event: &Event<'_>, key: u64, span: Span);
    /// A record that was framed but could not become an event.
    fn problem(&mut self, problem: Problem, at: Position);
    /// A container was recognised (for the file's format line).
    fn container(&mut self, _what: &'static str) {}
}

keys! {
    /// The keys authtrail reads at the top of a record, of every family and container.
    pub struct Top<'a> {
        "id" => id: Option<Text<'a>>,
        "eventTime" => event_time: Option<Text<'a>>,
        "action" => action: Option<Text<'a>>,
        "outcome" => outcome: Option<Text<'a>>,
        "initiator" => initiator: Obj<cadf::Initiator<'a>>,
        "target" => target: Obj<cadf::Target<'a>>,
        "requestData" => request_data: Option<Raw<'a>>,
        "correlationId" => correlation_id: Option<Text<'a>>,
        "payload" => payload: Option<Raw<'a>>,
        "_source" => source: Option<Raw<'a>>,
        "_line" => line: Option<Text<'a>>,
        "_lid" => lid: Option<Text<'a>>,
        "_ts" => ts: Option<Text<'a>>,
        "_id" => es_id: Option<Text<'a>>,
        "_app" => app: Option<Text<'a>>,
        "response" => response: Option<Raw<'a>>,
        "hits" => hits: Option<Raw<'a>>,
        "event_type" => event_type: Option<Text<'a>>,
        "data" => data: Obj<verify::Data<'a>>,
        "geoip" => geoip: Obj<verify::GeoIp<'a>>,
        "time" => time: Option<Text<'a>>,
        "indexed_at" => indexed_at: Option<Text<'a>>,
        "correlationid" => correlationid: Option<Text<'a>>,
        "subtype" => subtype: Option<Text<'a>>,
        "timestamp" => timestamp: Option<Text<'a>>,
        "@timestamp" => at_timestamp: Option<Text<'a>>,
    }
}

/// Context handed down while unwrapping containers.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'k> {
    /// Where the outermost record is: the original JSON shown for the event.
    pub span: Span,
    pub at: Position,
    /// An id from a wrapper (LogDNA `_lid`, Elasticsearch `_id`), used when the event has none.
    pub outer_key: Option<&'k str>,
    pub depth: u8,
}

pub(crate) fn json_problem(e: &serde_json::Error, at: Position) -> RecordError {
    if e.is_eof() {
        return RecordError::Incomplete;
    }
    let text = e.to_string();
    let reason = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    let line = at.line + e.line().saturating_sub(1) as u64;
    RecordError::Invalid(Problem::InvalidJson {
        reason,
        line,
        column: e.column() as u64,
    })
}

/// Hash of a JSON text with whitespace outside strings removed: the same event pretty-printed or
/// compact gets the same key.
pub fn canonical_hash(bytes: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let (mut in_str, mut esc, mut from) = (false, false, 0usize);
    for (i, &c) in bytes.iter().enumerate() {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            h.update(&bytes[from..i]);
            from = i + 1;
        }
    }
    h.update(&bytes[from..]);
    h.digest()
}

/// Hash of everything an event says: every field of the normalized [`Event`] but its id (which
/// the key it is compared under already holds), each written with its length or a mark of its
/// absence, so that no two different events write the same bytes. Normalized, it is the same for
/// one event exported in any container or layout (a LogDNA line with `_ts` and `_lid`, the event
/// as a JSON string in `_source._line`, pretty-printed or compact, in an array or on a line of
/// its own). `scratch` is reused between calls.
pub fn content_key(event: &Event<'_>, scratch: &mut Vec<u8>) -> u64 {
    /// Written as the length of a field that is absent.
    const ABSENT: u32 = u32::MAX;
    fn text(out: &mut Vec<u8>, s: &str) {
        let len = u32::try_from(s.len()).unwrap_or(ABSENT - 1);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    fn opt(out: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => text(out, s),
            None => out.extend_from_slice(&ABSENT.to_le_bytes()),
        }
    }
    fn number(out: &mut Vec<u8>, n: Option<f32>) {
        // Not a bit pattern of an f32 that JSON can give (a NaN's).
        out.extend_from_slice(&n.map_or(ABSENT, f32::to_bits).to_le_bytes());
    }
    let out = scratch;
    out.clear();
    let e = event;
    out.extend_from_slice(&e.time.to_le_bytes());
    out.extend_from_slice(&[e.family as u8, e.kind as u8, e.outcome as u8]);
    text(out, &e.action);
    for s in [&e.user, &e.actor, &e.ip, &e.user_agent, &e.method] {
        opt(out, s.as_deref());
    }
    match &e.alias {
        Some((id, name)) => {
            text(out, id);
            text(out, name);
        }
        None => opt(out, None),
    }
    let g = &e.geo;
    for s in [&g.country, &g.country_name, &g.city] {
        opt(out, s.as_deref());
    }
    number(out, g.lat);
    number(out, g.lon);
    opt(out, e.correlation_id.as_deref());
    match &e.detail {
        Detail::None => out.push(0),
        Detail::AccountMfa {
            from,
            to,
            companion,
        } => {
            out.extend_from_slice(&[1, u8::from(*companion)]);
            opt(out, from.as_deref());
            opt(out, to.as_deref());
        }
        Detail::UserSetting { values } => {
            out.push(2);
            out.extend_from_slice(&(values.len() as u64).to_le_bytes());
            for v in values {
                text(out, &v.setting);
                opt(out, v.from.as_deref());
                text(out, &v.to);
            }
        }
        Detail::IamLogin { credential, client } => {
            out.push(3);
            text(out, credential);
            opt(out, client.as_deref());
        }
        Detail::Authentication {
            stage,
            device,
            cause,
            realm,
        } => {
            out.extend_from_slice(&[4, *stage as u8]);
            for s in [device, cause, realm] {
                opt(out, s.as_deref());
            }
        }
        Detail::MfaEnrollment { operation, device } => {
            out.push(5);
            text(out, operation);
            opt(out, device.as_deref());
        }
        Detail::FactorConfig { operation, factor } => {
            out.push(6);
            text(out, operation);
            opt(out, factor.as_deref());
        }
    }
    xxhash_rust::xxh3::xxh3_64(out)
}

pub(crate) fn key_of(prefix: &str, id: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(prefix.as_bytes());
    h.update(id.as_bytes());
    h.digest()
}

/// Reads the known keys of a record into `out` (a `T::default()`): with [`scan`], or with
/// serde_json where the scanner declines. Both read every record the same way; the scanner is only
/// faster. `out` is filled in place because `Top` is large (over 1 kB): moving it per record costs
/// a good part of reading it.
pub(crate) fn parse_into<'a, T>(bytes: &'a [u8], out: &mut T) -> Result<(), serde_json::Error>
where
    T: scan::Fields<'a> + Deserialize<'a>,
{
    if scan::read(bytes, out).is_none() {
        *out = serde_json::from_slice(bytes)?;
    }
    Ok(())
}

/// As [`parse_into`], into a new value; `T::default()` when the record does not read as `T`.
pub(crate) fn parse_or_default<'a, T>(bytes: &'a [u8]) -> T
where
    T: scan::Fields<'a> + Deserialize<'a>,
{
    let mut out = T::default();
    match parse_into(bytes, &mut out) {
        Ok(()) => out,
        Err(_) => T::default(),
    }
}

/// The problem with a record that is not a JSON object (an element of an array, an embedded
/// event): what it is instead, or why it is not JSON. `None` for an object.
pub(crate) fn not_an_object(bytes: &[u8], at: Position) -> Option<RecordError> {
    let first = *bytes.iter().find(|c| !c.is_ascii_whitespace())?;
    if first == b'{' {
        return None;
    }
    let found = if first == b'[' {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map(|_| "array".to_owned())
    } else {
        serde_json::from_slice::<serde_json::Value>(bytes).map(|v| match v {
            serde_json::Value::Bool(b) => format!("boolean `{b}`"),
            serde_json::Value::Number(n) if n.is_f64() => format!("number `{n}`"),
            serde_json::Value::Number(n) => format!("integer `{n}`"),
            serde_json::Value::String(s) => format!("string \"{}\"", sample_text(s.as_bytes(), 40)),
            _ => "null".to_owned(),
        })
    };
    Some(match found {
        Ok(found) => RecordError::Invalid(Problem::NotAnObject { found }),
        Err(e) => json_problem(&e, at),
    })
}

/// Decodes one framed record. `Incomplete` only when the text ends inside the value.
pub fn decode_record(
    bytes: &[u8],
    at: Position,
    sink: &mut impl EventSink,
) -> Result<(), RecordError> {
    let span = Span {
        offset: at.offset,
        len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        line: at.line,
    };
    if let Some(e) = not_an_object(bytes, at) {
        return Err(e);
    }
    let mut top = Top::default();
    parse_into(bytes, &mut top).map_err(|e| json_problem(&e, at))?;
    let ctx = Ctx {
        span,
        at,
        outer_key: None,
        depth: 0,
    };
    wrappers::dispatch(&top, bytes, ctx, sink);
    Ok(())
}
