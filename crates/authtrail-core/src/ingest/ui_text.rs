//! Activity Tracker web UI text lines, as copied from the LogDNA-era viewer:
//! `27/Nov/2019:09:48:16 iam-identity iam-identity.user-apikey.login  STATUS:success`.
//! They carry time, source, action and outcome only.

use crate::model::{Event, Family, Kind, Outcome};
use std::borrow::Cow;

/// Reads one UI line, or `None` when the line is not in that form.
pub fn parse(line: &str) -> Option<Event<'_>> {
    let line = line.trim();
    let time = crate::time::parse_ui(line.get(..20)?)?;
    let rest = line[20..].trim();
    let (head, status) = rest.rsplit_once("STATUS:")?;
    let mut words = head.split_whitespace();
    let _source = words.next()?;
    let action = words.next()?;
    if words.next().is_some() || !action.contains('.') {
        return None;
    }
    let kind = if action == "iam-identity.user.logout" {
        Kind::IamLogout
    } else if action.starts_with("iam-identity.") && action.ends_with(".login") {
        Kind::IamLogin
    } else {
        Kind::Other
    };
    let mut ev = Event::new(
        time,
        Family::ActivityTracker,
        kind,
        Outcome::parse(status),
        Cow::Borrowed(action),
    );
    if kind == Kind::IamLogin {
        ev.method = Some(Cow::Borrowed(
            action
                .trim_start_matches("iam-identity.")
                .trim_end_matches(".login"),
        ));
    }
    Some(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_lines() {
        let ev = parse(
            "27/Nov/2019:09:48:16 iam-identity iam-identity.user-apikey.login  STATUS:success ",
        )
        .unwrap();
        assert_eq!(ev.time, 1_574_848_096_000);
        assert_eq!(ev.kind, Kind::IamLogin);
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.method.as_deref(), Some("user-apikey"));
        let ev =
            parse("27/Nov/2019:09:48:38 BSS user-management.user.create  STATUS:pending").unwrap();
        assert_eq!(
            (ev.kind, ev.outcome, ev.action.as_ref()),
            (Kind::Other, Outcome::Pending, "user-management.user.create")
        );
    }

    #[test]
    fn message_lines_are_not_events() {
        assert!(parse("26/Nov/2019:17:40:34 BSS: delete user xxxxx").is_none());
        assert!(parse(
            "27/Nov/2019:00:03:01 iam-groups IAM Access Groups: create group Sample-access-group"
        )
        .is_none());
        assert!(parse("\"action\": \"billing.account-traits.update\",").is_none());
    }
}
