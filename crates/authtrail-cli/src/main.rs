//! `authtrail`: the authtrail core on the command line.

mod export;
mod limits;
mod report;
mod review;
mod stream;

use anyhow::{bail, Context, Result};
use authtrail_core::collect::{Collector, FileSummary};
use authtrail_core::text::{prose, visible};
use authtrail_core::time::format_iso;
use authtrail_core::{Diagnostic, Ingest, Store};
use clap::{Parser, Subcommand};
use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stream::{Line, Streamed};

#[derive(Parser)]
#[command(
    name = "authtrail",
    version,
    about = "Read IBM Cloud Activity Tracker and IBM Security Verify exports: MFA changes and authentication results"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    limits: limits::LimitArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Files, events, duplicates, diagnostics, account MFA history, user setting changes, authentication results.
    Summary {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        window: limits::Window,
        /// Export files (`-` for standard input); .gz is read as gzip.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The account MFA level and every user's MFA settings at one moment.
    State {
        /// The moment: ISO-8601 (2024-03-01T09:30:00Z) or epoch seconds / milliseconds.
        #[arg(long)]
        at: String,
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// What a reviewer must see: MFA lowered, turned off, fatigue, spraying, impossible travel...
    /// Exits 1 when a finding at or above --fail-on is present.
    Findings {
        #[arg(long)]
        json: bool,
        /// Exit 1 when a finding of this severity or higher is present: info, low, medium, high,
        /// critical, or never.
        #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = review::parse_fail_on)]
        fail_on: review::FailOn,
        #[command(flatten)]
        thresholds: review::ThresholdArgs,
        #[command(flatten)]
        window: limits::Window,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The normalized events, one JSON object per line, streamed (memory does not grow with input).
    Events {
        /// One JSON object per line (the only output form).
        #[arg(long, default_value_t = true)]
        jsonl: bool,
        #[command(flatten)]
        window: limits::Window,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The events (in time order) as CSV, or their original JSON records as NDJSON, on standard output.
    Export {
        /// One row per event; cells a spreadsheet would run as formulas get a leading `'`.
        #[arg(long, required_unless_present = "ndjson", conflicts_with = "ndjson")]
        csv: bool,
        /// Each event's original JSON record, one per line (files only, not standard input).
        #[arg(long)]
        ndjson: bool,
        #[command(flatten)]
        window: limits::Window,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// A printable report: time range, files with their SHA-256, account MFA history, user setting
    /// changes, findings, authentications by method and country.
    Report {
        /// Write the report as one self-contained HTML file (inline CSS, no script); `-` for standard output.
        #[arg(long, value_name = "OUT.html", required_unless_present = "json")]
        html: Option<PathBuf>,
        /// Print the report as JSON on standard output.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        thresholds: review::ThresholdArgs,
        #[command(flatten)]
        window: limits::Window,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write the original records of the MFA-relevant events (see --mfa-only) to a smaller NDJSON
    /// file, one per line, streaming inputs of any size; the page and the CLI read it back.
    Extract {
        /// The NDJSON file to write.
        #[arg(short, long, value_name = "OUT.ndjson")]
        output: PathBuf,
        #[command(flatten)]
        window: limits::Window,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write a deterministic realistic mixed export (NDJSON, or gzip with --gzip) to standard output.
    Generate {
        /// Size to write, e.g. 10MB, 1GB, 500000.
        #[arg(long, default_value = "10MB")]
        size: String,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long)]
        gzip: bool,
    },
}

/// Parses sizes like `10MB`, `1GB`, `512k` or a plain number of bytes.
fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim().to_ascii_lowercase();
    let digits: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n: f64 = digits.parse().with_context(|| format!("not a size: {s}"))?;
    let mult = match t[digits.len()..].trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        other => bail!("unknown size unit {other:?} in {s}"),
    };
    Ok((n * mult) as u64)
}

fn open(path: &Path) -> Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    Ok(Box::new(File::open(path).with_context(|| {
        format!("cannot open {}", path.display())
    })?))
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "(stdin)".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads every file into `collector`. Files that cannot be opened are reported and skipped.
fn read_all<C: Collector>(files: &[PathBuf], collector: &mut C) -> (Vec<FileSummary>, Vec<String>) {
    let (summaries, failures, _) = read_observed(files, collector, || (), |(), _| ());
    (summaries, failures)
}

/// Reads every file into `collector` with the global limits, showing each file's bytes as read to
/// an observer (`start()` per file, `see(state, bytes)` per chunk). Returns the file summaries, the
/// files that could not be opened or read, and each ingested file's observer state (`None` when a
/// read error stopped it before the end).
fn read_observed<C: Collector, S>(
    files: &[PathBuf],
    collector: &mut C,
    start: impl Fn() -> S,
    mut see: impl FnMut(&mut S, &[u8]),
) -> (Vec<FileSummary>, Vec<String>, Vec<Option<S>>) {
    let mut summaries = Vec::new();
    let mut failures = Vec::new();
    let mut observed = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    for path in files {
        let mut reader = match open(path) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{e:#}"));
                continue;
            }
        };
        let mut ingest = Ingest::with_options(collector, &display_name(path), &limits::options());
        let mut state = Some(start());
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some(s) = state.as_mut() {
                        see(s, &buf[..n]);
                    }
                    ingest.push(collector, &buf[..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    failures.push(format!("error reading {}: {e}", path.display()));
                    state = None;
                    break;
                }
            }
        }
        summaries.push(ingest.finish(collector));
        observed.push(state);
    }
    (summaries, failures, observed)
}

