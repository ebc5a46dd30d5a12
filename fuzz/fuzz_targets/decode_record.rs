//! One record through the decoder (wrappers, Activity Tracker, Verify): never panics, reports its
//! problems at positions inside the record, and gives every event a span inside the record.
#![no_main]

use authtrail_core::decode::{decode_record, EventSink};
use authtrail_core::diag::Problem;
use authtrail_core::record::{Position, RecordError, Span};
use authtrail_core::time::format_iso;
use authtrail_core::Event;
use libfuzzer_sys::fuzz_target;

const AT: Position = Position {
    line: 7,
    offset: 1000,
};

#[derive(Default)]
struct Sink {
    len: u64,
    events: u64,
    problems: u64,
}

impl EventSink for Sink {
    fn event(&mut self, event: &Event<'_>, _key: u64, span: Span) {
        self.events += 1;
        assert!(span.offset >= AT.offset, "span {span:?} before the record");
        assert!(
            span.offset - AT.offset + u64::from(span.len) <= self.len,
            "span {span:?} past the record of {} bytes",
            self.len
        );
        // Every event time can be shown.
        assert_eq!(format_iso(event.time).len(), 24, "time {}", event.time);
        serde_json::to_string(event).expect("event serializes");
    }
    fn problem(&mut self, problem: Problem, at: Position) {
        self.problems += 1;
        assert!(
            at.line >= AT.line && at.offset >= AT.offset,
            "{problem} at {at:?}"
        );
        assert!(
            at.offset - AT.offset <= self.len,
            "{problem} at {at:?} past the record"
        );
        assert!(!problem.to_string().is_empty());
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut sink = Sink {
        len: bytes.len() as u64,
        ..Sink::default()
    };
    match decode_record(bytes, AT, &mut sink) {
        Ok(()) => {}
        Err(RecordError::Incomplete) => assert_eq!(sink.events + sink.problems, 0),
        Err(RecordError::Invalid(p)) => {
            assert_eq!(sink.events + sink.problems, 0, "{p}");
            assert!(!p.to_string().is_empty());
        }
    }
});
