//! One person, two identifiers: the pre-2023 flat user-setting form names its user by IAM ID
//! (`requestData.iam_id`), the 2023+ diff form by e-mail address (`target.name`), and a record's
//! initiator gives both (`initiator.id`, `initiator.name`). The store shows the IAM ID by the name,
//! so the person is one user everywhere. An identifier given more than one name shows them all,
//! with the records that gave them, and a forged name never turns a change into a self-change.
//! The records follow the published samples' layout (`../shared/samples/at_user-setting-update_*`,
//! `at_user-management-user-update_initiator-target_*`).

mod common;

use authtrail_core::ingest::limits::{Keep, Options};
use authtrail_core::store::history::UserSettingChange;
use authtrail_core::summary::summary_json;
use authtrail_core::{findings, Facet, Filter, Ingest, Store, Thresholds};
use common::ingest_into;

const IAM_ID: &str = "IBMid-310000D73E";

/// A CADF record as Activity Tracker writes it; `initiator` is the JSON of the initiator object.
fn cadf(time: &str, action: &str, initiator: &str, target: &str, request: &str) -> String {
    format!(
        r#"{{"eventTime":"{time}","action":"{action}","outcome":"success","initiator":{initiator},"target":{target},"requestData":{request}}}"#
    )
}

fn admin() -> String {
    r#"{"id":"IBMid-270000ADMN","name":"admin@example.com","host":{"address":"129.42.38.1"}}"#
        .to_owned()
}

/// The admin turns 2FA on for the user by IAM ID (flat form), then the user logs in with an API key
/// (initiator id and name), then the admin turns it off by e-mail address (diff form).
fn story(name: &str) -> (String, String) {
    let account =
        r#"{"id":"crn:v1:bluemix:public:user-management:global:a/1234:::","name":"1234"}"#;
    let flat = cadf(
        "2022-05-01T10:00:00.00+0000",
        "user-management.user-setting.update",
        &admin(),
        account,
        &format!(
            r#"{{"2FA":true,"iam_id":"{IAM_ID}","origin":"BSS","security_questions_setup":true,"self_manage":false}}"#
        ),
    );
    let login = cadf(
        "2023-03-01T08:00:00.00+0000",
        "iam-identity.user-apikey.login",
        &format!(
            r#"{{"id":"{IAM_ID}","typeURI":"service/security/account/user","name":"{name}","host":{{"address":"95.165.28.36"}},"credential":{{"type":"apikey"}}}}"#
        ),
        r#"{"id":"crn:v1:bluemix:public:iam-identity:global:a/1234:::","name":"iam-identity"}"#,
        r#"{"client_id":"bx"}"#,
    );
    let diff = cadf(
        "2024-01-10T09:00:00.00+0000",
        "user-management.user-setting.update",
        &admin(),
        &format!(
            r#"{{"id":"crn:v1:bluemix:public:user-management:global:a/1234:::","name":"{name}"}}"#
        ),
        r#"{"totalNumberChanges":1,"update":[{"initialValue":true,"newValue":false,"updateType":"2FA update"}]}"#,
    );
    (format!("{flat}\n"), format!("{login}\n{diff}\n"))
}

fn read(files: &[(&str, &str)], options: &Options) -> Store {
    let mut store = Store::new();
    for (name, text) in files {
        let mut ing = Ingest::with_options(&mut store, name, options);
        ing.push(&mut store, text.as_bytes());
        let f = ing.finish(&mut store);
        assert_eq!(f.errors, 0, "{name}: {f:?}");
    }
    store
}

/// The user setting history without store indices (which depend on the order of the files).
fn history(store: &Store) -> Vec<UserSettingChange> {
    let mut h = store.user_setting_history();
    h.iter_mut().for_each(|c| c.event = 0);
    h
}

fn users(store: &Store) -> Vec<String> {
    let mut u: Vec<String> = history(store).into_iter().map(|c| c.user).collect();
    u.dedup();
    u
}

