//! Containers inside a record: Verify Events API pages, Elasticsearch hits and search responses,
//! LogDNA stream/archive lines (`{"_source":{"_line":"<event as a JSON string>"}}`), LogDNA export
//! lines (CADF keys beside `_ts`, `_lid`, `_line`), and the legacy `{"payload":{...}}` wrapper.

use super::{cadf, canonical_hash, key_of, lenient::text, verify, Ctx, EventSink, Top};
use crate::diag::Problem;
use crate::model::{Event, Family, Kind, Outcome};
use crate::record::{Position, RecordError, Span};
use crate::text::sample_text;
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
            line,
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
        let mut top = Top::default();
        let error = match super::not_an_object(bytes, ectx.at) {
            Some(e) => e,
            None => match super::parse_into(bytes, &mut top) {
                Ok(()) => {
                    dispatch(&top, bytes, ectx, sink);
                    continue;
                }
                Err(e) => super::json_problem(&e, ectx.at),
            },
        };
        let p = match error {
            RecordError::Invalid(p) => p,
            RecordError::Incomplete => Problem::Truncated {
                start_line: ectx.at.line,
            },
        };
        sink.problem(p, ectx.at);
    }
}

fn nested(bytes: &[u8], ctx: Ctx<'_>, outer_key: Option<&str>, sink: &mut impl EventSink) {
    let ctx = Ctx {
        outer_key,
        depth: ctx.depth + 1,
        ..ctx
    };
    let mut top = Top::default();
    let at = Position { line: 1, offset: 0 };
    let error = match super::not_an_object(bytes, at) {
        Some(e) => e,
        None => match super::parse_into(bytes, &mut top) {
            Ok(()) => return dispatch(&top, bytes, ctx, sink),
            Err(e) => super::json_problem(&e, at),
        },
    };
    let detail = match error {
        RecordError::Invalid(p) => p.to_string(),
        RecordError::Incomplete => "the embedded JSON is cut short".to_owned(),
    };
    sink.problem(
        Problem::Malformed {
            what: "embedded event",
            detail,
        },
        ctx.at,
    );
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
    } else if top.event_type.is_some() || top.data.0.is_some() {
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

#[cfg(test)]
mod tests {
    use crate::model::Kind;
    use crate::test_support::store_from;

    const VERIFY: &str = r#"{"data":{"result":"failure","subtype":"mfa","mfamethod":"SMS OTP","username":"ana@x.com","origin":"1.2.3.4"},"event_type":"authentication","id":"v1","time":1677834030000}"#;
    const CADF: &str = r#"{"id":"c1","eventTime":"2023-03-02T22:31:44.12+0000","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"bo@x.com"}}"#;

    #[test]
    fn verify_events_api_pages_several_in_one_file() {
        let page = |ev: &str| {
            format!(
                r#"{{"response":{{"events":{{"search_after":{{"total_events":2}},"events":[{ev}]}}}}}}"#
            )
        };
        let s = store_from(&format!(
            "{}\n{}\n",
            page(VERIFY),
            page(&VERIFY.replace("\"v1\"", "\"v2\""))
        ));
        assert_eq!(s.len(), 2);
        assert_eq!(
            s.files()[0].format,
            "NDJSON: Verify events API pages, Security Verify"
        );
        // The original JSON of a page element is the element itself.
        let text = format!("{}\n", page(VERIFY));
        let l = s.locate(0);
        assert_eq!(&text[l.offset as usize..][..l.len as usize], VERIFY);
    }

    #[test]
    fn page_with_null_events_is_a_diagnostic() {
        let s = store_from(r#"{"response":{"events":{"events":null}}}"#);
        assert_eq!(s.len(), 0);
        assert!(s.diagnostics()[0]
            .message()
            .contains("response.events.events is missing or null"));
    }

    #[test]
    fn elasticsearch_hits_and_search_responses() {
        let hit = format!(
            r#"{{"_index":"event-authentication-2021.4-000001","_id":"v1","_source":{VERIFY}}}"#
        );
        let resp = format!(r#"{{"took":3,"hits":{{"total":1,"hits":[{hit}]}}}}"#);
        let s = store_from(&format!("{hit}\n{resp}\n"));
        assert_eq!((s.len(), s.duplicates()), (1, 1));
        assert_eq!(s.event(0).method.as_deref(), Some("SMS OTP"));
    }

    #[test]
    fn logdna_stream_line_with_the_event_as_a_json_string() {
        let line = serde_json::to_string(CADF).unwrap();
        let s = store_from(&format!(
            r#"{{"_source":{{"_host":"at","_logtype":"json","_line":{line},"_ts":1,"_lid":"9"}}}}"#
        ));
        assert_eq!(s.len(), 1);
        assert_eq!(s.event(0).kind, Kind::IamLogin);
        assert!(s.files()[0].format.contains("LogDNA stream lines"));
    }

    #[test]
    fn logdna_export_line_dedups_by_line_id_when_the_event_has_none() {
        let line = r#"{"_ts":1,"_lid":"77","_line":"x","eventTime":"2023-03-02T22:31:44Z","action":"iam-groups.group.read","outcome":"success"}"#;
        let s = store_from(&format!(
            "{line}\n{line}\n{}\n",
            line.replace("\"77\"", "\"78\"")
        ));
        assert_eq!((s.len(), s.duplicates()), (2, 1));
        assert!(s.files()[0].format.contains("LogDNA export lines"));
    }

    #[test]
    fn legacy_payload_wrapper() {
        let s = store_from(&format!(
            r#"{{"payload":{CADF},"meta":{{"serviceProviderName":"x"}}}}"#
        ));
        assert_eq!(
            (s.len(), s.event(0).actor.as_deref()),
            (1, Some("bo@x.com"))
        );
    }

    #[test]
    fn same_event_pretty_and_compact_without_id_is_one_event() {
        let compact = r#"{"eventTime":"2023-03-02T22:31:44Z","action":"iam-groups.group.read","outcome":"success"}"#;
        let pretty = "{\n  \"eventTime\": \"2023-03-02T22:31:44Z\",\n  \"action\": \"iam-groups.group.read\",\n  \"outcome\": \"success\"\n}";
        let s = store_from(&format!("{compact}\n{pretty}\n"));
        assert_eq!((s.len(), s.duplicates()), (1, 1));
    }

    #[test]
    fn json_without_a_time_or_family_is_a_diagnostic_and_unknown_json_with_time_is_kept() {
        let s = store_from("{\"hello\":1}\n{\"_ts\":1505955553626,\"_app\":\"kube-lego\",\"_line\":\"level=info\"}\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s.event(0).action, "kube-lego");
        assert!(s.diagnostics()[0].message().contains("no time field"));
    }
}
