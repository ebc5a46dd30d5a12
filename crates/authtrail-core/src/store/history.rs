//! Reconstructed histories: the account's MFA level and each user's settings over time, and the
//! authentication summary.

use super::identity::Person;
use super::{Store, NO_VALUE};
use crate::model::{Kind, Outcome};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// A `pending` record followed within this window by the matching `success` is one action.
const PENDING_PAIR_MS: i64 = 10 * 60 * 1000;
/// A `set-on` / `set-off` companion within this window of a level change is part of that change.
const COMPANION_MS: i64 = 2 * 60 * 1000;

/// One change (or attempted change) of the account MFA level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountMfaChange {
    pub time: i64,
    /// Level before: from the event when it says, otherwise the level reached by the previous
    /// successful change; `None` when unknown.
    pub from: Option<String>,
    /// Level after; `None` for a lone `set-on`, which names no level.
    pub to: Option<String>,
    pub actor: Option<String>,
    /// The identifier behind the actor shown, when the records tell one that differs from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    pub ip: Option<String>,
    pub outcome: &'static str,
    pub action: String,
    pub event: u32,
}

/// One change (or attempted change) of one user's setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserSettingChange {
    pub time: i64,
    pub user: String,
    /// The identifier behind the user shown, when the records tell one that differs from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub setting: String,
    pub from: Option<String>,
    pub to: String,
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// Whether the user made the change themselves: the same identifier as user and actor, or,
    /// when the record does not give both, the same string as user and actor in the record
    /// itself (never a name that another record gave an identifier).
    pub by_self: bool,
    pub outcome: &'static str,
    pub event: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub success: u64,
    pub failure: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserAuth {
    pub user: String,
    pub success: u64,
    pub failure: u64,
}

/// Authentication results (IAM logins and Verify authentications).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuthSummary {
    pub success: u64,
    pub failure: u64,
    pub by_method: BTreeMap<String, Counts>,
    pub by_country: BTreeMap<String, Counts>,
    /// Users with the most failures first.
    pub users: Vec<UserAuth>,
}

/// The account MFA level in force at a moment, and how it got there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelState {
    pub level: String,
    /// When it was set; `None` when it was already in force before the first recorded change
    /// (known from that change's "from").
    #[serde(serialize_with = "crate::time::serialize_iso_opt")]
    pub since: Option<i64>,
    pub actor: Option<String>,
    /// The event that set it.
    pub event: Option<u32>,
}

/// One user's setting value in force at a moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingState {
    pub setting: String,
    pub value: String,
    #[serde(serialize_with = "crate::time::serialize_iso_opt")]
    pub since: Option<i64>,
    pub actor: Option<String>,
    pub event: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserState {
    pub user: String,
    pub settings: Vec<SettingState>,
}

/// The account MFA level and every user's known settings at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct State {
    #[serde(serialize_with = "crate::time::serialize_iso")]
    pub time: i64,
    /// `None` when no event tells the level at that moment.
    pub account: Option<LevelState>,
    /// Users with at least one known setting, by name.
    pub users: Vec<UserState>,
}

impl Store {
    /// The state at `time` (inclusive): the last successful change at or before it of the account
    /// MFA level and of each user's settings. Before the first change, a level or value is known
    /// only when that first change says what it changed from.
    pub fn state_at(&self, time: i64) -> State {
        let done = |c: &&AccountMfaChange| c.outcome == "success" && c.to.is_some();
        let account_history = self.account_mfa_history();
        let account = match account_history
            .iter()
            .filter(done)
            .take_while(|c| c.time <= time)
            .last()
        {
            Some(c) => Some(LevelState {
                level: c.to.clone().unwrap_or_default(),
                since: Some(c.time),
                actor: c.actor.clone(),
                event: Some(c.event),
            }),
            None => account_history.iter().filter(done).find_map(|c| {
                c.from.clone().map(|level| LevelState {
                    level,
                    since: None,
                    actor: None,
                    event: None,
                })
            }),
        };
        let mut users: BTreeMap<String, BTreeMap<String, SettingState>> = BTreeMap::new();
        for c in self
            .user_setting_history()
            .into_iter()
            .filter(|c| c.outcome == "success")
        {
            let settings = users.entry(c.user.clone()).or_default();
            if c.time <= time {
                settings.insert(
                    c.setting.clone(),
                    SettingState {
                        setting: c.setting,
                        value: c.to,
                        since: Some(c.time),
                        actor: c.actor,
                        event: Some(c.event),
                    },
                );
            } else if let Some(from) = c.from {
                settings.entry(c.setting.clone()).or_insert(SettingState {
                    setting: c.setting,
                    value: from,
                    since: None,
                    actor: None,
                    event: None,
                });
            }
        }
        State {
            time,
            account,
            users: users
                .into_iter()
                .filter(|(_, s)| !s.is_empty())
                .map(|(user, s)| UserState {
                    user,
                    settings: s.into_values().collect(),
                })
                .collect(),
        }
    }

