//! A deterministic generator of realistic mixed exports: Activity Tracker and Verify events in the
//! shapes the real products write, with a story a reviewer should find (an MFA downgrade and its
//! restoration, a failed change attempt, user settings switched off, an MFA device removed and a
//! login from the attacker's country, an MFA fatigue burst, MFA failures across methods and
//! countries, password sprays), plus LogDNA-wrapped lines and duplicates. Users log in from home
//! and now and then travel, never faster than an airliner, so routine traffic raises no finding.
//!
//! The same seed and size always give the same bytes.
//!
//! ```
//! let mut a = Vec::new();
//! authtrail_core::generate::generate(&authtrail_core::generate::Options { bytes: 20_000, ..Default::default() }, &mut a).unwrap();
//! let mut b = Vec::new();
//! authtrail_core::generate::generate(&authtrail_core::generate::Options { bytes: 20_000, ..Default::default() }, &mut b).unwrap();
//! assert_eq!(a, b);
//! assert!(a.len() >= 20_000);
//! ```

use std::fmt::Write as _;
use std::io::{self, Write};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Stop after at least this many bytes.
    pub bytes: u64,
    /// First event time, UTC ms.
    pub start: i64,
    /// Time span covered, ms.
    pub span: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 7,
            bytes: 1 << 20,
            start: 1_709_251_200_000,
            span: 30 * 86_400_000,
        }
    }
}

/// splitmix64: small, fast and fully determined by its seed.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Place {
    iso: &'static str,
    name: &'static str,
    city: &'static str,
    lat: &'static str,
    lon: &'static str,
    net: &'static str,
}

impl Place {
    fn position(&self) -> (f32, f32) {
        (
            self.lat.parse().unwrap_or_default(),
            self.lon.parse().unwrap_or_default(),
        )
    }
}

const PLACES: [Place; 8] = [
    Place {
        iso: "US",
        name: "United States",
        city: "Austin",
        lat: "30.4092",
        lon: "-97.7133",
        net: "129.42.38",
    },
    Place {
        iso: "DE",
        name: "Germany",
        city: "Frankfurt am Main",
        lat: "50.1109",
        lon: "8.6821",
        net: "185.12.64",
    },
    Place {
        iso: "IN",
        name: "India",
        city: "Bengaluru",
        lat: "12.9716",
        lon: "77.5946",
        net: "49.36.33",
    },
    Place {
        iso: "GB",
        name: "United Kingdom",
        city: "London",
        lat: "51.5072",
        lon: "-0.1276",
        net: "158.177.175",
    },
    Place {
        iso: "JP",
        name: "Japan",
        city: "Tokyo",
        lat: "35.6762",
        lon: "139.6503",
        net: "161.202.17",
    },
    Place {
        iso: "BR",
        name: "Brazil",
        city: "São Paulo",
        lat: "-23.5558",
        lon: "-46.6396",
        net: "169.57.150",
    },
    Place {
        iso: "AU",
        name: "Australia",
        city: "Sydney",
        lat: "-33.8688",
        lon: "151.2093",
        net: "130.198.66",
    },
    Place {
        iso: "RU",
        name: "Russia",
        city: "Moscow",
        lat: "55.7558",
        lon: "37.6173",
        net: "95.165.28",
    },
];

const FIRST: [&str; 12] = [
    "ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kemal", "lea",
];
const LAST: [&str; 6] = ["silva", "meyer", "rao", "okafor", "tanaka", "novak"];
const MFA_METHODS: [&str; 5] = ["Email OTP", "SMS OTP", "TOTP", "IBM Verify push", "FIDO2"];
const UAS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "IBM Cloud CLI",
];
const ACCOUNT: &str = "81de6380e6232019c6567c9c8de6dece";
const TENANT: &str = "acme.verify.ibm.com";

struct User {
    email: String,
    iam_id: String,
    verify_id: String,
    home: usize,
    ua: usize,
    /// A trip: the place and when it ends.
    trip: Option<(usize, i64)>,
    /// Time and place of the user's last authentication.
    last: Option<(i64, usize)>,
}

