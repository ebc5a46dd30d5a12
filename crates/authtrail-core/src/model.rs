//! Normalized events: what every supported record becomes, whatever container it came in.

use crate::text::sample_text;
use serde::Serialize;
use std::borrow::Cow;

/// Which product wrote the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Family {
    /// IBM Cloud Activity Tracker (CADF).
    ActivityTracker = 0,
    /// IBM Security Verify.
    Verify = 1,
    /// A JSON record from neither product (kept and searchable).
    Unknown = 2,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::ActivityTracker, Family::Verify, Family::Unknown];
    pub fn label(self) -> &'static str {
        match self {
            Family::ActivityTracker => "Activity Tracker",
            Family::Verify => "Security Verify",
            Family::Unknown => "other",
        }
    }
    /// One record of the family in words: "an Activity Tracker record".
    pub fn a_record(self) -> &'static str {
        match self {
            Family::ActivityTracker => "an Activity Tracker record",
            Family::Verify => "a Security Verify record",
            Family::Unknown => "another record",
        }
    }
}

/// What the event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Kind {
    /// The account-wide MFA requirement changed (or a change was attempted).
    AccountMfa = 0,
    /// A user's login settings (2FA, security questions, self-managed login, allowed IPs).
    UserSetting = 1,
    /// An IBM Cloud IAM login (`iam-identity.*.login`).
    IamLogin = 2,
    /// An IBM Cloud IAM logout.
    IamLogout = 3,
    /// A Verify authentication: first factor, MFA or SSO.
    Authentication = 4,
    /// A Verify MFA device enrollment, update or removal (`mfa_device`).
    MfaEnrollment = 5,
    /// A Verify tenant authentication factor configuration change (`auth_factor`).
    FactorConfig = 6,
    /// Anything else, kept and searchable by action or event type.
    Other = 7,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::AccountMfa,
        Kind::UserSetting,
        Kind::IamLogin,
        Kind::IamLogout,
        Kind::Authentication,
        Kind::MfaEnrollment,
        Kind::FactorConfig,
        Kind::Other,
    ];
    pub fn from_u8(v: u8) -> Kind {
        Kind::ALL
            .get(usize::from(v))
            .copied()
            .unwrap_or(Kind::Other)
    }
    pub fn name(self) -> &'static str {
        match self {
            Kind::AccountMfa => "account_mfa",
            Kind::UserSetting => "user_setting",
            Kind::IamLogin => "iam_login",
            Kind::IamLogout => "iam_logout",
            Kind::Authentication => "authentication",
            Kind::MfaEnrollment => "mfa_enrollment",
            Kind::FactorConfig => "factor_config",
            Kind::Other => "other",
        }
    }
    /// Whether the event is an authentication attempt (counted in success / failure summaries).
    pub fn is_authentication(self) -> bool {
        matches!(self, Kind::IamLogin | Kind::Authentication)
    }
}

/// Outcome as the source wrote it, folded to four values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Outcome {
    Success = 0,
    Failure = 1,
    Pending = 2,
    Unknown = 3,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Success,
        Outcome::Failure,
        Outcome::Pending,
        Outcome::Unknown,
    ];
    pub fn from_u8(v: u8) -> Outcome {
        Outcome::ALL
            .get(usize::from(v))
            .copied()
            .unwrap_or(Outcome::Unknown)
    }
    pub fn parse(s: &str) -> Outcome {
        let s = s.trim();
        if s.eq_ignore_ascii_case("success")
            || s.eq_ignore_ascii_case("succeeded")
            || s.eq_ignore_ascii_case("ok")
        {
            Outcome::Success
        } else if s.eq_ignore_ascii_case("failure")
            || s.eq_ignore_ascii_case("failed")
            || s.eq_ignore_ascii_case("fail")
            || s.eq_ignore_ascii_case("error")
        {
            Outcome::Failure
        } else if s.eq_ignore_ascii_case("pending") {
            Outcome::Pending
        } else {
            Outcome::Unknown
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Pending => "pending",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Stage of a Verify authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStage {
    /// Password or federated first factor.
    FirstFactor,
    /// A second factor (`data.subtype` = `mfa`).
    Mfa,
    /// Single sign-on to an application.
    Sso,
}

impl AuthStage {
    pub fn name(self) -> &'static str {
        match self {
            AuthStage::FirstFactor => "first_factor",
            AuthStage::Mfa => "mfa",
            AuthStage::Sso => "sso",
        }
    }
}

/// Where an IP address was located (Verify `geoip`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Geo<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_name: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f32>,
}

impl Geo<'_> {
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.city.is_none() && self.lat.is_none() && self.lon.is_none()
    }
}

/// The account MFA levels as IBM writes them, weakest first in the order authtrail ranks them.
pub const MFA_LEVELS: [&str; 7] = [
    "NONE",
    "NONE_NO_ROPC",
    "TOTP",
    "LEVEL1",
    "TOTP4ALL",
    "LEVEL2",
    "LEVEL3",
];

/// Normalizes an account MFA level: trims, upper-cases, and maps the legacy empty string to `NONE`.
pub fn normalize_level(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        "NONE".to_owned()
    } else {
        t.to_ascii_uppercase()
    }
}

/// Whether IBM documents account MFA level `level` (one of [`MFA_LEVELS`]). Any other level is
/// shown as undocumented ([`level_label`]) and ranked below every documented one.
pub fn is_documented_level(level: &str) -> bool {
    MFA_LEVELS.contains(&level)
}

