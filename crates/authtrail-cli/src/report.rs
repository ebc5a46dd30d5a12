//! `authtrail report`: the printable report (see [`authtrail_core::report`]) as one self-contained
//! HTML file (inline CSS, no script, nothing fetched; every log value escaped by maud, its hidden
//! characters written out by [`visible`], or by [`prose`] in text the core wrote with them already
//! written out), or as JSON (exact).
//! The page's Report view (www/js/views/report.js) draws the same sections and tables.

use crate::{nothing_read, read_observed, report_diagnostics};
use anyhow::{Context, Result};
use authtrail_core::report::{CountRow, FileHash, Report};
use authtrail_core::text::{prose, visible};
use authtrail_core::time::format_iso;
use authtrail_core::{Store, Thresholds};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// Shown instead of the digest of a file that could not be read to its end.
const NOT_HASHED: &str = "not computed (the file could not be read to its end)";

const CSS: &str = include_str!("report.css");

/// Nothing but the inline stylesheet may load or run, even if a value were ever left unescaped.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

pub fn run(
    files: &[PathBuf],
    html_out: Option<&Path>,
    as_json: bool,
    thresholds: &Thresholds,
) -> Result<ExitCode> {
    let mut store = Store::new();
    let (summaries, failures, hashes) =
        read_observed(files, &mut store, FileHash::new, FileHash::update);
    store.compact();
    let hashes: Vec<Option<String>> = hashes
        .into_iter()
        .map(|h| h.map(FileHash::finish))
        .collect();
    for f in &failures {
        eprintln!("authtrail: {}", visible(f));
    }
    if let Some(why) = nothing_read(&summaries, &failures) {
        eprintln!("authtrail: nothing could be read: {why}");
        return Ok(ExitCode::from(2));
    }
    report_diagnostics(&summaries, &store);
    let report = Report::build(&store, thresholds, &hashes);
    if let Some(path) = html_out {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let page = render(&report, &format_iso(now)).into_string();
        if path.as_os_str() == "-" {
            io::stdout().lock().write_all(page.as_bytes())?;
        } else {
            fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if as_json {
        let mut out = BufWriter::new(io::stdout().lock());
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

fn counts_table(testid: &str, label: &str, rows: &[CountRow]) -> Markup {
    html! {
        table data-testid=(testid) {
            thead { tr { th { (label) } th.num { "Succeeded" } th.num { "Failed" } } }
            tbody {
                @for r in rows {
                    tr { td { (visible(&r.name)) } td.num { (r.success) } td.num { (r.failure) } }
                }
            }
        }
    }
}

/// The report as an HTML document; `generated` is the ISO time it was made.
pub fn render(r: &Report, generated: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { "authtrail report" }
                style { (PreEscaped(CSS)) }
            }
            body {
                main.report data-testid="report" {
                    h1 { "authtrail report" }
                    p.report-meta data-testid="report-range" {
                        @match (&r.from, &r.to) {
                            (Some(from), Some(to)) => { "Events from " (from) " to " (to) " (all times UTC)." }
                            _ => { "No events." }
                        }
                    }
                    p.report-meta data-testid="report-counts" {
                        (r.events) " events, " (r.duplicates) " duplicates, " (r.files.iter().map(|f| f.errors).sum::<u64>()) " records that could not be read, " (r.diagnostics) " diagnostics."
                    }
                    p.report-meta data-testid="report-generated" {
                        "Generated " (generated) " by authtrail, on this machine, from the files below."
                    }

                    h2 { "Input files" }
                    table data-testid="report-files" {
                        thead { tr {
                            th { "File" } th { "Format" } th.num { "Bytes" } th.num { "Records" } th.num { "Events" }
                            th.num { "Duplicates" } th.num { "Errors" }
                        } }
                        tbody {
                            @for f in &r.files {
                                tr {
                                    td { (visible(&f.name)) } td { (f.format) } td.num { (f.bytes) } td.num { (f.records) }
                                    td.num { (f.events) } td.num { (f.duplicates) } td.num { (f.errors) }
                                }
                            }
                        }
                    }
                    p.report-meta { "SHA-256 of each file's bytes as read (the compressed bytes of a gzip file), computed locally:" }
                    table data-testid="report-hashes" {
                        thead { tr { th { "File" } th { "SHA-256" } } }
                        tbody {
                            @for f in &r.files {
                                tr {
                                    td { (visible(&f.name)) }
                                    td.hash data-testid="report-sha256" { (f.sha256.as_deref().unwrap_or(NOT_HASHED)) }
                                }
                            }
                        }
                    }

                    h2 { "Account MFA history" }
                    @if r.account_mfa.is_empty() {
                        p.report-none { "No account MFA level change in these files." }
                    } @else {
                        table data-testid="report-account" {
                            thead { tr {
                                th { "Time" } th { "From" } th { "To" } th { "Actor" } th { "Actor IP" } th { "Outcome" }
                            } }
                            tbody {
                                @for c in &r.account_mfa {
                                    tr {
                                        td.mono.report-when { (c.time) } td { (prose(&c.from)) } td { (prose(&c.to)) }
                                        td { (visible(&c.actor)) } td.mono { (visible(&c.ip)) } td { (c.outcome) }
                                    }
                                }
                            }
                        }
                    }

                    h2 { "User setting changes" }
                    @if r.user_settings.is_empty() {
                        p.report-none { "No user setting change in these files." }
                    } @else {
                        table data-testid="report-settings" {
                            thead { tr {
                                th { "Time" } th { "User" } th { "Setting" } th { "Old → new" } th { "Actor" } th { "Outcome" }
                            } }
                            tbody {
                                @for c in &r.user_settings {
                                    tr {
                                        td.mono.report-when { (c.time) } td { (visible(&c.user)) } td { (visible(&c.setting)) }
                                        td { (visible(&c.from)) " → " (visible(&c.to)) } td { (visible(&c.actor)) }
                                        td { (c.outcome) }
                                    }
                                }
                            }
                        }
                    }

                    @if !r.aliases.is_empty() {
                        p.report-meta { "Identifiers shown above by the name their own records give them (the latest such record):" }
                        @let renamed = r.aliases.iter().any(|a| !a.other_names.is_empty());
                        table data-testid="report-aliases" {
                            thead { tr { th { "Identifier" } th { "Shown as" } @if renamed { th { "Other names it was given" } } } }
                            tbody {
                                @for a in &r.aliases {
                                    tr {
                                        td.mono { (visible(&a.id)) }
                                        td { (visible(&a.name)) @if let Some(s) = &a.source { " (" (visible(&s.file)) " line " (s.line) ")" } }
                                        @if renamed {
                                            td { @for (k, o) in a.other_names.iter().enumerate() { @if k > 0 { "; " } (visible(&o.name)) " (" (visible(&o.file)) " line " (o.line) ")" } }
                                        }
                                    }
                                }
                            }
                        }
                    }

                    h2 { "Findings" }
                    @if r.findings.is_empty() {
                        p.report-none { "No findings: no rule fired on these events." }
                    } @else {
                        table data-testid="report-findings" {
                            thead { tr { th { "Severity" } th { "Finding" } th { "When" } } }
                            tbody {
                                @for f in &r.findings {
                                    tr {
                                        td class={ "report-sev report-" (f.severity) } { (f.severity) }
                                        td {
                                            div.report-finding-title { (prose(&f.title)) }
                                            div.report-finding-detail { (prose(&f.detail)) }
                                        }
                                        td.mono.report-when { div { (f.from) } div { (f.to) } }
                                    }
                                }
                            }
                        }
                    }

                    p.report-meta data-testid="report-thresholds" { (r.thresholds_note) }

                    h2 { "Authentications" }
                    p data-testid="report-auth-total" {
                        (r.auth_success) " succeeded, " (r.auth_failure) " failed."
                    }
                    @if !r.auth_by_method.is_empty() {
                        div.report-split {
                            div { (counts_table("report-methods", "Method", &r.auth_by_method)) }
                            div { (counts_table("report-countries", "Country", &r.auth_by_country)) }
                        }
                    }
                }
            }
        }
    }
}
