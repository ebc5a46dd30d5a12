//! The machine-readable summary of a store: what `authtrail summary --json` prints and what the
//! fixture snapshots hold.

use crate::collect::FileSummary;
use crate::time::format_iso;
use crate::Store;
use serde_json::{json, Value};

/// One file's accounting; what a subset or a cap left out only when they left something out.
fn file_json(f: &FileSummary) -> Value {
    let mut v = json!({
        "name": f.name, "format": f.format, "records": f.records, "events": f.events,
        "duplicates": f.duplicates, "errors": f.errors,
    });
    if f.outside_subset > 0 || f.over_cap > 0 {
        v["outside_subset"] = json!(f.outside_subset);
        v["over_cap"] = json!(f.over_cap);
        v["note"] = json!(f.note);
    }
    v
}

/// Files, counts, diagnostics, the identifiers shown by a name, account MFA history, user setting changes and authentication results,
/// with times as ISO-8601 UTC with milliseconds.
pub fn summary_json(store: &Store) -> Value {
    let file_name = |f: u32| {
        store
            .files()
            .get(f as usize)
            .map_or("", |f| f.name.as_str())
    };
    json!({
        "files": store.files().iter().map(file_json).collect::<Vec<_>>(),
        "events": store.len(),
        "duplicates": store.duplicates(),
        "errors": store.diagnostics().iter().map(|d| json!({
            "file": file_name(d.file), "line": d.line, "offset": d.offset, "message": d.message(),
        })).collect::<Vec<_>>(),
        "errors_total": store.diagnostics_total(),
        "aliases": store.aliases_shown(),
        "account_mfa": store.account_mfa_history().iter().map(|c| json!({
            "time": format_iso(c.time), "from": c.from, "to": c.to, "actor": c.actor, "ip": c.ip,
            "outcome": c.outcome, "action": c.action,
        })).collect::<Vec<_>>(),
        "user_mfa": store.user_setting_history().iter().map(|c| json!({
            "time": format_iso(c.time), "user": c.user, "setting": c.setting, "from": c.from, "to": c.to,
            "actor": c.actor, "outcome": c.outcome,
        })).collect::<Vec<_>>(),
        "auth": store.auth_summary(),
    })
}