fn users() -> Vec<User> {
    (0..FIRST.len() * 3)
        .map(|k| {
            let email = format!(
                "{}.{}@acme.example",
                FIRST[k % FIRST.len()],
                LAST[(k + k / FIRST.len()) % LAST.len()]
            );
            User {
                email,
                iam_id: format!("IBMid-6{:03}00{:03}K", k * 7 % 1000, k * 13 % 1000),
                verify_id: format!("6{:03}00{:02}AB", k * 11 % 1000, k % 100),
                home: [0, 0, 0, 1, 1, 2, 3, 3, 4, 5, 6, 0][k % 12],
                ua: k % 3,
                trip: None,
                last: None,
            }
        })
        .collect()
}

struct Gen {
    rng: Rng,
    users: Vec<User>,
    seq: u64,
    out: String,
}

impl Gen {
    fn uuid(&mut self) -> String {
        let a = self.rng.next();
        let b = self.rng.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// Where user `u` authenticates from at `t`: home, or the place of a trip (sometimes starting
    /// one), but never farther from the last place than an 800 km/h journey allows.
    fn place_of(&mut self, u: usize, t: i64) -> usize {
        const DAY: i64 = 86_400_000;
        if self.users[u].trip.is_some_and(|(_, until)| t > until) {
            self.users[u].trip = None;
        }
        if self.users[u].trip.is_none() && self.rng.chance(0.004) {
            let to = self.rng.below(PLACES.len() as u64 - 1) as usize;
            let days = 2 + self.rng.below(4) as i64;
            self.users[u].trip = Some((to, t + days * DAY));
        }
        let user = &self.users[u];
        let wanted = user.trip.map_or(user.home, |(p, _)| p);
        let place = match user.last {
            Some((when, at)) if at != wanted => {
                let km =
                    crate::rules::distance_km(PLACES[at].position(), PLACES[wanted].position());
                if km / 800.0 * 3_600_000.0 > (t - when) as f64 {
                    at
                } else {
                    wanted
                }
            }
            _ => wanted,
        };
        self.users[u].last = Some((t, place));
        place
    }

    fn ip(&mut self, place: usize) -> String {
        format!("{}.{}", PLACES[place].net, 2 + self.rng.below(250))
    }

    #[allow(clippy::too_many_arguments)] // one argument per field of the CADF event
    fn cadf(
        &mut self,
        t: i64,
        action: &str,
        outcome: &str,
        user: Option<usize>,
        ip: &str,
        agent: &str,
        request: &str,
        response: &str,
        target: &str,
    ) {
        self.seq += 1;
        let id = self.uuid();
        let (iid, name) = match user {
            Some(u) => (self.users[u].iam_id.clone(), self.users[u].email.clone()),
            None => (
                "iam-ServiceId-2a456728-0cfc-4ece-a061-26d7be298645".to_owned(),
                "ServiceId-ci-pipeline".to_owned(),
            ),
        };
        let service = action.split('.').next().unwrap_or("");
        let code = if outcome == "success" { 200 } else { 403 };
        let _ = write!(
            self.out,
            r#"{{"id":"{id}","eventTime":"{}","action":"{action}","outcome":"{outcome}","message":"{service}: {action}","initiator":{{"id":"{iid}","typeURI":"service/security/account/user","name":"{name}","host":{{"address":"{ip}","agent":"{agent}","addressType":"IPv4"}},"credential":{{"type":"token"}}}},"target":{{"id":"crn:v1:bluemix:public:{service}:global:a/{ACCOUNT}:::","typeURI":"{service}/resource","name":"{target}"}},"observer":{{"name":"ActivityTracker"}},"reason":{{"reasonCode":{code},"reasonType":"OK"}},"severity":"normal","requestData":{request},"responseData":{response},"logSourceCRN":"crn:v1:bluemix:public:{service}:global:a/{ACCOUNT}:::","saveServiceCopy":true,"dataEvent":false}}"#,
            iso_plus0000(t)
        );
        self.out.push('\n');
    }

    fn verify(&mut self, t: i64, event_type: &str, data: &str, place: usize, ip: &str) {
        self.seq += 1;
        let id = self.uuid();
        let corr = self.uuid();
        let p = &PLACES[place];
        let _ = write!(
            self.out,
            r#"{{"geoip":{{"continent_name":"","city_name":"{}","country_iso_code":"{}","ip":"{ip}","country_name":"{}","region_name":"","location":{{"lon":"{}","lat":"{}"}}}},"data":{data},"year":2024,"event_type":"{event_type}","month":3,"indexed_at":{},"tenantid":"7fc5e889-c27b-4ff0-96f2-a495e0598e78","tenantname":"{TENANT}","correlationid":"CORR_ID-{corr}","servicename":"authsvc","id":"{id}","time":{t},"day":1}}"#,
            p.city,
            p.iso,
            p.name,
            p.lon,
            p.lat,
            t + 40
        );
        self.out.push('\n');
    }

    fn password(&mut self, t: i64, u: usize, ok: bool, place: usize, ip: &str) {
        let user = &self.users[u];
        let (result, cause, subject) = if ok {
            (
                "success",
                "Authentication Successful".to_owned(),
                user.verify_id.clone(),
            )
        } else {
            (
                "failure",
                "CSIAH0303E Incorrect user ID or password. Enter a valid user ID or password."
                    .to_owned(),
                "UNKNOWN".to_owned(),
            )
        };
        let data = format!(
            r#"{{"result":"{result}","subtype":"user_password","subject":"{subject}","origin":"{ip}","cause":"{cause}","action":"login","sourcetype":"clouddirectory","realm":"cloudIdentityRealm","devicetype":"{}","target":"https://{TENANT}/oidc/endpoint/default/authorize","username":"{}"}}"#,
            UAS[user.ua], user.email
        );
        self.verify(t, "authentication", &data, place, ip);
    }

    /// A password attempt by a spraying script: any user name, always a failure.
    fn spray_attempt(&mut self, t: i64, username: &str, ip: &str) {
        let data = format!(
            r#"{{"result":"failure","subtype":"user_password","subject":"UNKNOWN","origin":"{ip}","cause":"CSIAH0303E Incorrect user ID or password. Enter a valid user ID or password.","action":"login","sourcetype":"clouddirectory","realm":"cloudIdentityRealm","devicetype":"python-requests/2.31.0","username":"{username}"}}"#
        );
        self.verify(t, "authentication", &data, PLACES.len() - 1, ip);
    }

    fn mfa(&mut self, t: i64, u: usize, ok: bool, method: &str, place: usize, ip: &str) {
        let user = &self.users[u];
        let result = if ok { "success" } else { "failure" };
        let cause = if ok {
            "Authentication Successful"
        } else {
            "CSIBT0011E The one-time password is not valid."
        };
        let data = format!(
            r#"{{"result":"{result}","subtype":"mfa","mfamethod":"{method}","mfadevice":"{}","subject":"{}","origin":"{ip}","cause":"{cause}","action":"login","realm":"cloudIdentityRealm","devicetype":"{}","username":"{}"}}"#,
            if method == "SMS OTP" {
                "+1-555-0100"
            } else {
                "phone"
            },
            user.verify_id,
            UAS[user.ua],
            user.email
        );
        self.verify(t, "authentication", &data, place, ip);
    }
}

/// `2024-03-01T09:00:00.12+0000`, the form Activity Tracker writes.
fn iso_plus0000(t: i64) -> String {
    let s = crate::time::format_iso(t);
    format!("{}+0000", &s[..22])
}

/// Writes generated NDJSON to `out` until at least `opts.bytes` bytes are written.
pub fn generate(opts: &Options, out: &mut impl Write) -> io::Result<u64> {
    let mut g = Gen {
        rng: Rng(opts.seed),
        users: users(),
        seq: 0,
        out: String::with_capacity(1 << 16),
    };
    let estimated = (opts.bytes / 900).max(40);
    let step = (opts.span / estimated as i64).max(1);
    let mut t = opts.start;
    let mut written = 0u64;
    let mut story = 0usize;
    let mut recent: Vec<String> = Vec::new();
    let admin = 0usize;
    while written < opts.bytes {
        t += step / 2 + g.rng.below(step as u64) as i64;
        let frac = (t - opts.start) as f64 / opts.span as f64;
        g.out.clear();
        // The story, at fixed points of the time span whatever the size.
        const STORY: [f64; 11] = [0.05, 0.06, 0.2, 0.3, 0.31, 0.45, 0.46, 0.5, 0.55, 0.62, 0.8];
        if story < STORY.len() && frac >= STORY[story] {
            let ip = g.ip(PLACES.len() - 1);
            let home = g.ip(0);
            match story {
                0 => {
                    // Legacy era: MFA for all users, set through billing with its companion.
                    g.cadf(t, "billing.account-traits.update", "success", Some(admin), &home, "", r#"{"mfa":"TOTP4ALL","origin":"BSS"}"#, "null", ACCOUNT);
                    g.cadf(t + 900, "billing.account-mfa.set-on", "success", Some(admin), &home, "", "null", "null", ACCOUNT);
                }
                1 => g.cadf(t, "user-management.user-setting.update", "success", Some(admin), &home, "", &format!(r#"{{"2FA":true,"iam_id":"{}","origin":"BSS","security_questions_setup":true,"self_manage":false}}"#, g.users[3].iam_id), "null", &g.users[3].iam_id.clone()),
                2 => g.cadf(t, "iam-identity.accountsettings.update", "failure", Some(5), &ip, UAS[0], r#"{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}"#, "null", ACCOUNT),
                3 => g.cadf(t, "iam-identity.accountsettings.update", "success", Some(admin), &ip, UAS[0], r#"{"request_body":{"old_mfa_traits":"TOTP4ALL","new_mfa_traits":"NONE"}}"#, "null", ACCOUNT),
                4 => {
                    let target = g.users[3].email.clone();
                    g.cadf(t, "user-management.user-setting.update", "success", Some(admin), &ip, UAS[0], r#"{"totalNumberChanges":1,"update":[{"initialValue":true,"newValue":false,"updateType":"2FA update"}]}"#, "null", &target);
                }
                5 => {
                    let data = format!(r#"{{"result":"success","action":"deleted","resource":"mfa_device","mfamethod":"TOTP","mfadevice":"phone","performedby":"{}","performedby_username":"{}","username":"{}","origin":"{ip}","target":"phone"}}"#, g.users[3].verify_id, g.users[3].email, g.users[3].email);
                    g.verify(t, "management", &data, PLACES.len() - 1, &ip);
                }
                6 => {
                    // The attacker signs in as that user from their own country and browser.
                    let u = &g.users[3];
                    let data = format!(r#"{{"result":"success","subtype":"user_password","subject":"{}","origin":"{ip}","cause":"Authentication Successful","action":"login","sourcetype":"clouddirectory","realm":"cloudIdentityRealm","devicetype":"python-requests/2.31.0","username":"{}"}}"#, u.verify_id, u.email);
                    g.verify(t, "authentication", &data, PLACES.len() - 1, &ip);
                }
                7 => g.cadf(t, "iam-identity.accountsettings.update", "success", Some(1), &home, UAS[1], r#"{"request_body":{"old_mfa_traits":"NONE","new_mfa_traits":"LEVEL2"}}"#, "null", ACCOUNT),
                8 => {
                    // MFA fatigue: push after push until one is approved.
                    let place = g.users[7].home;
                    let from = g.ip(place);
                    for k in 0..5 {
                        g.mfa(t + k * 45_000, 7, k == 4, "IBM Verify push", place, &from);
                    }
                }
                9 => {
                    let target = g.users[3].email.clone();
                    g.cadf(t, "user-management.user-setting.update", "success", Some(1), &home, UAS[1], r#"{"totalNumberChanges":1,"update":[{"initialValue":false,"newValue":true,"updateType":"2FA update"}]}"#, "null", &target);
                }
                _ => {
                    let data = r#"{"result":"success","action":"updated","resource":"auth_factor","performedby":"600100AB","performedby_username":"ana.silva@acme.example","target":"emailotp"}"#;
                    g.verify(t, "management", data, 0, &home);
                }
            }
            story += 1;
        } else if g.rng.chance(0.004) && !recent.is_empty() {
            // A duplicate, as overlapping exports produce.
            let line = recent[g.rng.below(recent.len() as u64) as usize].clone();
            g.out.push_str(&line);
        } else {
            let u = g.rng.below(g.users.len() as u64) as usize;
            let place = g.place_of(u, t);
            let ip = g.ip(place);
            let roll = g.rng.below(1000);
            match roll {
                0..=299 => {
                    let ok = !g.rng.chance(0.06);
                    g.password(t, u, ok, place, &ip);
                }
                300..=499 => {
                    let method = *g.rng.pick(&MFA_METHODS);
                    let ok = !g.rng.chance(if method == "SMS OTP" { 0.12 } else { 0.04 });
                    g.mfa(t, u, ok, method, place, &ip);
                }
                500..=539 => {
                    let email = g.users[u].email.clone();
                    let data = format!(
                        r#"{{"result":"success","subtype":"saml","providerid":"https://portal.acme.example/SAML20/SP","origin":"{ip}","realm":"www.ibm.com","applicationname":"Acme VPN","username":"{email}"}}"#
                    );
                    g.verify(t, "sso", &data, place, &ip);
                }
                540..=739 => {
                    let (action, req, agent) = match g.rng.below(4) {
                        0 => (
                            "iam-identity.user-refreshtoken.login",
                            r#"{"client_id":"HOP55v1CCT","grant_type":"urn:ibm:params:oauth:grant-type:passcode"}"#,
                            UAS[g.users[u].ua],
                        ),
                        1 => (
                            "iam-identity.user-refreshtoken.login",
                            r#"{"client_id":"bx","grant_type":"refresh_token"}"#,
                            "IBM Cloud CLI",
                        ),
                        2 => (
                            "iam-identity.user-apikey.login",
                            r#"{"client_id":"bx","grant_type":"urn:ibm:params:oauth:grant-type:apikey"}"#,
                            "IBM Cloud CLI",
                        ),
                        _ => (
                            "iam-identity.serviceid-apikey.login",
                            r#"{"grant_type":"urn:ibm:params:oauth:grant-type:apikey"}"#,
                            "ibm-cos-sdk-go/1.9.0",
                        ),
                    };
                    let who = if action.contains("serviceid") {
                        None
                    } else {
                        Some(u)
                    };
                    g.cadf(
                        t,
                        action,
                        "success",
                        who,
                        &ip,
                        agent,
                        req,
                        "null",
                        "iam-identity",
                    );
                }
                740..=749 if g.rng.chance(0.3) => {
                    let target = g.users[u].email.clone();
                    // Routine administration: self-managed login switched on or off (MFA settings
                    // only move in the story).
                    let (kind, v) = ("self_manage", g.rng.chance(0.5));
                    let req = format!(
                        r#"{{"totalNumberChanges":1,"update":[{{"initialValue":{},"newValue":{v},"updateType":"{kind} update"}}]}}"#,
                        !v
                    );
                    let from = g.ip(0);
                    g.cadf(
                        t,
                        "user-management.user-setting.update",
                        "success",
                        Some(admin),
                        &from,
                        UAS[0],
                        &req,
                        "null",
                        &target,
                    );
                }
                750..=751 => {
                    // A password spray from one of the attacker's few addresses: real and guessed
                    // user names, seconds apart.
                    let sprayer =
                        format!("{}.{}", PLACES[PLACES.len() - 1].net, [66, 67, 201][u % 3]);
                    for k in 0..8 {
                        let name = if k % 2 == 0 {
                            g.users[(u + k * 5) % g.users.len()].email.clone()
                        } else {
                            format!(
                                "{}@acme.example",
                                ["admin", "test", "backup", "it-support", "root"][(u + k) % 5]
                            )
                        };
                        g.spray_attempt(t + k as i64 * 1500, &name, &sprayer);
                    }
                }
                _ => {
                    let group = format!("AccessGroupId-{}", g.uuid());
                    let resp = format!(
                        r#""{{\"id\":\"{group}\",\"name\":\"team-{}\",\"description\":\"\",\"account_id\":\"{ACCOUNT}\",\"created_at\":\"2023-11-27T00:03:01Z\",\"created_by_id\":\"IBMid-060000JMJ2\"}}""#,
                        roll % 17
                    );
                    let agent = UAS[g.users[u].ua];
                    g.cadf(
                        t,
                        "iam-groups.group.read",
                        "success",
                        Some(u),
                        &ip,
                        agent,
                        "null",
                        &resp,
                        "team",
                    );
                }
            }
            if roll % 97 == 0 {
                // Some lines arrive through a LogDNA stream: the event as a JSON string in _source._line.
                let line = g.out.trim_end().to_owned();
                let wrapped = format!(
                    r#"{{"_source":{{"_host":"activity-tracker","_logtype":"json","_file":"at-events","_line":{},"_ts":{t},"_lid":"{}"}}}}"#,
                    serde_json::to_string(&line).unwrap_or_default(),
                    g.rng.next()
                );
                g.out.clear();
                g.out.push_str(&wrapped);
                g.out.push('\n');
            }
        }
        if recent.len() < 64 {
            recent.push(g.out.clone());
        } else {
            let k = g.rng.below(64) as usize;
            recent[k].clone_from(&g.out);
        }
        out.write_all(g.out.as_bytes())?;
        written += g.out.len() as u64;
    }
    Ok(written)
}
