//! The text readers behind every event: timestamps (ISO-8601, epoch numbers, UI times) and
//! Activity Tracker UI text lines. Never panic; every time read can be shown, and an ISO time
//! written by `format_iso` reads back as the same instant.
#![no_main]

use authtrail_core::ingest::ui_text;
use authtrail_core::time::{format_iso, from_epoch, parse_any, parse_iso, parse_ui};
use libfuzzer_sys::fuzz_target;

fn shown(ms: i64) {
    let s = format_iso(ms);
    assert_eq!(s.len(), 24, "{ms} formats as {s}");
    assert_eq!(parse_iso(&s), Some(ms), "{s} does not read back as {ms}");
}

fuzz_target!(|bytes: &[u8]| {
    if bytes.len() >= 8 {
        let f = f64::from_le_bytes(bytes[..8].try_into().unwrap());
        if let Some(ms) = from_epoch(f) {
            shown(ms);
        }
    }
    let Ok(s) = std::str::from_utf8(bytes) else {
        return;
    };
    for ms in [parse_any(s), parse_iso(s), parse_ui(s)]
        .into_iter()
        .flatten()
    {
        shown(ms);
    }
    if let Some(ev) = ui_text::parse(s) {
        shown(ev.time);
        assert!(s.contains(ev.action.as_ref()));
    }
});
