//! Reconstructed histories: the account's MFA level and each user's settings over time, and the
//! authentication summary.

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
    pub setting: String,
    pub from: Option<String>,
    pub to: String,
    pub actor: Option<String>,
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

impl Store {
    fn actor_of(&self, i: usize) -> Option<String> {
        let p = self.profiles.get(self.profile[i]);
        let id = if p.actor != 0 { p.actor } else { self.user[i] };
        (id != 0).then(|| self.str(id).to_owned())
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
                setting: self.str(r.setting).to_owned(),
                from: from.map(|f| self.str(f).to_owned()),
                to: self.str(r.to).to_owned(),
                actor: self.actor_of(i),
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
