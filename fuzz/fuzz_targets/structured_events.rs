//! Structure-aware: valid Activity Tracker and Verify events whose strings are anything the fuzzer
//! likes (markup, controls, bidi, long text), in the containers exports come in (NDJSON, JSON
//! array, pretty-printed, Verify Events API pages, LogDNA `_source._line`, legacy `payload`).
//! Every one of them is read: no diagnostic, `events + duplicates` equals what was written, and
//! chunking does not change the store.
#![no_main]

use arbitrary::Arbitrary;
use authtrail_core::summary::summary_json;
use authtrail_core::{Ingest, Store};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

const CADF_ACTIONS: [&str; 6] = [
    "iam-identity.accountsettings.update",
    "billing.account-traits.update",
    "user-management.user-setting.update",
    "iam-identity.user-apikey.login",
    "iam-identity.user.logout",
    "billing.account-mfa.set-on",
];
const VERIFY_TYPES: [(&str, &str); 4] = [
    ("authentication", "mfa"),
    ("authentication", "user_password"),
    ("management", "mfa_device"),
    ("sso", "saml"),
];

#[derive(Debug, Arbitrary)]
enum Record {
    Cadf {
        action: u8,
        secs: u32,
        id: String,
        user: String,
        ip: String,
        outcome: String,
        old_level: String,
        new_level: String,
        target: String,
        request_as_string: bool,
    },
    Verify {
        kind: u8,
        ms: u32,
        id: String,
        user: String,
        result: String,
        method: String,
        city: String,
        country: String,
        agent: String,
        lat: String,
    },
}

#[derive(Debug, Arbitrary)]
enum Container {
    Ndjson,
    Array,
    Pretty,
    VerifyPage,
    LogdnaLine,
    Payload,
}

#[derive(Debug, Arbitrary)]
struct Input {
    records: Vec<Record>,
    container: Container,
    chunk: u16,
}

fn value(r: &Record) -> Value {
    match r {
        Record::Cadf {
            action,
            secs,
            id,
            user,
            ip,
            outcome,
            old_level,
            new_level,
            target,
            request_as_string,
        } => {
            let request = json!({
                "request_body": {"old_mfa_traits": old_level, "new_mfa_traits": new_level},
                "mfa": new_level,
                "update": [{"initialValue": old_level, "newValue": new_level, "updateType": "2FA"}],
            });
            json!({
                "id": id,
                "eventTime": authtrail_core::time::format_iso(1_500_000_000_000 + i64::from(*secs) * 1000),
                "action": CADF_ACTIONS[usize::from(*action) % CADF_ACTIONS.len()],
                "outcome": outcome,
                "initiator": {"name": user, "host": {"address": ip, "agent": user}},
                "target": {"name": target, "id": target},
                "requestData": if *request_as_string { Value::String(request.to_string()) } else { request },
            })
        }
        Record::Verify {
            kind,
            ms,
            id,
            user,
            result,
            method,
            city,
            country,
            agent,
            lat,
        } => {
            let (event_type, subtype) = VERIFY_TYPES[usize::from(*kind) % VERIFY_TYPES.len()];
            json!({
                "id": id,
                "time": 1_500_000_000_000u64 + u64::from(*ms),
                "event_type": event_type,
                "data": {"subtype": subtype, "result": result, "username": user, "mfamethod": method,
                         "devicetype": agent, "resource": "mfa_device", "origin": city},
                "geoip": {"city_name": city, "country_iso_code": country, "country_name": country,
                          "location": {"lat": lat, "lon": lat}},
            })
        }
    }
}

fn text(input: &Input) -> Vec<u8> {
    let values: Vec<Value> = input.records.iter().map(value).collect();
    let lines = |f: &dyn Fn(&Value) -> String| values.iter().map(f).collect::<Vec<_>>().join("\n");
    match input.container {
        Container::Ndjson => lines(&|v| v.to_string()),
        Container::Array => Value::Array(values.clone()).to_string(),
        Container::Pretty => lines(&|v| serde_json::to_string_pretty(v).unwrap()),
        Container::VerifyPage => values
            .chunks(3)
            .map(|page| json!({"response": {"events": {"events": page}}}).to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Container::LogdnaLine => {
            lines(&|v| json!({"_source": {"_line": v.to_string()}}).to_string())
        }
        Container::Payload => lines(&|v| json!({"payload": v}).to_string()),
    }
    .into_bytes()
}

fn read(bytes: &[u8], chunk: usize) -> (Store, authtrail_core::FileSummary) {
    let mut store = Store::new();
    let mut ing = Ingest::new(&mut store, "structured.json");
    for c in bytes.chunks(chunk.max(1)) {
        ing.push(&mut store, c);
    }
    let f = ing.finish(&mut store);
    (store, f)
}

fuzz_target!(|input: Input| {
    if input.records.is_empty() {
        return;
    }
    let bytes = text(&input);
    let (store, f) = read(&bytes, bytes.len());
    assert_eq!(
        f.records,
        f.events + f.duplicates + f.errors,
        "accounting identity"
    );
    assert_eq!(
        (f.errors, f.events + f.duplicates),
        (0, input.records.len() as u64),
        "{:?}\n{}",
        store.diagnostics(),
        String::from_utf8_lossy(&bytes)
    );
    let (chunked, _) = read(&bytes, usize::from(input.chunk));
    assert_eq!(
        summary_json(&store),
        summary_json(&chunked),
        "chunking changed the store"
    );
});