#[test]
fn a_person_named_by_iam_id_and_by_email_is_one_user() {
    let (old, new) = story("pat@example.com");
    let store = read(
        &[("old.ndjson", &old), ("new.ndjson", &new)],
        &Options::default(),
    );
    assert_eq!(users(&store), ["pat@example.com"]);
    let h = history(&store);
    let twofa: Vec<_> = h
        .iter()
        .filter(|c| c.setting == "2FA")
        .map(|c| (c.from.as_deref(), c.to.as_str()))
        .collect();
    assert_eq!(twofa, [(None, "true"), (Some("true"), "false")]);
    // Every view counts one user: the facet, the authentication summary, the findings.
    let all = Filter::default();
    let facet = store.facet_counts(Facet::User, &all, 10);
    assert_eq!(facet, [("pat@example.com".to_owned(), 3)]);
    let off = findings(&store, &Thresholds::default());
    let off: Vec<_> = off.iter().filter(|f| f.rule == "user-mfa-off").collect();
    assert_eq!(off.len(), 1, "{off:?}");
    assert!(off[0].title.contains("pat@example.com"), "{}", off[0].title);
    // The summary says which identifier is shown by which name.
    let summary = summary_json(&store);
    assert_eq!(
        summary["aliases"],
        serde_json::json!([{ "id": IAM_ID, "name": "pat@example.com" }])
    );
    // Searching for the IAM ID still finds the person's events.
    let search = Filter {
        text: Some(IAM_ID.to_owned()),
        ..Filter::default()
    };
    assert_eq!(store.select(&search).len(), 3);
    // The admin, whose records never show the IAM ID as a user, is not listed.
    assert!(!summary["aliases"].to_string().contains("IBMid-270000ADMN"));
}

#[test]
fn files_in_either_order_and_in_any_chunks_show_the_same_names() {
    let (old, new) = story("pat@example.com");
    let forward = read(
        &[("old.ndjson", &old), ("new.ndjson", &new)],
        &Options::default(),
    );
    let backward = read(
        &[("new.ndjson", &new), ("old.ndjson", &old)],
        &Options::default(),
    );
    assert_eq!(history(&forward), history(&backward));
    let mut chunked = Store::new();
    ingest_into(&mut chunked, "old.ndjson", old.as_bytes(), &[7, 64]);
    ingest_into(&mut chunked, "new.ndjson", new.as_bytes(), &[1, 13]);
    assert_eq!(history(&chunked), history(&forward));
    assert_eq!(
        summary_json(&chunked)["aliases"],
        summary_json(&forward)["aliases"]
    );
}

#[test]
fn the_latest_name_wins_also_for_events_read_before_it() {
    let (old, new) = story("pat@example.com");
    // A later file: the same IAM ID now logs in under a new address.
    let (_, renamed) = story("pat.new@example.com");
    let later = renamed
        .lines()
        .next()
        .unwrap()
        .replace("2023-03-01", "2024-06-01");
    let store = read(
        &[
            ("old.ndjson", &old),
            ("new.ndjson", &new),
            ("later.ndjson", &later),
        ],
        &Options::default(),
    );
    // The flat change (by IAM ID, read first) follows the new name; the diff change names the
    // old address itself, so it stays there: two names, never the IAM ID.
    let h = history(&store);
    let flat: Vec<_> = h
        .iter()
        .filter(|c| c.from.is_none())
        .map(|c| c.user.as_str())
        .collect();
    assert!(flat.iter().all(|&u| u == "pat.new@example.com"), "{h:?}");
    assert!(h.iter().all(|c| c.user != IAM_ID), "{h:?}");
    // The earlier name is not replaced silently: it is listed, with the record that gave it.
    assert_eq!(
        summary_json(&store)["aliases"],
        serde_json::json!([{
            "id": IAM_ID,
            "name": "pat.new@example.com",
            "source": {
                "name": "pat.new@example.com", "file": "later.ndjson", "line": 1,
                "first": "2024-06-01T08:00:00.000Z", "last": "2024-06-01T08:00:00.000Z",
            },
            "other_names": [{
                "name": "pat@example.com", "file": "new.ndjson", "line": 1,
                "first": "2023-03-01T08:00:00.000Z", "last": "2023-03-01T08:00:00.000Z",
            }],
        }])
    );
}

const VICTIM: &str = "IBMid-5500VICTIM";

