//! Timestamps: every observed form into UTC milliseconds, and back to ISO-8601.
//!
//! Hand-written rather than a date crate because it runs once per record on the ingest hot path and
//! only has to accept the handful of forms these exports use:
//! ISO-8601 with 0 to 9 fraction digits and `Z`, `+0000`, `+00:00` or no offset (read as UTC), and
//! epoch numbers whose unit (s, ms, us, ns) is told by magnitude. Nothing is guessed: a date that
//! does not exist (February 30), an offset that does not (`+99:99`) or a number no unit reads as a
//! time is no time at all. A time outside [`PLAUSIBLE`] is read as written; ingest flags it.

use std::ops::Range;

/// The times an event of these exports can plausibly have: 1990-01-01 up to the end of 2100 (UTC
/// ms). Ingest keeps an event outside them and says so.
pub const PLAUSIBLE: Range<i64> = 631_152_000_000..4_133_980_800_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Days in month `m` (1-12) of year `y`, proleptic Gregorian.
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0')))
}

/// Parses an ISO-8601 / RFC 3339 timestamp into UTC milliseconds.
///
/// ```
/// use authtrail_core::time::parse_iso;
/// assert_eq!(parse_iso("2019-11-27T00:03:01.8+0000"), Some(1_574_812_981_800));
/// assert_eq!(parse_iso("2020-03-08T12:22:01+00:00"), Some(1_583_670_121_000));
/// ```
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, mi, se) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0i64;
    if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &b[start..i];
        if frac.is_empty() {
            return None;
        }
        for (k, c) in frac.iter().take(3).enumerate() {
            ms += i64::from(c - b'0') * [100, 10, 1][k];
        }
    }
    let offset_min = match &b[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (oh, om) = match rest {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 60 + om;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60;
    Some(secs * 1000 + ms)
}

/// Epoch seconds, milliseconds or microseconds, told apart by magnitude, into milliseconds.
///
/// Values below 10^11 are seconds (up to year 5138), below 10^14 milliseconds, below 10^17
/// microseconds, and nanoseconds up to what a signed 64-bit count of them holds (2^63, year
/// 2262); anything larger is no time. Milliseconds are therefore read as such from
/// 1973-03-03T09:46:40Z on: every Verify `time` (epoch ms) of a real event, while a re-export
/// that wrote seconds or microseconds is read too.
pub fn from_epoch(v: f64) -> Option<i64> {
    if !v.is_finite() {
        return None;
    }
    let a = v.abs();
    let ms = if a < 1e11 {
        v * 1000.0
    } else if a < 1e14 {
        v
    } else if a < 1e17 {
        v / 1000.0
    } else if a < 9_223_372_036_854_775_808.0 {
        v / 1_000_000.0
    } else {
        return None;
    };
    // Keep within what ISO formatting can show (years 0000-9999).
    (-62_167_219_200_000.0..=253_402_300_799_999.0)
        .contains(&ms)
        .then_some(ms as i64)
}

/// A timestamp written as a number or a string of digits, or an ISO-8601 string.
pub fn parse_any(s: &str) -> Option<i64> {
    let t = s.trim();
    if !t.is_empty()
        && t.bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b'-')
    {
        return t.parse::<f64>().ok().and_then(from_epoch);
    }
    parse_iso(t)
}

/// Serde `serialize_with` for UTC milliseconds: written as [`format_iso`].
pub(crate) fn serialize_iso<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_iso(*t))
}

/// Serde `serialize_with` for optional UTC milliseconds: ISO-8601 or `null`.
pub(crate) fn serialize_iso_opt<S: serde::Serializer>(
    t: &Option<i64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_iso(t, s),
        None => s.serialize_none(),
    }
}

