//! Where the app goes: the [`Route`] to every officer screen, the links that name one
//! (`offduty://job/<uuid>`, or `https://<server>/app/job/<uuid>` as a universal link), the
//! route of each notification, and of a push payload (the notification's own payload, a
//! `link`, or both).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use offduty_core::inbox::Notice;

/// The app's own link scheme.
pub const SCHEME: &str = "offduty";

/// A screen of the officer app, with what it is opened on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Route {
    /// The job board (also where an unknown link lands).
    Board,
    /// One job's detail.
    Job {
        id: String,
    },
    /// The officer's shifts.
    MyShifts,
    /// The clock screen, on one job or on the shift the screen picks.
    Clock {
        job: Option<String>,
    },
    Earnings,
    /// Pending and wedged actions.
    Activity,
    Settings,
    /// The notifications.
    Inbox,
}

impl Route {
    /// The link that opens this route (`offduty://job/<uuid>`).
    pub fn link(&self) -> String {
        let path = match self {
            Route::Board => "board".to_string(),
            Route::Job { id } => format!("job/{id}"),
            Route::MyShifts => "shifts".to_string(),
            Route::Clock { job: None } => "clock".to_string(),
            Route::Clock { job: Some(id) } => format!("clock/{id}"),
            Route::Earnings => "earnings".to_string(),
            Route::Activity => "activity".to_string(),
            Route::Settings => "settings".to_string(),
            Route::Inbox => "inbox".to_string(),
        };
        format!("{SCHEME}://{path}")
    }

    /// Reads a link: `offduty://<path>` or `https://<host>/app/<path>`; `None` when it is not
    /// one of the app's (or names a job with no valid id).
    pub fn parse_link(url: &str) -> Option<Route> {
        let url = url.trim();
        let path = if let Some(rest) = strip_prefix_ci(url, &format!("{SCHEME}://")) {
            rest
        } else if let Some(rest) = strip_prefix_ci(url, "https://") {
            let (_host, path) = rest.split_once('/')?;
            path.strip_prefix("app/")?
        } else {
            return None;
        };
        // Ignore a query or fragment.
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let id = |s: &str| s.parse::<Uuid>().ok().map(|u| u.to_string());
        Some(match parts.as_slice() {
            [] | ["board"] => Route::Board,
            ["job", j] | ["jobs", j] => Route::Job { id: id(j)? },
            ["shifts"] => Route::MyShifts,
            ["clock"] => Route::Clock { job: None },
            ["clock", j] => Route::Clock { job: Some(id(j)?) },
            ["earnings"] => Route::Earnings,
            ["activity"] => Route::Activity,
            ["settings"] => Route::Settings,
            ["inbox"] => Route::Inbox,
            _ => return None,
        })
    }

    /// Where a notification takes the officer: the job it is about (earnings for a rejected
    /// timecard); the inbox for a kind this version cannot read.
    pub fn for_notice(notice: Option<&Notice>) -> Route {
        match notice {
            // The officer's pay is where a rejected timecard shows, with its reason.
            Some(Notice::TimecardRejected { .. }) => Route::Earnings,
            Some(n) => match n.job_id() {
                Some(id) => Route::Job { id: id.to_string() },
                // A notice about no job (an affiliate's invitation) opens the inbox.
                None => Route::Inbox,
            },
            None => Route::Inbox,
        }
    }

    /// Where a push takes the officer. The payload is the push service's data as JSON: a
    /// `link`, the notification's own payload (`kind`, `job_id`, …), or both, at the top level
    /// or under `data` (FCM) — a link wins; anything unreadable opens the inbox.
    pub fn for_push(payload_json: &str) -> Route {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(payload_json) else {
            return Route::Inbox;
        };
        for v in [&value, &value["data"]] {
            if let Some(route) = v["link"].as_str().and_then(Route::parse_link) {
                return route;
            }
            if let Some(n) = Notice::parse(v) {
                return Route::for_notice(Some(&n));
            }
            if let Some(id) = v["job_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) {
                return Route::Job { id: id.to_string() };
            }
        }
        Route::Inbox
    }

    /// The job the route is about, if any.
    pub fn job_id(&self) -> Option<Uuid> {
        match self {
            Route::Job { id } | Route::Clock { job: Some(id) } => id.parse().ok(),
            _ => None,
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_round_trips_through_its_link() {
        let id = Uuid::now_v7().to_string();
        for r in [
            Route::Board,
            Route::Job { id: id.clone() },
            Route::MyShifts,
            Route::Clock { job: None },
            Route::Clock {
                job: Some(id.clone()),
            },
            Route::Earnings,
            Route::Activity,
            Route::Settings,
            Route::Inbox,
        ] {
            assert_eq!(
                Route::parse_link(&r.link()),
                Some(r.clone()),
                "{}",
                r.link()
            );
        }
        let universal = format!("https://detail.columbus.example/app/job/{id}?utm=x");
        assert_eq!(
            Route::parse_link(&universal),
            Some(Route::Job { id: id.clone() })
        );
        assert_eq!(
            Route::parse_link(&format!("OFFDUTY://job/{}", id.to_uppercase())),
            Some(Route::Job { id })
        );
    }

    #[test]
    fn foreign_or_broken_links_are_not_routes() {
        for bad in [
            "https://example.com/job/123",
            "offduty://job/not-a-uuid",
            "offduty://nowhere",
            "mailto:x@example.com",
            "",
        ] {
            assert_eq!(Route::parse_link(bad), None, "{bad}");
        }
    }

    #[test]
    fn push_payloads_route_by_link_then_by_notice() {
        let job = Uuid::now_v7();
        let notice = format!(r#"{{"kind":"job_cancelled","job_id":"{job}","title":"x"}}"#);
        let want = Route::Job {
            id: job.to_string(),
        };
        assert_eq!(Route::for_push(&notice), want);
        assert_eq!(
            Route::for_push(&format!(r#"{{"data":{notice}}}"#)),
            want,
            "FCM nests data"
        );
        assert_eq!(
            Route::for_push(r#"{"link":"offduty://earnings","kind":"awarded"}"#),
            Route::Earnings
        );
        assert_eq!(
            Route::for_push(&format!(r#"{{"kind":"reminder","job_id":"{job}"}}"#)),
            want
        );
        assert_eq!(Route::for_push("not json"), Route::Inbox);
        assert_eq!(Route::for_push(r#"{"kind":"reminder"}"#), Route::Inbox);
    }
}