/// An account MFA level as a finding or the report shows it: a documented level as it is, any
/// other with `(undocumented)` after it, e.g. `LEVEL9 (undocumented)`.
pub fn level_label(level: &str) -> Cow<'_, str> {
    if is_documented_level(level) {
        Cow::Borrowed(level)
    } else {
        Cow::Owned(format!("{} (undocumented)", crate::text::visible(level)))
    }
}

/// A plain explanation of an account MFA level.
pub fn level_explanation(level: &str) -> &'static str {
    match level {
        "NONE" => "no MFA required",
        "NONE_NO_ROPC" => "no MFA required; password grants (ROPC) disabled",
        "TOTP" => "TOTP for non-federated users only",
        "TOTP4ALL" => "TOTP for all users",
        "LEVEL1" => "email one-time code for all users",
        "LEVEL2" => "TOTP authenticator app for all users",
        "LEVEL3" => "U2F / security key for all users",
        _ => "level not documented by IBM",
    }
}

/// One per-user login setting as it was set by an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingValue<'a> {
    /// `2FA`, `security_questions_setup`, `security_questions_required`, `self_manage` or
    /// `allowed_ip_addresses` (other update types keep IBM's name).
    pub setting: Cow<'a, str>,
    /// The value before, when the event says (the 2023+ diff form does; the flat snapshot does not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The value after.
    pub to: String,
}

/// Kind-specific fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Detail<'a> {
    None,
    AccountMfa {
        /// Level before, when the event carries it (`old_mfa_traits`).
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        /// Level after; `None` for a `set-on` companion, which names no level.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// `billing.account-mfa.set-on` / `set-off`: companions of a level change.
        companion: bool,
    },
    UserSetting {
        values: Vec<SettingValue<'a>>,
    },
    IamLogin {
        /// `user-apikey`, `user-refreshtoken`, `serviceid-apikey`, ...
        credential: Cow<'a, str>,
        /// `UI`, `CLI` or the raw client id, when the event tells.
        #[serde(skip_serializing_if = "Option::is_none")]
        client: Option<Cow<'a, str>>,
    },
    Authentication {
        stage: AuthStage,
        #[serde(skip_serializing_if = "Option::is_none")]
        device: Option<Cow<'a, str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<Cow<'a, str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        realm: Option<Cow<'a, str>>,
    },
    MfaEnrollment {
        /// `created`, `deleted`, `updated`, ...
        operation: Cow<'a, str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        device: Option<Cow<'a, str>>,
    },
    FactorConfig {
        operation: Cow<'a, str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        factor: Option<Cow<'a, str>>,
    },
}

/// One normalized event, borrowing from the record it was read from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event<'a> {
    /// UTC milliseconds since the epoch (written as ISO-8601 when serialized).
    #[serde(serialize_with = "crate::time::serialize_iso")]
    pub time: i64,
    pub family: Family,
    pub kind: Kind,
    pub outcome: Outcome,
    /// Activity Tracker `action`, or Verify `event_type` / `data.subtype`.
    pub action: Cow<'a, str>,
    /// The record's own id (CADF `id`, Verify `id`), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Cow<'a, str>>,
    /// The user the event is about (the one logging in, or whose settings changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Cow<'a, str>>,
    /// Who performed it, when that differs from `user` or matters (changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<Cow<'a, str>>,
    /// An identifier and the name the same record gives it (CADF `initiator.id` and `.name`,
    /// Verify `userid` and `username`): the store shows that identifier by the name wherever a user
    /// or an actor is named, so a person named by IAM ID in one record and by e-mail address in
    /// another is one user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<(Cow<'a, str>, Cow<'a, str>)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<Cow<'a, str>>,
    /// Authentication method: Verify `mfamethod` or first-factor subtype, IAM credential type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Geo::is_empty")]
    pub geo: Geo<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Cow<'a, str>>,
    pub detail: Detail<'a>,
    /// Why the record's own time was not used (an `eventTime` that is no real time, the event
    /// placed at its LogDNA `_ts` instead): told as a diagnostic, never a silent guess. Serialized
    /// as its text.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "note_text")]
    pub time_note: Option<TimeFallback<'a>>,
}

/// An `eventTime` that is no real time (`given`), the event placed at another of the record's
/// times instead (`used`, its key). The `Display` text is what a person is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFallback<'a> {
    pub given: Cow<'a, str>,
    pub used: &'static str,
}

impl TimeFallback<'_> {
    pub fn into_owned(self) -> TimeFallback<'static> {
        TimeFallback {
            given: Cow::Owned(self.given.into_owned()),
            used: self.used,
        }
    }
}

impl std::fmt::Display for TimeFallback<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "eventTime \"{}\" is not a real time; the event is placed at its {} instead",
            sample_text(self.given.as_bytes(), 40),
            self.used
        )
    }
}

fn note_text<S: serde::Serializer>(
    note: &Option<TimeFallback<'_>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match note {
        Some(note) => s.collect_str(note),
        None => s.serialize_none(),
    }
}

impl<'a> Event<'a> {
    /// An event with only the required fields set.
    pub fn new(
        time: i64,
        family: Family,
        kind: Kind,
        outcome: Outcome,
        action: Cow<'a, str>,
    ) -> Self {
        Event {
            time,
            family,
            kind,
            outcome,
            action,
            id: None,
            user: None,
            actor: None,
            alias: None,
            ip: None,
            user_agent: None,
            method: None,
            geo: Geo::default(),
            correlation_id: None,
            detail: Detail::None,
            time_note: None,
        }
    }
}
