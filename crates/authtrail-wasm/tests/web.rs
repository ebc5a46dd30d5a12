//! The facade in a real browser: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p authtrail-wasm
//! --target wasm32-unknown-unknown`.

#![cfg(target_arch = "wasm32")]

use authtrail_wasm::{
    default_limits, default_thresholds, demo_bytes, level_explanation, mfa_levels, FileHasher,
    Inspector, StretchReader,
};
use js_sys::{Uint32Array, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Seven records: an MFA downgrade, the same record again (a duplicate), a line of text, a failed attempt to restore
/// the level, and three logins (one success, two failures) on two days.
const EXPORT: &str = r#"{"id":"a1","eventTime":"2024-03-01T09:00:00.00+0000","action":"iam-identity.accountsettings.update","outcome":"success","initiator":{"name":"admin@example.com","host":{"address":"203.0.113.7"}},"requestData":{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}}
{"id":"a1","eventTime":"2024-03-01T09:00:00.00+0000","action":"iam-identity.accountsettings.update","outcome":"success","initiator":{"name":"admin@example.com","host":{"address":"203.0.113.7"}},"requestData":{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}}
this line is not JSON
{"id":"a2","eventTime":"2024-03-02T09:00:00.00+0000","action":"iam-identity.accountsettings.update","outcome":"failure","initiator":{"name":"mallory@example.com","host":{"address":"198.51.100.9"}},"requestData":{"request_body":{"old_mfa_traits":"NONE","new_mfa_traits":"TOTP4ALL"}}}
{"id":"l1","eventTime":"2024-03-01T10:00:00.00+0000","action":"iam-identity.user-apikey.login","outcome":"success","initiator":{"name":"ana@example.com"}}
{"id":"l2","eventTime":"2024-03-01T11:00:00.00+0000","action":"iam-identity.user-apikey.login","outcome":"failure","initiator":{"name":"ana@example.com"}}
{"id":"l3","eventTime":"2024-03-02T12:00:00.00+0000","action":"iam-identity.user-apikey.login","outcome":"failure","initiator":{"name":"bob@example.com"}}
"#;

const MAR_1: f64 = 1_709_251_200_000.0;
const DAY: f64 = 86_400_000.0;

fn json_of(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("a plain JS value")
}

/// The findings as JSON, each one's `events` (a Uint32Array) as an array.
fn findings_of(found: JsValue) -> Value {
    let list: js_sys::Array = found.dyn_into().unwrap();
    for f in list.iter() {
        let key = JsValue::from_str("events");
        let events: Uint32Array = js_sys::Reflect::get(&f, &key)
            .unwrap()
            .dyn_into()
            .expect("events as a Uint32Array");
        js_sys::Reflect::set(&f, &key, &js_sys::Array::from(&events)).unwrap();
    }
    json_of(list.into())
}

fn js(v: Value) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

use serde::Serialize as _;

/// The export pushed in 3-byte chunks.
fn loaded() -> (Inspector, Value) {
    let mut inspector = Inspector::new();
    let id = inspector.begin_file("export.ndjson");
    for chunk in EXPORT.as_bytes().chunks(3) {
        inspector.push(id, chunk).unwrap();
    }
    let file = json_of(inspector.finish(id).unwrap());
    (inspector, file)
}

fn sum(v: &JsValue, key: &str) -> u32 {
    let a: Uint32Array = js_sys::Reflect::get(v, &JsValue::from_str(key))
        .unwrap()
        .dyn_into()
        .unwrap();
    a.to_vec().iter().sum()
}

#[wasm_bindgen_test]
fn three_byte_chunks_are_counted_like_the_whole_file() {
    let (inspector, file) = loaded();
    assert_eq!(file["name"], "export.ndjson");
    assert_eq!(file["records"], 7);
    assert_eq!(file["events"], 5);
    assert_eq!(file["duplicates"], 1);
    assert_eq!(file["errors"], 1);
    assert_eq!(file["bytes"], EXPORT.len());
    let summary = json_of(inspector.summary().unwrap());
    assert_eq!(summary["events"], 5);
    assert_eq!(summary["duplicates"], 1);
    assert_eq!(summary["diagnostics"], 1);
    assert_eq!(summary["from"], MAR_1 as i64 + 9 * 3_600_000);
    let diagnostics = json_of(inspector.diagnostics(10).unwrap());
    assert_eq!(diagnostics[0]["line"], 3);
    assert_eq!(diagnostics[0]["file"], 0);
}

#[wasm_bindgen_test]
fn options_cap_the_events_and_keep_a_subset_for_the_files_begun_after() {
    assert_eq!(
        json_of(default_limits().unwrap())["max_record_bytes"],
        64 << 20
    );
    let mut inspector = Inspector::new();
    let read = |inspector: &mut Inspector, name: &str| {
        let id = inspector.begin_file(name);
        inspector.push(id, EXPORT.as_bytes()).unwrap();
        json_of(inspector.finish(id).unwrap())
    };
    inspector
        .set_options(js(json!({"keep": {"mfa_only": true}})))
        .unwrap();
    let f = read(&mut inspector, "mfa.ndjson");
    // a1 and a2 kept, a1's copy a duplicate, the text line an error, the three logins outside.
    assert_eq!(
        (
            &f["events"],
            &f["duplicates"],
            &f["errors"],
            &f["outside_subset"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(3))
    );
    assert!(f["note"]
        .as_str()
        .unwrap()
        .contains("only MFA-relevant events"));
    inspector.set_options(js(json!({"max_events": 3}))).unwrap();
    let f = read(&mut inspector, "all.ndjson");
    // a1 and a2 are duplicates of kept events, l1 fills the cap, l2 and l3 are over it.
    assert_eq!(
        (&f["events"], &f["duplicates"], &f["over_cap"]),
        (&json!(1), &json!(3), &json!(2))
    );
    assert!(f["note"].as_str().unwrap().contains("at most 3 events"));
    assert_eq!(json_of(inspector.summary().unwrap())["events"], 3);
    assert!(inspector
        .set_options(js(json!({"max_events": "many"})))
        .is_err());
}

#[wasm_bindgen_test]
fn account_history_has_the_downgrade_and_the_failed_restore() {
    let (inspector, _) = loaded();
    let history = json_of(inspector.account_history().unwrap());
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["from"], "TOTP4ALL");
    assert_eq!(history[0]["to"], "NONE");
    assert_eq!(history[0]["actor"], "admin@example.com");
    assert_eq!(history[0]["ip"], "203.0.113.7");
    assert_eq!(history[0]["outcome"], "success");
    assert_eq!(history[1]["from"], "NONE");
    assert_eq!(history[1]["to"], "TOTP4ALL");
    assert_eq!(history[1]["outcome"], "failure");
    assert_eq!(history[1]["actor"], "mallory@example.com");
}

#[wasm_bindgen_test]
fn histogram_bins_sum_to_the_filtered_events() {
    let (inspector, _) = loaded();
    let all = inspector
        .histogram(MAR_1, MAR_1 + 2.0 * DAY, 2, JsValue::NULL)
        .unwrap();
    assert_eq!(sum(&all, "success"), 2);
    assert_eq!(sum(&all, "failure"), 3);
    assert_eq!(sum(&all, "other"), 0);
    let logins = js(json!({"facets": [["kind", ["iam_login"]]]}));
    let h = inspector
        .histogram(MAR_1, MAR_1 + 2.0 * DAY, 2, logins)
        .unwrap();
    let failure: Uint32Array = js_sys::Reflect::get(&h, &"failure".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(failure.to_vec(), vec![1, 1]);
    assert_eq!(sum(&h, "success"), 1);
}

#[wasm_bindgen_test]
fn select_pages_rows_and_facets_follow_the_filter() {
    let (mut inspector, _) = loaded();
    let failures = js(json!({"facets": [["result", ["failure"]]]}));
    assert_eq!(inspector.select(failures).unwrap(), 3);
    let rows = json_of(inspector.rows(1, 10).unwrap());
    assert_eq!(rows.as_array().unwrap().len(), 2);
    // The failed MFA change sits between the two failed logins.
    assert_eq!(rows[0]["action"], "iam-identity.accountsettings.update");
    assert_eq!(rows[0]["actor"], "mallory@example.com");
    assert_eq!(rows[1]["user"], "bob@example.com");
    let users = json_of(
        inspector
            .facets("user", js(json!({"text": "apikey"})), 10)
            .unwrap(),
    );
    assert_eq!(
        users,
        json!([["ana@example.com", 2], ["bob@example.com", 1]])
    );
    let window =
        js(json!({"from": MAR_1 as i64 + DAY as i64, "to": MAR_1 as i64 + 2 * DAY as i64}));
    assert_eq!(inspector.select(window).unwrap(), 2);
    assert!(inspector.facets("nonsense", JsValue::NULL, 10).is_err());
}

/// The index of bob's first event (his failed login), selected by the user facet.
fn bobs_failure(inspector: &mut Inspector) -> u32 {
    inspector
        .select(js(json!({"facets": [["user", ["bob@example.com"]]]})))
        .unwrap();
    json_of(inspector.rows(0, 1).unwrap())[0]["index"]
        .as_u64()
        .unwrap() as u32
}

#[wasm_bindgen_test]
fn event_and_locate_point_at_the_original_json() {
    let (mut inspector, _) = loaded();
    let index = bobs_failure(&mut inspector);
    let event = json_of(inspector.event(index).unwrap());
    assert_eq!(event["outcome"], "failure");
    assert_eq!(event["time"], "2024-03-02T12:00:00.000Z");
    let at = json_of(inspector.locate(index).unwrap());
    let (offset, len) = (
        at["offset"].as_u64().unwrap() as usize,
        at["len"].as_u64().unwrap() as usize,
    );
    let text = &EXPORT[offset..offset + len];
    assert!(text.starts_with(r#"{"id":"l3""#), "{text}");
    assert!(text.ends_with('}'));
    assert!(inspector.event(99).is_err());
}

/// The export with the text from `split` on read by a StretchReader and taken over (or, when it
/// is not taken, pushed); returns the inspector, the file's accounting and whether it was taken.
fn read_in_halves(split: usize) -> (Inspector, Value, bool) {
    let mut inspector = Inspector::new();
    let id = inspector.begin_file("export.ndjson");
    inspector.push(id, &EXPORT.as_bytes()[..split]).unwrap();
    let mut stretch = StretchReader::new("export.ndjson", JsValue::NULL).unwrap();
    stretch.push(&EXPORT.as_bytes()[split..]).unwrap();
    let part = stretch.finish().unwrap();
    assert!(
        stretch.push(b"{}").is_err(),
        "a finished stretch takes nothing more"
    );
    let taken = inspector.absorb(id, &Uint8Array::from(&part[..])).unwrap();
    if !taken {
        inspector.push(id, &EXPORT.as_bytes()[split..]).unwrap();
    }
    let file = json_of(inspector.finish(id).unwrap());
    (inspector, file, taken)
}

#[wasm_bindgen_test]
fn a_second_half_read_apart_is_taken_over_as_if_pushed() {
    let (whole, file) = loaded();
    // After the failed restore: three login lines.
    let logins = EXPORT.find(r#"{"id":"l1""#).unwrap();
    let (mut halves, file2, taken) = read_in_halves(logins);
    assert!(taken, "plain lines from a line start are taken over");
    assert_eq!(file2, file);
    assert_eq!(
        json_of(halves.summary().unwrap()),
        json_of(whole.summary().unwrap())
    );
    // bob's failure, read by the StretchReader, points into the whole file.
    let index = bobs_failure(&mut halves);
    let at = json_of(halves.locate(index).unwrap());
    let offset = at["offset"].as_u64().unwrap() as usize;
    assert!(EXPORT[offset..].starts_with(r#"{"id":"l3""#));

    // From inside a line, or with the line of text in it: not taken, pushed instead, the same.
    for split in [logins + 5, EXPORT.find("this line").unwrap()] {
        let (inspector, file3, taken) = read_in_halves(split);
        assert!(!taken, "split at {split}");
        assert_eq!(file3, file);
        assert_eq!(json_of(inspector.diagnostics(10).unwrap())[0]["line"], 3);
    }

    // A foreign buffer, and a part cut short, read from the JS side: a clear error each.
    let mut stretch = StretchReader::new("export.ndjson", JsValue::NULL).unwrap();
    stretch.push(&EXPORT.as_bytes()[logins..]).unwrap();
    let part = stretch.finish().unwrap();
    for (bytes, expected) in [
        (
            &b"not a part"[..],
            "not a stretch read apart by this version of authtrail",
        ),
        (&part[..part.len() - 3], "a stretch read apart is cut short"),
    ] {
        let mut inspector = Inspector::new();
        let id = inspector.begin_file("x.ndjson");
        let refused = inspector.absorb(id, &Uint8Array::from(bytes)).unwrap_err();
        let message = js_sys::Error::from(JsValue::from(refused)).message();
        assert_eq!(String::from(message), expected);
    }
}

#[wasm_bindgen_test]
fn the_demo_holds_both_families_and_the_downgrade() {
    let bytes = demo_bytes(200_000).unwrap();
    assert!(bytes.len() >= 200_000);
    let mut inspector = Inspector::new();
    let id = inspector.begin_file("authtrail-demo.ndjson");
    inspector.push(id, &bytes).unwrap();
    let file = json_of(inspector.finish(id).unwrap());
    assert!(file["format"]
        .as_str()
        .unwrap()
        .contains("Activity Tracker"));
    assert!(file["format"].as_str().unwrap().contains("Security Verify"));
    let history = json_of(inspector.account_history().unwrap());
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["to"] == "NONE" && c["outcome"] == "success"));
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["outcome"] == "failure"));
    let users = json_of(inspector.user_history().unwrap());
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["setting"] == "2FA" && c["to"] == "false"));
}

#[wasm_bindgen_test]
fn levels_are_named_and_explained_as_ibm_does() {
    assert_eq!(mfa_levels()[0], "NONE");
    assert_eq!(mfa_levels().len(), 7);
    assert_eq!(level_explanation("TOTP4ALL"), "TOTP for all users");
    assert_eq!(
        level_explanation("LEVEL3"),
        "U2F / security key for all users"
    );
}

#[wasm_bindgen_test]
fn findings_follow_thresholds_and_state_follows_time() {
    let (inspector, _) = loaded();
    let found = findings_of(inspector.findings(JsValue::NULL).unwrap());
    let lowered = &found[0];
    assert_eq!(lowered["rule"], "account-mfa-lowered");
    // Its events come as a Uint32Array, and a filter takes them back as they are.
    let first =
        js_sys::Reflect::get(&inspector.findings(JsValue::NULL).unwrap(), &0.into()).unwrap();
    let events: Uint32Array = js_sys::Reflect::get(&first, &"events".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(events.length(), 1);
    let filter = js_sys::Object::new();
    js_sys::Reflect::set(&filter, &"events".into(), &events).unwrap();
    js_sys::Reflect::set(&filter, &"text".into(), &"admin@".into()).unwrap();
    let mut inspector = inspector;
    assert_eq!(inspector.select(filter.clone().into()).unwrap(), 1);
    let histogram = json!({"facets": []});
    let refreshed = inspector
        .refresh(js(json!({"filter": {"facets": []}, "histogram": histogram, "from": MAR_1, "to": MAR_1 + 2.0 * DAY, "bins": 2, "facets": ["user"], "limit": 5})))
        .unwrap();
    assert_eq!(
        json_of(js_sys::Reflect::get(&refreshed, &"total".into()).unwrap()),
        5
    );
    let request = js(
        json!({"histogram": histogram, "from": MAR_1, "to": MAR_1 + 2.0 * DAY, "bins": 2, "facets": ["user"], "limit": 5}),
    );
    js_sys::Reflect::set(&request, &"filter".into(), &filter).unwrap();
    let refreshed = inspector.refresh(request).unwrap();
    assert_eq!(
        json_of(js_sys::Reflect::get(&refreshed, &"total".into()).unwrap()),
        1
    );
    events.set_index(0, events.get_index(0) + 1);
    assert_eq!(
        inspector.select(filter.into()).unwrap(),
        0,
        "another event does not match the text"
    );
    assert_eq!(lowered["severity"], "critical");
    assert_eq!(lowered["from"], "2024-03-01T09:00:00.000Z");
    assert_eq!(lowered["ips"], json!(["203.0.113.7"]));
    assert!(found
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "account-mfa-change-failed"
            && f["actors"] == json!(["mallory@example.com"])));
    let defaults = json_of(default_thresholds().unwrap());
    assert_eq!(defaults["spray_users"], 5);
    assert!(inspector
        .findings(js(json!({"spray_users": "many"})))
        .is_err());

    let before = json_of(inspector.state_at(MAR_1).unwrap());
    assert_eq!(before["account"]["level"], "TOTP4ALL");
    assert!(before["account"]["since"].is_null());
    let after = json_of(inspector.state_at(MAR_1 + DAY).unwrap());
    assert_eq!(after["account"]["level"], "NONE");
    assert_eq!(after["account"]["actor"], "admin@example.com");
}

#[wasm_bindgen_test]
fn the_selection_exports_as_csv_pages_and_original_spans() {
    let (mut inspector, _) = loaded();
    let filter = js(json!({"facets": [["user", ["ana@example.com"]]]}));
    assert_eq!(inspector.select(filter).unwrap(), 2);
    let first = inspector.csv_page(0, 1);
    assert_eq!(
        first,
        "time,source,kind,outcome,action,user,actor,ip,method,country\r\n\
         2024-03-01T10:00:00.000Z,Activity Tracker,iam_login,success,iam-identity.user-apikey.login,ana@example.com,ana@example.com,,user-apikey,\r\n"
    );
    let rest = inspector.csv_page(1, 5000);
    assert!(rest.starts_with("2024-03-01T11:00:00.000Z,"), "{rest}");
    assert_eq!(rest.matches("\r\n").count(), 1);
    assert_eq!(inspector.csv_page(2, 5000), "");

    let at = inspector.locate_page(0, 5000).unwrap();
    let field = |key: &str| js_sys::Reflect::get(&at, &JsValue::from_str(key)).unwrap();
    let offsets = js_sys::Float64Array::from(field("offset")).to_vec();
    let lens = Uint32Array::from(field("len")).to_vec();
    assert_eq!(js_sys::Uint16Array::from(field("file")).to_vec(), [0, 0]);
    let spans: Vec<&str> = offsets
        .iter()
        .zip(&lens)
        .map(|(&o, &l)| &EXPORT[o as usize..o as usize + l as usize])
        .collect();
    assert!(
        spans[0].starts_with(r#"{"id":"l1""#) && spans[0].ends_with('}'),
        "{}",
        spans[0]
    );
    assert!(
        spans[1].starts_with(r#"{"id":"l2""#) && spans[1].ends_with('}'),
        "{}",
        spans[1]
    );
}

#[wasm_bindgen_test]
fn file_hasher_is_sha256_over_slices() {
    let mut h = FileHasher::new();
    h.update(b"a");
    h.update(b"");
    h.update(b"bc");
    assert_eq!(
        h.finish(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[wasm_bindgen_test]
fn report_holds_the_digests_histories_and_findings() {
    let (inspector, _) = loaded();
    let digest = "ab".repeat(32);
    let r = json_of(
        inspector
            .report(JsValue::NULL, js(json!([digest])))
            .unwrap(),
    );
    assert_eq!(r["files"][0]["sha256"], digest.as_str());
    assert_eq!(r["files"][0]["name"], "export.ndjson");
    assert_eq!(r["from"], "2024-03-01T09:00:00.000Z");
    assert_eq!(r["account_mfa"][0]["to"], "NONE");
    assert_eq!(r["account_mfa"][1]["outcome"], "failure");
    let findings = findings_of(inspector.findings(JsValue::NULL).unwrap());
    let titles = |v: &Value| -> Vec<Value> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| f["title"].clone())
            .collect()
    };
    assert_eq!(titles(&r["findings"]), titles(&findings));
    assert_eq!(r["findings"][0]["severity"], "critical");
    assert_eq!(
        (r["auth_success"].as_u64(), r["auth_failure"].as_u64()),
        (Some(1), Some(2))
    );

    let unhashed = json_of(
        inspector
            .report(js(json!({"spray_users": 9})), js(json!([null])))
            .unwrap(),
    );
    assert_eq!(unhashed["files"][0]["sha256"], Value::Null);
    assert_eq!(unhashed["thresholds"]["spray_users"], 9);
    assert!(inspector
        .report(JsValue::NULL, JsValue::from_str("x"))
        .is_err());
}