    fn actor_of(&self, i: usize) -> Option<String> {
        let p = self.profiles.get(self.profile[i]);
        let id = if p.actor != 0 { p.actor } else { self.user[i] };
        (id != 0).then(|| self.str(id).to_owned())
    }

    /// The identifier behind `who` when it is known and is not what is shown.
    fn id_of(&self, who: Person) -> Option<String> {
        (who.id != 0 && who.id != who.shown).then(|| self.str(who.id).to_owned())
    }

    fn order_key(&self, event: u32) -> (i64, u32) {
        (self.time[event as usize], event)
    }

    /// The account MFA level over time, in time order, failed attempts included.
    pub fn account_mfa_history(&self) -> Vec<AccountMfaChange> {
        let mut recs: Vec<_> = self
            .account_mfa
            .iter()
            .filter(|r| (r.event as usize) < self.order.len())
            .collect();
        recs.sort_by_key(|r| self.order_key(r.event));
        let outcome =
            |r: &super::AccountMfaRecord| Outcome::from_u8(self.outcome[r.event as usize]);
        let time = |r: &super::AccountMfaRecord| self.time[r.event as usize];
        let read = self.profiles_as_read();
        let mut out = Vec::new();
        let mut current: Option<String> = None;
        for (k, r) in recs.iter().enumerate() {
            let (t, o) = (time(r), outcome(r));
            let actor = self.actor_of(r.event as usize);
            if o == Outcome::Pending
                && recs[k + 1..]
                    .iter()
                    .take_while(|s| time(s) - t <= PENDING_PAIR_MS)
                    .any(|s| {
                        outcome(s) == Outcome::Success
                            && self.action[s.event as usize] == self.action[r.event as usize]
                            && s.to == r.to
                            && self.actor_of(s.event as usize) == actor
                    })
            {
                continue;
            }
            if r.companion {
                let near = recs.iter().any(|s| {
                    !s.companion && (time(s) - t).abs() <= COMPANION_MS && outcome(s) == o && {
                        let a = self.actor_of(s.event as usize);
                        a.is_none() || actor.is_none() || a == actor
                    }
                });
                if near {
                    continue;
                }
            }
            let to = (r.to != 0 && r.to != NO_VALUE).then(|| self.str(r.to).to_owned());
            let from = if r.from != 0 {
                Some(self.str(r.from).to_owned())
            } else {
                current.clone()
            };
            if o == Outcome::Success {
                current.clone_from(&to);
            }
            out.push(AccountMfaChange {
                time: t,
                from,
                to,
                actor,
                actor_id: self.id_of(self.actor_of_event(r.event as usize, &read)),
                ip: (self.ip[r.event as usize] != 0)
                    .then(|| self.str(self.ip[r.event as usize]).to_owned()),
                outcome: o.name(),
                action: self.str(self.action[r.event as usize]).to_owned(),
                event: r.event,
            });
        }
        out
    }

    /// Every user's setting changes in time order. A flat snapshot that repeats a value already
    /// known is not a change; the first value seen for a user and setting is (with `from` unknown).
    pub fn user_setting_history(&self) -> Vec<UserSettingChange> {
        let mut recs: Vec<_> = self
            .settings
            .iter()
            .filter(|r| (r.event as usize) < self.order.len())
            .collect();
        recs.sort_by_key(|r| self.order_key(r.event));
        let mut state: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let read = self.profiles_as_read();
        let mut out = Vec::new();
        for (k, r) in recs.iter().enumerate() {
            let i = r.event as usize;
            let (t, o, user) = (
                self.time[i],
                Outcome::from_u8(self.outcome[i]),
                self.user[i],
            );
            if o == Outcome::Pending
                && recs[k + 1..]
                    .iter()
                    .take_while(|s| self.time[s.event as usize] - t <= PENDING_PAIR_MS)
                    .any(|s| {
                        let j = s.event as usize;
                        Outcome::from_u8(self.outcome[j]) == Outcome::Success
                            && self.user[j] == user
                            && s.setting == r.setting
                            && s.to == r.to
                    })
            {
                continue;
            }
            let known = state.get(&(user, r.setting)).copied();
            let from = if r.from != NO_VALUE {
                Some(r.from)
            } else {
                known
            };
            if from == Some(r.to) {
                continue;
            }
            if o == Outcome::Success {
                state.insert((user, r.setting), r.to);
            }
            out.push(UserSettingChange {
                time: t,
                user: self.str(user).to_owned(),
                user_id: self.id_of(self.user_of(i)),
                setting: self.str(r.setting).to_owned(),
                from: from.map(|f| self.str(f).to_owned()),
                to: self.str(r.to).to_owned(),
                actor: self.actor_of(i),
                actor_id: self.id_of(self.actor_of_event(i, &read)),
                by_self: self.by_self(i, &read),
                outcome: o.name(),
                event: r.event,
            });
        }
        out
    }

