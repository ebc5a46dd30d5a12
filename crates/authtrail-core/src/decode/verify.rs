//! IBM Security Verify events: `authentication` (first factor, `mfa`), `sso`, and `management`
//! events on `mfa_device` (enrollment) and `auth_factor` (tenant factor configuration). Fields are
//! read from `data` and `geoip`, or from the top level where a SIEM re-export flattened them.

use super::lenient::{text, Obj, Text};
use super::scan::keys;
use super::Top;
use crate::diag::Problem;
use crate::model::{AuthStage, Detail, Event, Family, Geo, Kind, Outcome};
use std::borrow::Cow;

keys! {
    pub struct Data<'a> {
        "result" => result: Option<Text<'a>>,
        "subtype" => subtype: Option<Text<'a>>,
        "action" => action: Option<Text<'a>>,
        "username" => username: Option<Text<'a>>,
        "userid" => userid: Option<Text<'a>>,
        "subject" => subject: Option<Text<'a>>,
        "origin" => origin: Option<Text<'a>>,
        "cause" => cause: Option<Text<'a>>,
        "realm" => realm: Option<Text<'a>>,
        "mfamethod" => mfamethod: Option<Text<'a>>,
        "mfadevice" => mfadevice: Option<Text<'a>>,
        "devicetype" => devicetype: Option<Text<'a>>,
        "resource" => resource: Option<Text<'a>>,
        "target" => target: Option<Text<'a>>,
        "performedby" => performedby: Option<Text<'a>>,
        "performedby_username" => performedby_username: Option<Text<'a>>,
        "applicationname" => applicationname: Option<Text<'a>>,
    }
}

keys! {
    pub struct GeoIp<'a> {
        "country_iso_code" => country_iso_code: Option<Text<'a>>,
        "country_name" => country_name: Option<Text<'a>>,
        "city_name" => city_name: Option<Text<'a>>,
        "ip" => ip: Option<Text<'a>>,
        "location" => location: Obj<Location<'a>>,
    }
}

keys! {
    pub struct Location<'a> {
        "lat" => lat: Option<Text<'a>>,
        "lon" => lon: Option<Text<'a>>,
    }
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

/// The parts that are present, joined by `/`.
fn label<'a>(parts: &[Option<Cow<'a, str>>]) -> Cow<'a, str> {
    let mut label = String::with_capacity(parts.iter().flatten().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().flatten().enumerate() {
        if i > 0 {
            label.push('/');
        }
        label.push_str(part);
    }
    Cow::Owned(label)
}

pub fn normalize<'a>(top: &Top<'a>, bytes: &'a [u8]) -> Result<Event<'a>, Problem> {
    // `data` and `geoip` nested as Verify writes them, or flattened to the top by a SIEM re-export.
    let flat_data;
    let data = match top.data.0.as_ref() {
        Some(d) => d,
        None => {
            flat_data = super::parse_or_default::<Data<'a>>(bytes);
            &flat_data
        }
    };
    let flat_geo;
    let g = match top.geoip.0.as_ref() {
        Some(g) => g,
        None => {
            flat_geo = super::parse_or_default::<GeoIp<'a>>(bytes);
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
    let event_type = text(&top.event_type).map(|t| {
        // Verify writes these in lower case; only other casings pay for a copy.
        if t.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(t.to_ascii_lowercase())
        } else {
            t
        }
    });
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
    ev.alias = text(&data.userid)
        .zip(text(&data.username))
        .filter(|(id, name)| id != name);
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

#[cfg(test)]
mod tests {
    use crate::model::{AuthStage, Detail, Kind, Outcome};
    use crate::test_support::store_from;

    #[test]
    fn mfa_authentication_with_geo_given_as_strings() {
        let s = store_from(
            r#"{"geoip":{"country_iso_code":"IN","city_name":null,"location":{"lon":"77.0","lat":"20.0"}},"data":{"result":"failure","subtype":"mfa","mfamethod":"Email OTP","mfadevice":"a@x.com","username":"a@x.com","origin":"49.36.33.104","cause":"bad code","realm":"cloudIdentityRealm"},"event_type":"authentication","time":"1618469336286","id":"e1"}"#,
        );
        let e = s.event(0);
        assert_eq!(
            (e.kind, e.outcome, e.method.as_deref(), e.user.as_deref()),
            (
                Kind::Authentication,
                Outcome::Failure,
                Some("Email OTP"),
                Some("a@x.com")
            )
        );
        assert_eq!(
            (e.geo.country.as_deref(), e.geo.lat, e.geo.lon, e.time),
            (Some("IN"), Some(20.0), Some(77.0), 1_618_469_336_286)
        );
        assert!(matches!(
            e.detail,
            Detail::Authentication {
                stage: AuthStage::Mfa,
                ..
            }
        ));
    }

    #[test]
    fn first_factor_failure_with_unknown_subject_and_flattened_sso() {
        let s = store_from(concat!(
            r#"{"data":{"result":"failure","subtype":"user_password","subject":"UNKNOWN","username":"dsfadsfads"},"event_type":"authentication","time":1585362232823}"#,
            "\n",
            r#"{"country_iso_code":"IN","ip":"47.15.98.56","location":{"lon":"88.3697","lat":"22.5697"},"result":"success","subtype":"saml","username":"d@in.ibm.com","event_type":"sso","time":1642413141894,"id":"s1"}"#
        ));
        assert_eq!(s.event(0).user.as_deref(), Some("dsfadsfads"));
        assert_eq!(s.event(0).method.as_deref(), Some("user_password"));
        let sso = s.event(1);
        assert_eq!(
            (
                sso.method.as_deref(),
                sso.geo.country.as_deref(),
                sso.ip.as_deref()
            ),
            (Some("saml"), Some("IN"), Some("47.15.98.56"))
        );
        assert!(matches!(
            sso.detail,
            Detail::Authentication {
                stage: AuthStage::Sso,
                ..
            }
        ));
    }

    #[test]
    fn enrollment_and_factor_configuration() {
        let s = store_from(concat!(
            r#"{"data":{"result":"success","action":"deleted","resource":"mfa_device","mfadevice":"phone","performedby_username":"a@x.com","username":"a@x.com"},"event_type":"management","time":1700000000000}"#,
            "\n",
            r#"{"data":{"result":"success","action":"updated","resource":"auth_factor","performedby_username":"admin@x.com","target":"emailotp"},"event_type":"management","time":1700000001000}"#,
            "\n",
            r#"{"data":{"result":"success","action":"created","resource":"api_client","performedby":"0000000AB1"},"event_type":"management","time":1700000002000}"#
        ));
        assert_eq!(s.event(0).kind, Kind::MfaEnrollment);
        assert!(
            matches!(&s.event(0).detail, Detail::MfaEnrollment { operation, device: Some(d) } if operation == "deleted" && d == "phone")
        );
        assert_eq!(
            (s.event(1).kind, s.event(1).user.as_deref()),
            (Kind::FactorConfig, Some("admin@x.com"))
        );
        assert_eq!(
            (s.event(2).kind, s.event(2).action.as_ref()),
            (Kind::Other, "management/api_client/created")
        );
    }
}
