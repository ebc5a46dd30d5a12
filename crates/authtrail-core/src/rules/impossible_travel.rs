//! **Impossible travel**: two consecutive successful authentications of one user, far apart in
//! place and close in time.
//!
//! Compares each successful authentication that carries a geo-IP position with the same user's
//! previous one: when the great-circle distance is at least `travel_min_km` (default 100, since
//! geo-IP positions are approximate) and the implied speed exceeds `travel_kmh` (default 1000, a
//! little above an airliner), it fires. High severity.
//!
//! Why it matters: one person cannot be in both places; one of the two sessions is probably
//! someone else holding the user's credentials (or a VPN, which the reviewer can rule out).
//!
//! Example: `ana@example.com` authenticates in Paris at 09:00 and in Tokyo at 09:40 (9,700 km):
//! "Impossible travel for ana@example.com: FR to JP, 9712 km in 40 min".

use super::{duration, Auth, Context, Finding, Involved, Severity, Thresholds};
use crate::text::visible;
use crate::time::format_iso;
use rustc_hash::FxHashMap;

pub(crate) const RULE: &str = "impossible-travel";

/// Great-circle distance in km between two (latitude, longitude) points in degrees.
const EARTH_KM: f64 = 6371.0;
/// The longest great-circle distance [`distance_km`] gives.
const HALF_CIRCUMFERENCE_KM: f64 = EARTH_KM * std::f64::consts::PI;

pub fn distance_km(a: (f32, f32), b: (f32, f32)) -> f64 {
    let (la1, lo1) = (f64::from(a.0).to_radians(), f64::from(a.1).to_radians());
    let (la2, lo2) = (f64::from(b.0).to_radians(), f64::from(b.1).to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

pub(super) fn check(cx: &Context<'_>, t: &Thresholds, out: &mut Vec<Finding>) {
    let mut last: FxHashMap<u32, &Auth> = FxHashMap::default();
    for a in cx.auths.iter().filter(|a| a.ok && a.user != 0) {
        let Some(here) = a.coordinates else { continue };
        if let Some(prev) = last.insert(a.user, a) {
            let there = prev
                .coordinates
                .expect("only positioned authentications are kept");
            let hours = (a.time - prev.time) as f64 / 3_600_000.0;
            // Most pairs are from the same place, or too far apart in time for any distance on
            // Earth to be too fast: no trigonometry for them.
            if (here == there && t.travel_min_km > 0.0)
                || hours * t.travel_kmh > HALF_CIRCUMFERENCE_KM + 1.0
            {
                continue;
            }
            let km = distance_km(there, here);
            let kmh = if hours > 0.0 {
                km / hours
            } else {
                f64::INFINITY
            };
            if km < t.travel_min_km || kmh <= t.travel_kmh {
                continue;
            }
            let place = |x: &Auth| cx.shown(x.country, "an unknown country");
            let name = visible(&cx.user(a.event, "")).into_owned();
            let speed = if kmh.is_finite() {
                format!("{kmh:.0} km/h")
            } else {
                "at the same moment".to_owned()
            };
            let mut who = Involved::default();
            who.auth(cx, prev).auth(cx, a);
            out.push(who.finding(
                RULE,
                Severity::High,
                format!(
                    "Impossible travel for {name}: {} to {}, {km:.0} km in {}",
                    place(prev),
                    place(a),
                    duration(a.time - prev.time)
                ),
                format!(
                    "{name} authenticated successfully from {} ({}) at {} and from {} ({}) at {}: {km:.0} km apart, {speed}, above the {:.0} km/h threshold.",
                    place(prev),
                    cx.shown(prev.ip, "no IP"),
                    format_iso(prev.time),
                    place(a),
                    cx.shown(a.ip, "no IP"),
                    format_iso(a.time),
                    t.travel_kmh
                ),
                prev.time,
                a.time,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_events::*;
    use super::*;

    const PARIS: (&str, f64, f64) = ("FR", 48.8566, 2.3522);
    const TOKYO: (&str, f64, f64) = ("JP", 35.6762, 139.6503);
    const VERSAILLES: (&str, f64, f64) = ("FR", 48.8049, 2.1204);

    #[test]
    fn distances_are_great_circle() {
        let km = distance_km((48.8566, 2.3522), (35.6762, 139.6503));
        assert!((km - 9713.0).abs() < 10.0, "{km}");
        assert_eq!(distance_km((10.0, 10.0), (10.0, 10.0)), 0.0);
    }

    #[test]
    fn paris_then_tokyo_forty_minutes_later_fires() {
        let f = of(
            &run(&[
                verify_auth(
                    0,
                    "ana@example.com",
                    "password",
                    true,
                    "192.0.2.5",
                    PARIS,
                    "Firefox",
                ),
                verify_auth(
                    2400,
                    "ana@example.com",
                    "password",
                    true,
                    "203.0.113.80",
                    TOKYO,
                    "Firefox",
                ),
            ]),
            RULE,
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].title,
            "Impossible travel for ana@example.com: FR to JP, 9712 km in 40 min"
        );
        assert_eq!(f[0].ips, ["192.0.2.5", "203.0.113.80"]);
    }

    #[test]
    fn slow_travel_near_places_failures_and_other_users_do_not_fire() {
        let f = run(&[
            verify_auth(
                0,
                "ana@example.com",
                "password",
                true,
                "192.0.2.5",
                PARIS,
                "Firefox",
            ),
            verify_auth(
                60,
                "ana@example.com",
                "password",
                true,
                "192.0.2.6",
                VERSAILLES,
                "Firefox",
            ),
            verify_auth(
                120,
                "ana@example.com",
                "password",
                false,
                "203.0.113.80",
                TOKYO,
                "Firefox",
            ),
            verify_auth(
                180,
                "bo@example.com",
                "password",
                true,
                "203.0.113.80",
                TOKYO,
                "Firefox",
            ),
            verify_auth(
                20 * 3600,
                "ana@example.com",
                "password",
                true,
                "203.0.113.80",
                TOKYO,
                "Firefox",
            ),
        ]);
        assert!(of(&f, RULE).is_empty(), "{f:#?}");
    }
}
