//! `authtrail state` and `authtrail findings`: the account's MFA posture at a moment, and what a
//! reviewer must see.

use anyhow::{bail, Result};
use authtrail_core::text::{prose, visible};
use authtrail_core::time::{format_iso, parse_any};
use authtrail_core::{findings, Finding, Severity, Store, Thresholds};
use clap::Args;
use serde_json::{json, Value};
use std::io::{self, BufWriter, Write};

/// The rules' thresholds as flags; each default is the core's documented default.
#[derive(Args, Debug)]
pub struct ThresholdArgs {
    /// MFA fatigue: this many MFA failures of one user before a success...
    #[arg(long, value_name = "N", default_value_t = Thresholds::default().fatigue_failures)]
    fatigue_failures: u32,
    /// ...within this many minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = Thresholds::default().fatigue_window_minutes)]
    fatigue_window: u32,
    /// Password spraying: first-factor failures for this many distinct users from one IP...
    #[arg(long, value_name = "N", default_value_t = Thresholds::default().spray_users)]
    spray_users: u32,
    /// ...within this many minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = Thresholds::default().spray_window_minutes)]
    spray_window: u32,
    /// Impossible travel: faster than this between two successful authentications of a user.
    #[arg(long, value_name = "KMH", default_value_t = Thresholds::default().travel_kmh)]
    travel_kmh: f64,
    /// Impossible travel: places closer than this count as the same place (geo-IP is approximate).
    #[arg(long, value_name = "KM", default_value_t = Thresholds::default().travel_min_km)]
    travel_min_km: f64,
    /// First-seen country or user agent: only after this many earlier successes of the user.
    #[arg(long, value_name = "N", default_value_t = Thresholds::default().baseline_successes)]
    baseline: u32,
    /// MFA enrollment change followed by a login from a new country or device within this many hours.
    #[arg(long, value_name = "HOURS", default_value_t = Thresholds::default().enrollment_window_hours)]
    enrollment_window: u32,
}

impl ThresholdArgs {
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            fatigue_failures: self.fatigue_failures,
            fatigue_window_minutes: self.fatigue_window,
            spray_users: self.spray_users,
            spray_window_minutes: self.spray_window,
            travel_kmh: self.travel_kmh,
            travel_min_km: self.travel_min_km,
            baseline_successes: self.baseline,
            enrollment_window_hours: self.enrollment_window,
        }
    }
}

/// `--fail-on`: a severity, or `never` (`None`).
#[derive(Debug, Clone, Copy)]
pub struct FailOn(pub Option<Severity>);

pub fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("never") {
        return Ok(FailOn(None));
    }
    Severity::parse(s).map(|s| FailOn(Some(s))).ok_or_else(|| {
        format!("unknown severity {s:?}: use info, low, medium, high, critical or never")
    })
}

/// Where each of a finding's events came from: file name, byte offset and time.
fn records(store: &Store, f: &Finding) -> Value {
    f.events
        .iter()
        .map(|&i| {
            let at = store.locate(i as usize);
            json!({
                "file": store.files()[usize::from(at.file)].name,
                "offset": at.offset,
                "time": format_iso(store.event(i as usize).time),
            })
        })
        .collect()
}

/// Prints the findings; returns whether one at or above `fail_on` is present.
pub fn print_findings(
    store: &Store,
    args: &ThresholdArgs,
    as_json: bool,
    FailOn(fail_on): FailOn,
) -> Result<bool> {
    let thresholds = args.thresholds();
    let found = findings(store, &thresholds);
    let failing = fail_on.is_some_and(|s| found.iter().any(|f| f.severity >= s));
    let mut out = BufWriter::new(io::stdout().lock());
    let counts: serde_json::Map<String, Value> = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            let n = found.iter().filter(|f| f.severity == *s).count();
            (s.name().to_owned(), json!(n))
        })
        .collect();
    if as_json {
        let list: Vec<Value> = found
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(f).expect("findings serialize");
                v["records"] = records(store, f);
                v
            })
            .collect();
        let v = json!({
            "thresholds": thresholds,
            "fail_on": fail_on.map_or("never", Severity::name),
            "counts": counts,
            "findings": list,
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        let tally: Vec<String> = counts
            .iter()
            .filter(|(_, n)| n.as_u64() != Some(0))
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        match found.len() {
            0 => writeln!(out, "No findings.")?,
            n => writeln!(
                out,
                "{n} finding{} ({})",
                if n == 1 { "" } else { "s" },
                tally.join(", ")
            )?,
        }
        for f in &found {
            writeln!(
                out,
                "\n{:<9} {}",
                f.severity.name().to_uppercase(),
                prose(&f.title)
            )?;
            let pad = " ".repeat(10);
            writeln!(
                out,
                "{pad}{} .. {}  [{}]",
                format_iso(f.from),
                format_iso(f.to),
                f.rule
            )?;
            writeln!(out, "{pad}{}", prose(&f.detail))?;
            for (label, list) in [("users", &f.users), ("actors", &f.actors), ("IPs", &f.ips)] {
                if !list.is_empty() {
                    let shown: Vec<_> = list.iter().take(10).map(|v| visible(v)).collect();
                    let more = list.len().saturating_sub(10);
                    let more = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    writeln!(out, "{pad}{label}: {}{more}", shown.join(", "))?;
                }
            }
            writeln!(out, "{pad}events: {}", f.events.len())?;
        }
    }
    out.flush()?;
    Ok(failing)
}

/// Prints the account MFA level and each user's settings at `at`.
pub fn print_state(store: &Store, at: &str, as_json: bool) -> Result<()> {
    let Some(time) = parse_any(at) else {
        bail!("--at {at:?} is not a time: write ISO-8601 (2024-03-01T09:30:00Z) or epoch seconds / milliseconds");
    };
    let state = store.state_at(time);
    let mut out = BufWriter::new(io::stdout().lock());
    if as_json {
        serde_json::to_writer_pretty(&mut out, &state)?;
        writeln!(out)?;
    } else {
        writeln!(out, "State at {}", format_iso(time))?;
        let since = |s: Option<i64>, actor: &Option<String>| match (s, actor) {
            (Some(t), Some(a)) => format!("since {} (by {})", format_iso(t), visible(a)),
            (Some(t), None) => format!("since {}", format_iso(t)),
            (None, _) => "before the first recorded change".to_owned(),
        };
        match &state.account {
            Some(a) => writeln!(
                out,
                "  Account MFA level: {} ({}), {}",
                visible(&a.level),
                authtrail_core::model::level_explanation(&a.level),
                since(a.since, &a.actor)
            )?,
            None => writeln!(
                out,
                "  Account MFA level: unknown (no change recorded around this time)"
            )?,
        }
        if state.users.is_empty() {
            writeln!(out, "  No user settings known at this time.")?;
        }
        for u in &state.users {
            writeln!(out, "  {}", visible(&u.user))?;
            for s in &u.settings {
                writeln!(
                    out,
                    "    {}: {}, {}",
                    visible(&s.setting),
                    visible(&s.value),
                    since(s.since, &s.actor)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
