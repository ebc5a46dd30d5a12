//! Containers inside a record: Verify Events API pages, Elasticsearch hits and search responses,
//! LogDNA stream/archive lines (`{"_source":{"_line":"<event as a JSON string>"}}`), LogDNA export
//! lines (CADF keys beside `_ts`, `_lid`, `_line`), and the legacy `{"payload":{...}}` wrapper.

use super::{cadf, canonical_hash, key_of, lenient::text, verify, Ctx, EventSink, Span, Top};
use crate::diag::{sample_text, Problem};
use crate::ingest::framing::Position;
use crate::model::{Event, Family, Kind, Outcome};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Wrappers nest at most this deep (a `_source` holding a `_line` holding a `payload` is 3).
const MAX_DEPTH: u8 = 6;

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    events: Option<PageEvents<'a>>,
}

#[derive(Deserialize)]
struct PageEvents<'a> {
    #[serde(borrow)]
    events: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Hits<'a> {
    #[serde(borrow)]
    hits: Option<Vec<&'a RawValue>>,
}

/// Offset of `inner` within `outer` (both borrowed from the same buffer).
fn offset_in(outer: &[u8], inner: &str) -> usize {
    (inner.as_ptr() as usize)
        .saturating_sub(outer.as_ptr() as usize)
        .min(outer.len())
}

fn element_ctx<'k>(outer: &[u8], elem: &RawValue, ctx: Ctx<'k>) -> Ctx<'k> {
    let off = offset_in(outer, elem.get());
    let line = ctx.at.line + memchr::memchr_iter(b'\n', &outer[..off]).count() as u64;
    let len = u32::try_from(elem.get().len()).unwrap_or(u32::MAX);
    Ctx {
        span: Span {
            offset: ctx.span.offset + off as u64,
            len,
        },
        at: Position {
            line,
            offset: ctx.at.offset + off as u64,
        },
        outer_key: None,
        depth: ctx.depth + 1,
    }
}

/// Decodes each element of an embedded list of events as a record of its own.
fn each_element(outer: &[u8], elems: &[&RawValue], ctx: Ctx<'_>, sink: &mut impl EventSink) {
    for elem in elems {
        let ectx = element_ctx(outer, elem, ctx);
        let bytes = elem.get().as_bytes();
        match serde_json::from_slice::<Top<'_>>(bytes) {
            Ok(top) => dispatch(&top, bytes, ectx, sink),
            Err(e) => {
                let p = match super::json_problem(&e, ectx.at) {
                    crate::ingest::framing::RecordError::Invalid(p) => p,
                    crate::ingest::framing::RecordError::Incomplete => Problem::Truncated {
                        start_line: ectx.at.line,
                    },
                };
                sink.problem(p, ectx.at);
            }
        }
    }
}

fn nested(bytes: &[u8], ctx: Ctx<'_>, outer_key: Option<&str>, sink: &mut impl EventSink) {
    let ctx = Ctx {
        outer_key,
        depth: ctx.depth + 1,
        ..ctx
    };
    match serde_json::from_slice::<Top<'_>>(bytes) {
        Ok(top) => dispatch(&top, bytes, ctx, sink),
        Err(e) => {
            let detail = match super::json_problem(&e, Position { line: 1, offset: 0 }) {
                crate::ingest::framing::RecordError::Invalid(p) => p.to_string(),
                crate::ingest::framing::RecordError::Incomplete => {
                    "the embedded JSON is cut short".to_owned()
                }
            };
            sink.problem(
                Problem::Malformed {
                    what: "embedded event",
                    detail,
                },
                ctx.at,
            );
        }
    }
}