/// Why nothing could be read, as shown ([`visible`]); `None` when something was.
fn nothing_read(summaries: &[FileSummary], failures: &[String]) -> Option<String> {
    if summaries
        .iter()
        .any(|f| f.events + f.duplicates + f.outside_subset + f.over_cap > 0)
    {
        return None;
    }
    let mut why: Vec<String> = failures.to_vec();
    if !summaries.is_empty() {
        why.push(format!("no events found in {} file(s)", summaries.len()));
    }
    Some(visible(&why.join("; ")).into_owned())
}

/// A log value as the text outputs show it ([`visible`]), `?` when the logs do not tell it.
fn shown(value: &Option<String>) -> Cow<'_, str> {
    value.as_deref().map_or(Cow::Borrowed("?"), visible)
}

fn summary(files: &[PathBuf], as_json: bool) -> Result<ExitCode> {
    let mut store = Store::new();
    let (summaries, failures) = read_all(files, &mut store);
    store.compact();
    for f in &failures {
        eprintln!("authtrail: {}", visible(f));
    }
    let account = store.account_mfa_history();
    let settings = store.user_setting_history();
    let auth = store.auth_summary();
    let file_name = |d: &Diagnostic| store.files()[d.file as usize].name.clone();
    let mut out = BufWriter::new(io::stdout().lock());
    if as_json {
        let v = authtrail_core::summary::summary_json(&store);
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(out, "Files")?;
        for f in &summaries {
            writeln!(
                out,
                "  {}  [{}]  records {}  events {}  duplicates {}  errors {}",
                visible(&f.name),
                f.format,
                f.records,
                f.events,
                f.duplicates,
                f.errors
            )?;
            if let Some(note) = &f.note {
                writeln!(out, "    {note}")?;
            }
        }
        writeln!(
            out,
            "\nEvents {}   duplicates {}   diagnostics {}",
            store.len(),
            store.duplicates(),
            store.diagnostics_total()
        )?;
        for d in store.diagnostics().iter().take(20) {
            writeln!(
                out,
                "  {}:{} (byte {}): {}",
                visible(&file_name(d)),
                d.line,
                d.offset,
                prose(&d.message())
            )?;
        }
        if store.diagnostics_total() > 20 {
            writeln!(
                out,
                "  ... and {} more (see --json)",
                store.diagnostics_total() - 20
            )?;
        }
        writeln!(out, "\nAccount MFA level")?;
        if account.is_empty() {
            writeln!(out, "  no account MFA changes in these files")?;
        }
        for c in &account {
            writeln!(
                out,
                "  {}  {} -> {}  by {} from {}  {}  ({})",
                format_iso(c.time),
                shown(&c.from),
                shown(&c.to),
                shown(&c.actor),
                shown(&c.ip),
                c.outcome,
                visible(&c.action)
            )?;
        }
        writeln!(out, "\nUser MFA settings")?;
        if settings.is_empty() {
            writeln!(out, "  no user setting changes in these files")?;
        }
        for c in &settings {
            writeln!(
                out,
                "  {}  {}  {}: {} -> {}  by {}  {}",
                format_iso(c.time),
                visible(&c.user),
                visible(&c.setting),
                shown(&c.from),
                visible(&c.to),
                shown(&c.actor),
                c.outcome
            )?;
        }
        let aliases = store.aliases_shown();
        if !aliases.is_empty() {
            writeln!(out, "\nShown by the name their own records give them")?;
            for a in aliases {
                writeln!(out, "  {} as {}", visible(&a.id), visible(&a.name))?;
            }
        }
        writeln!(
            out,
            "\nAuthentications: {} succeeded, {} failed",
            auth.success, auth.failure
        )?;
        for (m, c) in &auth.by_method {
            writeln!(
                out,
                "  {}: {} succeeded, {} failed",
                visible(m),
                c.success,
                c.failure
            )?;
        }
        let failing: Vec<_> = auth
            .users
            .iter()
            .filter(|u| u.failure > 0)
            .take(10)
            .collect();
        if !failing.is_empty() {
            writeln!(out, "  most failures:")?;
            for u in failing {
                writeln!(
                    out,
                    "    {}: {} failed, {} succeeded",
                    visible(&u.user),
                    u.failure,
                    u.success
                )?;
            }
        }
    }
    out.flush()?;
    if let Some(why) = nothing_read(&summaries, &failures) {
        eprintln!("authtrail: nothing could be read: {why}");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn events(files: &[PathBuf]) -> Result<ExitCode> {
    let mut sink = Streamed::new(
        BufWriter::new(io::stdout().lock()),
        Line::Normalized,
        u64::MAX,
    );
    let (summaries, failures) = read_all(files, &mut sink);
    for f in &failures {
        eprintln!("authtrail: {}", visible(f));
    }
    limits::report_notes(&summaries);
    sink.out.flush()?;
    if let Some(e) = sink.error {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    if let Some(why) = nothing_read(&summaries, &failures) {
        eprintln!("authtrail: nothing could be read: {why}");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_time(s: &str) -> Result<i64> {
    authtrail_core::time::parse_any(s).with_context(|| format!("not a time: {s}"))
}

/// Says on stderr how many records could not be read, and apart how many diagnostics are about
/// events that were kept (an undocumented level, a time outside 1990-2100, a record out of place or
/// reusing an id).
fn report_diagnostics(summaries: &[FileSummary], store: &Store) {
    let unreadable: u64 = summaries.iter().map(|f| f.errors).sum();
    if unreadable > 0 {
        eprintln!("authtrail: {unreadable} record(s) could not be read (see `authtrail summary`)");
    }
    let flags = store.diagnostics_total().saturating_sub(unreadable);
    if flags > 0 {
        eprintln!("authtrail: {flags} diagnostic(s) about events that were kept (see `authtrail summary`)");
    }
}

/// Reads `files` into a store, reporting unreadable files; `Err(code)` when nothing was read.
fn load(files: &[PathBuf]) -> Result<Store, ExitCode> {
    let mut store = Store::new();
    let (summaries, failures) = read_all(files, &mut store);
    store.compact();
    for f in &failures {
        eprintln!("authtrail: {}", visible(f));
    }
    limits::report_notes(&summaries);
    report_diagnostics(&summaries, &store);
    match nothing_read(&summaries, &failures) {
        Some(why) => {
            eprintln!("authtrail: nothing could be read: {why}");
            Err(ExitCode::from(2))
        }
        None => Ok(store),
    }
}

fn generate(size: &str, seed: u64, gzip: bool) -> Result<ExitCode> {
    let opts = authtrail_core::generate::Options {
        seed,
        bytes: parse_size(size)?,
        ..Default::default()
    };
    let stdout = BufWriter::new(io::stdout().lock());
    if gzip {
        let mut enc = flate2::write::GzEncoder::new(stdout, flate2::Compression::default());
        authtrail_core::generate::generate(&opts, &mut enc)?;
        enc.finish()?.flush()?;
    } else {
        let mut out = stdout;
        authtrail_core::generate::generate(&opts, &mut out)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (from, to) = match &cli.command {
        Command::Summary { window, .. }
        | Command::Findings { window, .. }
        | Command::Events { window, .. }
        | Command::Report { window, .. }
        | Command::Extract { window, .. }
        | Command::Export { window, .. } => (window.from, window.to),
        Command::State { .. } | Command::Generate { .. } => (None, None),
    };
    let mfa_only = cli.limits.mfa_only || matches!(cli.command, Command::Extract { .. });
    limits::set(&cli.limits, from, to, mfa_only);
    let result = match &cli.command {
        Command::Summary { json, files, .. } => summary(files, *json),
        Command::Events { files, .. } => events(files),
        Command::Extract { output, files, .. } => limits::extract(files, output),
        Command::State { at, json, files } => match load(files) {
            Ok(store) => review::print_state(&store, at, *json).map(|()| ExitCode::SUCCESS),
            Err(code) => Ok(code),
        },
        Command::Findings {
            json,
            fail_on,
            thresholds,
            files,
            ..
        } => match load(files) {
            Ok(store) => review::print_findings(&store, thresholds, *json, *fail_on)
                .map(|failing| ExitCode::from(u8::from(failing))),
            Err(code) => Ok(code),
        },
        Command::Report {
            html,
            json,
            thresholds,
            files,
            ..
        } => report::run(files, html.as_deref(), *json, &thresholds.thresholds()),
        Command::Generate { size, seed, gzip } => generate(size, *seed, *gzip),
        Command::Export {
            csv, window, files, ..
        } => export::run(files, *csv, window.from, window.to),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("authtrail: {}", visible(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}