/// The admin turns 2FA on for the victim by IAM ID and the victim signs in (`a.ndjson`); then
/// mallory turns it off by IAM ID and one forged line pairs the victim's IAM ID with mallory's
/// name (`b.ndjson`, line 2).
fn forged_alias() -> [(&'static str, String); 2] {
    let account =
        r#"{"id":"crn:v1:bluemix:public:user-management:global:a/1234:::","name":"1234"}"#;
    let flat = |time: &str, who: &str, on: bool| {
        cadf(
            time,
            "user-management.user-setting.update",
            who,
            account,
            &format!(r#"{{"2FA":{on},"iam_id":"{VICTIM}","origin":"BSS"}}"#),
        )
    };
    let login = |time: &str, name: &str| {
        cadf(
            time,
            "iam-identity.user-apikey.login",
            &format!(r#"{{"id":"{VICTIM}","name":"{name}","host":{{"address":"95.165.28.36"}}}}"#),
            r#"{"id":"crn:v1:bluemix:public:iam-identity:global:a/1234:::","name":"iam-identity"}"#,
            r#"{"client_id":"bx"}"#,
        )
    };
    let mallory = r#"{"id":"IBMid-6600MALLRY","name":"mallory@example.com","host":{"address":"203.0.113.66"}}"#;
    [
        (
            "a.ndjson",
            format!(
                "{}\n{}\n",
                flat("2024-01-01T10:00:00.00+0000", &admin(), true),
                login("2024-01-02T10:00:00.00+0000", "victim@example.com")
            ),
        ),
        (
            "b.ndjson",
            format!(
                "{}\n{}\n",
                flat("2024-02-01T10:00:00.00+0000", mallory, false),
                login("2024-02-02T10:00:00.00+0000", "mallory@example.com")
            ),
        ),
    ]
}

/// Regression: one forged record pairing a victim's IAM ID with another person's name renamed
/// the victim everywhere, and "2FA turned off for the victim by mallory" became "2FA turned off
/// by mallory themselves".
#[test]
fn regression_a_forged_name_is_shown_and_never_makes_a_self_change() {
    let files = forged_alias();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let store = read(&files, &Options::default());
    let found = findings(&store, &Thresholds::default());
    let off: Vec<_> = found.iter().filter(|f| f.rule == "user-mfa-off").collect();
    assert_eq!(off.len(), 1, "{found:#?}");
    assert_eq!(
        off[0].title,
        format!("2FA turned off for mallory@example.com ({VICTIM}) by mallory@example.com (IBMid-6600MALLRY)")
    );
    assert_eq!(off[0].users, [format!("mallory@example.com ({VICTIM})")]);
    assert_eq!(off[0].actors, ["mallory@example.com (IBMid-6600MALLRY)"]);
    // The finding says the identifier had two names, and where each came from.
    assert!(
        off[0].detail.contains(&format!(
            "{VICTIM} has been given 2 names by the records: mallory@example.com (b.ndjson line 2), victim@example.com (a.ndjson line 2)"
        )),
        "{}",
        off[0].detail
    );
    // So does the identity.
    let aliases = summary_json(&store)["aliases"].clone();
    assert_eq!(aliases[0]["name"], "mallory@example.com");
    assert_eq!(aliases[0]["source"]["file"], "b.ndjson");
    assert_eq!(aliases[0]["source"]["line"], 2);
    assert_eq!(aliases[0]["other_names"][0]["name"], "victim@example.com");
    assert_eq!(aliases[0]["other_names"][0]["file"], "a.ndjson");
    assert_eq!(aliases[0]["other_names"][0]["line"], 2);
    // The history tells the identifiers apart too.
    let h = history(&store);
    let change = h.iter().find(|c| c.to == "false").expect("the change");
    assert_eq!(change.user_id.as_deref(), Some(VICTIM));
    assert_eq!(change.actor_id.as_deref(), Some("IBMid-6600MALLRY"));
    assert!(!change.by_self);
}

#[test]
fn a_change_by_the_same_identifier_is_a_self_change() {
    let [(name, text), _] = forged_alias();
    // The victim turns it off themselves, by IAM ID and with their own name.
    let own = text.lines().next().unwrap().replace(
        r#""id":"IBMid-270000ADMN","name":"admin@example.com""#,
        &format!(r#""id":"{VICTIM}","name":"victim@example.com""#),
    );
    let own = own
        .replace("2024-01-01", "2024-03-01")
        .replace(r#""2FA":true"#, r#""2FA":false"#);
    let store = read(
        &[(name, text.as_str()), ("own.ndjson", own.as_str())],
        &Options::default(),
    );
    let found = findings(&store, &Thresholds::default());
    let off: Vec<_> = found.iter().filter(|f| f.rule == "user-mfa-off").collect();
    assert_eq!(off.len(), 1, "{found:#?}");
    assert_eq!(
        off[0].title,
        format!("2FA turned off by victim@example.com ({VICTIM}) themselves")
    );
}

#[test]
fn the_mfa_subset_learns_names_from_the_records_it_leaves_out() {
    let (old, new) = story("pat@example.com");
    let files = [("old.ndjson", old.as_str()), ("new.ndjson", new.as_str())];
    let full = read(&files, &Options::default());
    let mfa_only = Options {
        keep: Keep {
            mfa_only: true,
            ..Keep::default()
        },
        ..Options::default()
    };
    let sub = read(&files, &mfa_only);
    // The login that pairs the IAM ID with the address is not MFA-relevant and is not kept.
    assert_eq!((full.len(), sub.len()), (3, 2));
    assert_eq!(history(&sub), history(&full));
    assert_eq!(users(&sub), ["pat@example.com"]);
}

#[test]
fn an_identifier_no_record_names_stays_as_it_is() {
    let (old, _) = story("pat@example.com");
    let store = read(&[("old.ndjson", &old)], &Options::default());
    assert_eq!(users(&store), [IAM_ID]);
    assert_eq!(summary_json(&store)["aliases"], serde_json::json!([]));
}
