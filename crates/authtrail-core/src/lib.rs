//! authtrail-core reads IBM Cloud Activity Tracker and IBM Security Verify exports, in any of the
//! containers they come in, into one normalized, de-duplicated, columnar event store, and answers
//! the questions a reviewer asks of it: when the account MFA level changed and who changed it,
//! which users' settings moved, and how authentications went.
//!
//! ```
//! use authtrail_core::{Ingest, Store};
//!
//! let event = r#"{"id":"a1","eventTime":"2024-03-01T09:00:00.00+0000","action":"iam-identity.accountsettings.update","outcome":"success","initiator":{"name":"admin@example.com","host":{"address":"203.0.113.7"}},"requestData":{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}}"#;
//! // The same event twice (a duplicate), then a line that is not JSON (a diagnostic).
//! let export = format!("{event}\n{event}\nnot json\n");
//! let mut store = Store::new();
//! let mut ingest = Ingest::new(&mut store, "export.ndjson");
//! ingest.push(&mut store, export.as_bytes());
//! let file = ingest.finish(&mut store);
//! assert_eq!((file.records, file.events, file.duplicates, file.errors), (3, 1, 1, 1));
//!
//! let history = store.account_mfa_history();
//! assert_eq!(history[0].from.as_deref(), Some("TOTP4ALL"));
//! assert_eq!(history[0].to.as_deref(), Some("NONE"));
//! assert_eq!(history[0].actor.as_deref(), Some("admin@example.com"));
//! ```
//!
//! Parsing cannot fail: every record becomes an event, a duplicate, or a [`Diagnostic`] with file,
//! line and byte offset.

#![forbid(unsafe_code)]

pub mod collect;
pub mod decode;
pub mod diag;
pub mod export;
pub mod generate;
pub mod ingest;
pub mod model;
pub mod part;
pub mod record;
pub mod report;
pub mod rules;
pub mod store;
pub mod summary;
pub mod text;
pub mod time;

pub use collect::{Collector, FileSummary};
pub use diag::Diagnostic;
pub use ingest::Ingest;
pub use model::{Event, Kind, Outcome};
pub use rules::{findings, Finding, Severity, Thresholds};
pub use store::history::State;
pub use store::query::{Facet, Filter, Histogram, Refresh, RefreshRequest, Row, Selection};
pub use store::{Alias, Locator, SourceReader, Store};

#[cfg(test)]
pub(crate) mod test_support {
    /// A store holding `text` read as one file in 7-byte chunks.
    pub fn store_from(text: &str) -> crate::Store {
        let mut store = crate::Store::new();
        let mut ing = crate::Ingest::new(&mut store, "test.json");
        for c in text.as_bytes().chunks(7) {
            ing.push(&mut store, c);
        }
        let f = ing.finish(&mut store);
        assert_eq!(f.records, f.events + f.duplicates + f.errors);
        store
    }

    /// A store holding `files` (name, records) read in turn, each file's records one a line.
    pub fn store_from_files<S: AsRef<str>>(files: &[(&str, &[S])]) -> crate::Store {
        let mut store = crate::Store::new();
        for (name, records) in files {
            let text: Vec<&str> = records.iter().map(AsRef::as_ref).collect();
            let mut ing = crate::Ingest::new(&mut store, name);
            ing.push(&mut store, text.join("\n").as_bytes());
            ing.finish(&mut store);
        }
        store
    }

    /// A generated export of about `bytes` bytes (the default seed).
    pub fn generated(bytes: u64) -> String {
        let mut text = Vec::new();
        let opts = crate::generate::Options {
            bytes,
            ..Default::default()
        };
        crate::generate::generate(&opts, &mut text).unwrap();
        String::from_utf8(text).unwrap()
    }
}