/// Unwraps containers until an event is reached, then normalizes it.
pub fn dispatch(top: &Top<'_>, bytes: &[u8], ctx: Ctx<'_>, sink: &mut impl EventSink) {
    if ctx.depth > MAX_DEPTH {
        sink.problem(
            Problem::Malformed {
                what: "record",
                detail: "containers nested too deep".into(),
            },
            ctx.at,
        );
        return;
    }
    let is_event = top.action.is_some() || top.event_type.is_some();
    if !is_event {
        // Verify Events API page: {"response":{"events":{"events":[...]}}}
        if let Some(resp) = top.response {
            match serde_json::from_str::<Page<'_>>(resp.get()) {
                Ok(Page {
                    events: Some(PageEvents { events: Some(list) }),
                }) => {
                    sink.container("Verify events API pages");
                    return each_element(bytes, &list, ctx, sink);
                }
                Ok(_) => {
                    return sink.problem(
                        Problem::Malformed {
                            what: "Verify events page",
                            detail: "response.events.events is missing or null".into(),
                        },
                        ctx.at,
                    );
                }
                Err(_) => {}
            }
        }
        // Elasticsearch search response: {"hits":{"hits":[...]}}
        if let Some(hits) = top.hits {
            if let Ok(Hits { hits: Some(list) }) = serde_json::from_str::<Hits<'_>>(hits.get()) {
                sink.container("Elasticsearch search response");
                return each_element(bytes, &list, ctx, sink);
            }
        }
        // Elasticsearch hit or LogDNA stream line: {"_source": {...}}
        if let Some(src) = top.source {
            if src.get().starts_with('{') {
                sink.container(if src.get().contains("\"_line\"") {
                    "LogDNA stream lines (_source._line)"
                } else {
                    "Elasticsearch hits (_source)"
                });
                let id = text(&top.es_id).or_else(|| text(&top.lid));
                return nested(
                    src.get().as_bytes(),
                    ctx,
                    id.as_deref().or(ctx.outer_key),
                    sink,
                );
            }
        }
        // Legacy Activity Tracker wrapper: {"payload": {...}, "meta": {...}}
        if let Some(p) = top.payload {
            if p.get().starts_with('{') {
                sink.container("legacy payload wrapper");
                return nested(p.get().as_bytes(), ctx, ctx.outer_key, sink);
            }
        }
        // LogDNA line whose text is the event as a JSON string.
        if let Some(line) = text(&top.line) {
            if line.trim_start().starts_with('{') {
                if ctx.depth == 0 {
                    sink.container("LogDNA lines (_line)");
                }
                let lid = text(&top.lid);
                return nested(line.as_bytes(), ctx, lid.as_deref().or(ctx.outer_key), sink);
            }
        }
    }
    let lid = text(&top.lid);
    if lid.is_some() && top.action.is_some() {
        sink.container("LogDNA export lines");
    }
    let outer_key = lid.as_deref().or(ctx.outer_key);
    let result = if top.action.is_some() && top.event_type.is_none() {
        cadf::normalize(top).map(|ev| (ev, "a:"))
    } else if top.event_type.is_some() || top.data.is_some() {
        verify::normalize(top, bytes).map(|ev| (ev, "v:"))
    } else {
        other(top, bytes).map(|ev| (ev, "o:"))
    };
    match result {
        Ok((event, prefix)) => {
            let key = match (&event.id, outer_key) {
                (Some(id), _) => key_of(prefix, id),
                (None, Some(k)) => key_of("l:", k),
                (None, None) => canonical_hash(bytes),
            };
            sink.event(&event, key, ctx.span);
        }
        Err(p) => sink.problem(p, ctx.at),
    }
}

/// A JSON record from neither product: kept, with whatever time and label it has.
fn other<'a>(top: &Top<'a>, bytes: &[u8]) -> Result<Event<'a>, Problem> {
    let time = [
        &top.ts,
        &top.time,
        &top.timestamp,
        &top.at_timestamp,
        &top.event_time,
    ]
    .into_iter()
    .find_map(|t| t.as_ref().and_then(|t| t.time()))
    .ok_or_else(|| Problem::Malformed {
        what: "JSON record of unknown kind",
        detail: format!(
            "no time field (_ts, time, timestamp, eventTime) in {}",
            sample_text(bytes, 60)
        ),
    })?;
    let action = text(&top.app).unwrap_or(Cow::Borrowed("(unrecognized record)"));
    let mut ev = Event::new(time, Family::Unknown, Kind::Other, Outcome::Unknown, action);
    ev.id = text(&top.id);
    Ok(ev)
}
