//! The caps and the subset every command reads with (`--max-record-bytes`, `--max-events`,
//! `--max-memory-mb`, `--mfa-only`, `--from` / `--to`), and `authtrail extract`: the MFA-relevant
//! events' original records, streamed to a smaller NDJSON file.

use crate::stream::{Line, Streamed};
use crate::{display_name, nothing_read, parse_size, parse_time, read_all};
use anyhow::{Context, Result};
use authtrail_core::collect::FileSummary;
use authtrail_core::ingest::limits::{Keep, Options, DEFAULT_MAX_MEMORY, DEFAULT_MAX_RECORD};
use authtrail_core::text::visible;
use clap::Args;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

/// Options of every command.
#[derive(Args, Debug)]
pub struct LimitArgs {
    /// Skip (with a diagnostic) any record larger than this, e.g. 64MB, 512k.
    #[arg(long, global = true, value_name = "SIZE", value_parser = size, default_value_t = DEFAULT_MAX_RECORD as u64)]
    max_record_bytes: u64,
    /// Keep at most this many events; the rest are counted, not kept (memory stays bounded).
    #[arg(long, global = true, value_name = "N")]
    max_events: Option<u64>,
    /// Keep events while the strings and columns kept use less than this many MB (2^20 bytes);
    /// the rest are counted, not kept. 0: no cap.
    #[arg(long, global = true, value_name = "N", default_value_t = DEFAULT_MAX_MEMORY >> 20)]
    max_memory_mb: u64,
    /// Keep only MFA-relevant events: account MFA and user setting changes, Verify MFA
    /// enrollment and factor configuration, Verify MFA steps.
    #[arg(long, global = true)]
    pub mfa_only: bool,
}

/// Keep only the events of a time range.
#[derive(Args, Debug)]
pub struct Window {
    /// Keep events at or after this time: ISO-8601 or epoch seconds / milliseconds.
    #[arg(long, value_parser = parse_time)]
    pub from: Option<i64>,
    /// Keep events before this time.
    #[arg(long, value_parser = parse_time)]
    pub to: Option<i64>,
}

fn size(s: &str) -> Result<u64> {
    parse_size(s)
}

static OPTIONS: OnceLock<Options> = OnceLock::new();

/// Sets the options of this run, from the global flags and the command's subset.
pub fn set(args: &LimitArgs, from: Option<i64>, to: Option<i64>, mfa_only: bool) {
    let options = Options {
        max_record_bytes: usize::try_from(args.max_record_bytes).unwrap_or(usize::MAX),
        max_events: args.max_events,
        max_memory_bytes: (args.max_memory_mb > 0)
            .then(|| args.max_memory_mb.saturating_mul(1 << 20)),
        keep: Keep { from, to, mfa_only },
    };
    OPTIONS.set(options).expect("options are set once");
}

/// The options of this run.
pub fn options() -> Options {
    OPTIONS.get().copied().unwrap_or_default()
}

/// Tells on standard error what the subset or a cap left out of each file.
pub fn report_notes(files: &[FileSummary]) {
    for f in files {
        if let Some(note) = &f.note {
            eprintln!("authtrail: {}: {note}", visible(&f.name));
        }
    }
}

/// Diagnostics printed word for word by `extract`; the rest are counted.
const SHOWN_DIAGNOSTICS: u64 = 20;

/// `authtrail extract`: streams `files` (any size: only the keys of the events written are held,
/// with the users and the identifiers' naming records) and writes the original records of their
/// MFA-relevant events to `output`, then the records outside the subset that name identifiers
/// those events use.
pub fn extract(files: &[PathBuf], output: &Path) -> Result<ExitCode> {
    if files.iter().any(|f| same_file(f, output)) {
        anyhow::bail!("{} is also an input file", output.display());
    }
    let file =
        File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut sink = Streamed::new(BufWriter::new(file), Line::Original, SHOWN_DIAGNOSTICS);
    let (summaries, failures) = read_all(files, &mut sink);
    for f in &failures {
        eprintln!("authtrail: {}", visible(f));
    }
    let namings = sink.finish_names();
    if let Some(e) = sink.error.take() {
        return Err(e).with_context(|| format!("cannot write {}", output.display()));
    }
    sink.out
        .flush()
        .with_context(|| format!("cannot write {}", output.display()))?;
    sink.report_unshown();
    report_notes(&summaries);
    let sum = |f: fn(&FileSummary) -> u64| summaries.iter().map(f).sum::<u64>();
    eprintln!(
        "authtrail: wrote {} MFA-relevant event(s) to {} ({} record(s) read from {} file(s): {} outside the subset, {} duplicate(s), {} over the events cap, {} unreadable)",
        sum(|f| f.events),
        visible(&output.display().to_string()),
        sum(|f| f.records),
        summaries.len(),
        sum(|f| f.outside_subset),
        sum(|f| f.duplicates),
        sum(|f| f.over_cap),
        sum(|f| f.errors),
    );
    if namings > 0 {
        eprintln!(
            "authtrail: and {namings} record(s) outside the subset that give the names of IAM IDs the events use (their latest naming record each)"
        );
    }
    if let Some(why) = nothing_read(&summaries, &failures) {
        eprintln!("authtrail: nothing could be read: {why}");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => display_name(a) == display_name(b) && a.as_os_str() != "-",
    }
}