/// Formats UTC milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// ```
/// assert_eq!(authtrail_core::time::format_iso(1_574_812_981_800), "2019-11-27T00:03:01.800Z");
/// ```
pub fn format_iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Parses the Activity Tracker web UI form `27/Nov/2019:09:48:16` (UTC) into milliseconds.
pub fn parse_ui(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' {
        return None;
    }
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let mo = MONTHS.iter().position(|m| *m == &b[3..6])? as i64 + 1;
    let iso = format!("{}-{mo:02}-{}T{}Z", &s[7..11], &s[0..2], &s[12..20]);
    parse_iso(&iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_seen_in_exports() {
        let base = 1_574_812_981_000; // 2019-11-27T00:03:01Z
        assert_eq!(parse_iso("2019-11-27T00:03:01Z"), Some(base));
        assert_eq!(parse_iso("2019-11-27T00:03:01.8+0000"), Some(base + 800));
        assert_eq!(parse_iso("2019-11-27T00:03:01.80+00:00"), Some(base + 800));
        assert_eq!(parse_iso("2019-11-27T00:03:01.801Z"), Some(base + 801));
        assert_eq!(parse_iso("2019-11-27T00:03:01.801999Z"), Some(base + 801));
        assert_eq!(parse_iso("2019-11-27T01:03:01+01:00"), Some(base));
        assert_eq!(parse_iso("2019-11-26T23:03:01-0100"), Some(base));
        assert_eq!(parse_iso("2019-11-27T00:03:01"), Some(base));
    }

    #[test]
    fn iso_rejects_garbage() {
        for s in [
            "",
            "2019-11-27",
            "2019-13-27T00:03:01Z",
            "2019-11-27T00:03:01.Z",
            "yesterday",
            "2019-11-27T00:03:01+5",
            "2019-11-27T25:03:01Z",
        ] {
            assert_eq!(parse_iso(s), None, "{s}");
        }
    }

    /// Regression: February 30 read as March 1, and any two digits were an offset.
    #[test]
    fn impossible_dates_and_offsets_are_no_time() {
        for s in [
            "2024-02-30T10:00:00Z",
            "2023-02-29T10:00:00Z",
            "1900-02-29T10:00:00Z",
            "2024-04-31T10:00:00Z",
            "2024-11-31T10:00:00Z",
            "2024-00-10T10:00:00Z",
            "2024-05-00T10:00:00Z",
            "2024-05-01T10:00:00+99:99",
            "2024-05-01T10:00:00+24:00",
            "2024-05-01T10:00:00-0060",
            "2024-05-01T10:00:00+25",
        ] {
            assert_eq!(parse_iso(s), None, "{s}");
        }
        // Leap days that exist, and the widest offsets there are.
        assert_eq!(
            parse_iso("2024-02-29T00:00:00Z").map(format_iso).as_deref(),
            Some("2024-02-29T00:00:00.000Z")
        );
        assert!(parse_iso("2000-02-29T00:00:00Z").is_some());
        assert_eq!(
            parse_iso("2024-05-01T14:00:00+14:00"),
            parse_iso("2024-05-01T00:00:00Z")
        );
        assert_eq!(
            parse_iso("2024-05-01T00:00:00-12:00"),
            parse_iso("2024-05-01T12:00:00Z")
        );
    }

    /// Regression: 2^64 read as nanoseconds (year 2554).
    #[test]
    fn numbers_beyond_nanoseconds_are_no_time() {
        assert_eq!(from_epoch(18_446_744_073_709_551_616.0), None);
        assert_eq!(parse_any("18446744073709551616"), None);
        assert_eq!(from_epoch(9.3e18), None);
        assert_eq!(from_epoch(-9.3e18), None);
        // Nanoseconds below 2^63 are still read.
        assert_eq!(
            from_epoch(1_714_557_600_123_456_789.0),
            Some(1_714_557_600_123)
        );
        assert_eq!(parse_any("1714557600123456789"), Some(1_714_557_600_123));
    }

    #[test]
    fn the_plausible_years_are_1990_to_2100() {
        assert_eq!(format_iso(PLAUSIBLE.start), "1990-01-01T00:00:00.000Z");
        assert_eq!(format_iso(PLAUSIBLE.end), "2101-01-01T00:00:00.000Z");
    }

    #[test]
    fn epoch_unit_by_magnitude() {
        assert_eq!(from_epoch(1_618_469_336.0), Some(1_618_469_336_000));
        assert_eq!(from_epoch(1_618_469_336_286.0), Some(1_618_469_336_286));
        assert_eq!(from_epoch(1_618_469_336_286_123.0), Some(1_618_469_336_286));
        assert_eq!(from_epoch(f64::NAN), None);
        // The boundary: the first millisecond read as milliseconds, and the last second.
        assert_eq!(from_epoch(1e11), Some(100_000_000_000));
        assert_eq!(format_iso(100_000_000_000), "1973-03-03T09:46:40.000Z");
        assert_eq!(from_epoch(99_999_999_999.0), Some(99_999_999_999_000));
        assert_eq!(parse_any("1559156150862"), Some(1_559_156_150_862));
        assert_eq!(
            parse_any("2020-03-08T12:22:01+00:00"),
            Some(1_583_670_121_000)
        );
    }

    #[test]
    fn format_round_trips() {
        for ms in [
            0,
            1_574_812_981_800,
            -1,
            951_782_400_000,
            253_402_300_799_999,
        ] {
            assert_eq!(parse_iso(&format_iso(ms)), Some(ms), "{ms}");
        }
        assert_eq!(format_iso(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn ui_text_time() {
        assert_eq!(parse_ui("27/Nov/2019:00:03:01"), Some(1_574_812_981_000));
        assert_eq!(parse_ui("27/Foo/2019:00:03:01"), None);
    }
}