    /// Successes and failures of authentications, by method, country and user.
    pub fn auth_summary(&self) -> AuthSummary {
        let mut s = AuthSummary::default();
        let mut users: FxHashMap<u32, Counts> = FxHashMap::default();
        for &i in &self.order {
            let i = i as usize;
            if !Kind::from_u8(self.kind[i]).is_authentication() {
                continue;
            }
            let ok = match Outcome::from_u8(self.outcome[i]) {
                Outcome::Success => true,
                Outcome::Failure => false,
                _ => continue,
            };
            let bump = |c: &mut Counts| if ok { c.success += 1 } else { c.failure += 1 };
            if ok {
                s.success += 1;
            } else {
                s.failure += 1;
            }
            let method = self.str(self.profiles.get(self.profile[i]).method);
            bump(
                s.by_method
                    .entry(if method.is_empty() {
                        "(none)".into()
                    } else {
                        method.to_owned()
                    })
                    .or_default(),
            );
            let country = self.str(self.geos.get(self.geo[i]).country);
            bump(
                s.by_country
                    .entry(if country.is_empty() {
                        "(unknown)".into()
                    } else {
                        country.to_owned()
                    })
                    .or_default(),
            );
            bump(users.entry(self.user[i]).or_default());
        }
        s.users = users
            .into_iter()
            .map(|(u, c)| UserAuth {
                user: if u == 0 {
                    "(unknown)".into()
                } else {
                    self.str(u).to_owned()
                },
                success: c.success,
                failure: c.failure,
            })
            .collect();
        s.users.sort_by(|a, b| {
            b.failure
                .cmp(&a.failure)
                .then(b.success.cmp(&a.success))
                .then_with(|| a.user.cmp(&b.user))
        });
        s
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_events::*;
    use crate::test_support::store_from;

    const T0: i64 = 1_709_251_200_000;

    fn story() -> crate::Store {
        store_from(
            &[
                account_mfa(
                    0,
                    "TOTP4ALL",
                    "NONE",
                    "mallory@example.com",
                    "203.0.113.66",
                    "success",
                ),
                user_setting(
                    5,
                    "bob@example.com",
                    "2FA update",
                    true,
                    false,
                    "mallory@example.com",
                ),
                account_mfa(
                    8,
                    "NONE",
                    "LEVEL3",
                    "mallory@example.com",
                    "203.0.113.66",
                    "failure",
                ),
                account_mfa(
                    60,
                    "NONE",
                    "LEVEL2",
                    "admin@example.com",
                    "192.0.2.1",
                    "success",
                ),
            ]
            .join("\n"),
        )
    }

    #[test]
    fn state_before_the_first_change_comes_from_its_old_values() {
        let s = story().state_at(T0 - 1);
        let account = s.account.unwrap();
        assert_eq!((account.level.as_str(), account.since), ("TOTP4ALL", None));
        assert_eq!(s.users.len(), 1);
        assert_eq!(s.users[0].settings[0].value, "true");
        assert_eq!(s.users[0].settings[0].since, None);
    }

    #[test]
    fn state_follows_successful_changes_only() {
        let store = story();
        let s = store.state_at(T0 + 30 * 60_000);
        let account = s.account.unwrap();
        assert_eq!(account.level, "NONE");
        assert_eq!(account.since, Some(T0));
        assert_eq!(account.actor.as_deref(), Some("mallory@example.com"));
        let bob = &s.users[0];
        assert_eq!(
            (
                bob.user.as_str(),
                bob.settings[0].setting.as_str(),
                bob.settings[0].value.as_str()
            ),
            ("bob@example.com", "2FA", "false")
        );
        assert_eq!(
            store.state_at(T0 + 60 * 60_000).account.unwrap().level,
            "LEVEL2"
        );
        let json = serde_json::to_value(store.state_at(T0)).unwrap();
        assert_eq!(json["time"], "2024-03-01T00:00:00.000Z");
        assert_eq!(json["account"]["since"], "2024-03-01T00:00:00.000Z");
    }

    #[test]
    fn state_of_an_empty_store_knows_nothing() {
        let s = crate::Store::new().state_at(T0);
        assert!(s.account.is_none() && s.users.is_empty());
    }
}
