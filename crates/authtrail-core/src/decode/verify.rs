//! IBM Security Verify events: `authentication` (first factor, `mfa`), `sso`, and `management`
//! events on `mfa_device` (enrollment) and `auth_factor` (tenant factor configuration). Fields are
//! read from `data` and `geoip`, or from the top level where a SIEM re-export flattened them.

use super::lenient::{text, Obj, Text};
use super::Top;
use crate::diag::Problem;
use crate::model::{AuthStage, Detail, Event, Family, Geo, Kind, Outcome};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Data<'a> {
    #[serde(borrow)]
    pub result: Option<Text<'a>>,
    #[serde(borrow)]
    pub subtype: Option<Text<'a>>,
    #[serde(borrow)]
    pub action: Option<Text<'a>>,
    #[serde(borrow)]
    pub username: Option<Text<'a>>,
    #[serde(borrow)]
    pub userid: Option<Text<'a>>,
    #[serde(borrow)]
    pub subject: Option<Text<'a>>,
    #[serde(borrow)]
    pub origin: Option<Text<'a>>,
    #[serde(borrow)]
    pub cause: Option<Text<'a>>,
    #[serde(borrow)]
    pub realm: Option<Text<'a>>,
    #[serde(borrow)]
    pub mfamethod: Option<Text<'a>>,
    #[serde(borrow)]
    pub mfadevice: Option<Text<'a>>,
    #[serde(borrow)]
    pub devicetype: Option<Text<'a>>,
    #[serde(borrow)]
    pub resource: Option<Text<'a>>,
    #[serde(borrow)]
    pub target: Option<Text<'a>>,
    #[serde(borrow)]
    pub performedby: Option<Text<'a>>,
    #[serde(borrow)]
    pub performedby_username: Option<Text<'a>>,
    #[serde(borrow)]
    pub applicationname: Option<Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GeoIp<'a> {
    #[serde(borrow)]
    pub country_iso_code: Option<Text<'a>>,
    #[serde(borrow)]
    pub country_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub city_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub ip: Option<Text<'a>>,
    #[serde(borrow)]
    pub location: Obj<Location<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Location<'a> {
    #[serde(borrow)]
    pub lat: Option<Text<'a>>,
    #[serde(borrow)]
    pub lon: Option<Text<'a>>,
}

fn coord(t: &Option<Text<'_>>, limit: f64) -> Option<f32> {
    t.as_ref()
        .and_then(Text::number)
        .filter(|v| v.is_finite() && v.abs() <= limit)
        .map(|v| v as f32)
}

fn geo<'a>(g: &GeoIp<'a>) -> Geo<'a> {
    let loc = g.location.0.as_ref();
    Geo {
        country: text(&g.country_iso_code),
        country_name: text(&g.country_name),
        city: text(&g.city_name),
        lat: loc.and_then(|l| coord(&l.lat, 90.0)),
        lon: loc.and_then(|l| coord(&l.lon, 180.0)),
    }
}

fn label<'a>(parts: &[Option<Cow<'a, str>>]) -> Cow<'a, str> {
    let parts: Vec<&str> = parts.iter().flatten().map(|c| c.as_ref()).collect();
    Cow::Owned(parts.join("/"))
}

pub fn normalize<'a>(top: &Top<'a>, bytes: &'a [u8]) -> Result<Event<'a>, Problem> {
    // `data` and `geoip` nested as Verify writes them, or flattened to the top by a SIEM re-export.
    let data: Data<'a> = match top.data {
        Some(raw) if raw.get().starts_with('{') => {
            serde_json::from_str(raw.get()).unwrap_or_default()
        }
        _ => serde_json::from_slice(bytes).unwrap_or_default(),
    };
    let flat_geo;
    let g = match top.geoip.0.as_ref() {
        Some(g) => g,
        None => {
            flat_geo = serde_json::from_slice::<GeoIp<'a>>(bytes).unwrap_or_default();
            &flat_geo
        }
    };
    let time = [&top.time, &top.indexed_at, &top.ts]
        .into_iter()
        .find_map(|t| t.as_ref().and_then(Text::time))
        .ok_or(Problem::Malformed {
            what: "Verify event",
            detail: "no readable time".into(),
        })?;
    let event_type = text(&top.event_type).map(|t| Cow::Owned(t.to_ascii_lowercase()));
    let subtype = text(&data.subtype).or_else(|| text(&top.subtype));
    let outcome = data
        .result
        .as_ref()
        .and_then(Text::text)
        .map_or(Outcome::Unknown, |r| Outcome::parse(&r));
    let mut ev = Event::new(
        time,
        Family::Verify,
        Kind::Other,
        outcome,
        Cow::Borrowed(""),
    );
    ev.id = text(&top.id);
    ev.correlation_id = text(&top.correlationid);
    ev.ip = text(&data.origin).or_else(|| text(&g.ip));
    ev.user_agent = text(&data.devicetype);
    ev.geo = geo(g);
    let username = text(&data.username)
        .or_else(|| text(&data.userid))
        .or_else(|| text(&data.subject).filter(|s| !s.eq_ignore_ascii_case("UNKNOWN")));
    let performer = text(&data.performedby_username).or_else(|| text(&data.performedby));
    let resource = text(&data.resource);
    let et = event_type.as_deref().unwrap_or("");
    match et {
        "authentication" | "sso" => {
            ev.kind = Kind::Authentication;
            let is_mfa = subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("mfa"));
            let stage = if et == "sso" {
                AuthStage::Sso
            } else if is_mfa {
                AuthStage::Mfa
            } else {
                AuthStage::FirstFactor
            };
            ev.method = if is_mfa {
                text(&data.mfamethod).or_else(|| subtype.clone())
            } else {
                subtype.clone()
            };
            ev.user = username;
            ev.detail = Detail::Authentication {
                stage,
                device: text(&data.mfadevice),
                cause: text(&data.cause),
                realm: text(&data.realm),
            };
            ev.action = label(&[event_type.clone(), subtype.clone()]);
        }
        "management" | "notice"
            if matches!(resource.as_deref(), Some("mfa_device" | "auth_factor")) =>
        {
            let operation = text(&data.action).unwrap_or(Cow::Borrowed("changed"));
            ev.actor = performer.clone();
            if resource.as_deref() == Some("mfa_device") {
                ev.kind = Kind::MfaEnrollment;
                ev.user = username.or(performer);
                ev.method = text(&data.mfamethod);
                ev.detail = Detail::MfaEnrollment {
                    operation,
                    device: text(&data.mfadevice).or_else(|| text(&data.target)),
                };
            } else {
                ev.kind = Kind::FactorConfig;
                ev.user = performer;
                ev.detail = Detail::FactorConfig {
                    operation,
                    factor: text(&data.target),
                };
            }
            ev.action = label(&[event_type.clone(), resource.clone(), text(&data.action)]);
        }
        _ => {
            ev.user = username.or_else(|| performer.clone());
            ev.actor = performer;
            ev.action = label(&[event_type.clone(), resource.or(subtype), text(&data.action)]);
        }
    }
    if ev.action.is_empty() {
        ev.action = Cow::Borrowed("verify");
    }
    Ok(ev)
}
