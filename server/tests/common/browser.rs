//! A browser for the console's tests: cookies kept by hand (so every attribute is seen),
//! redirects not followed (so every redirect is checked), forms posted as a browser posts them.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use sqlx::Row;

use super::{Actor, PASSWORD, TestApp};

/// A browser: cookies kept by hand, redirects not followed.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
}

/// One response as the browser saw it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Every `Set-Cookie` header for `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The text between the first `start` and the next `end`.
    pub fn between(&self, start: &str, end: &str) -> Option<String> {
        let at = self.body.find(start)? + start.len();
        self.body[at..].split(end).next().map(str::to_string)
    }

    /// The value of the first form's hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_string()
    }

    pub fn is_html(&self) -> bool {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header(header::COOKIE, cookie)
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let body = resp.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.app.url));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = self
            .http
            .post(format!("{}{path}", self.app.url))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Opens the sign-in page and submits it.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/console/sign-in").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            "/console/sign-in",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Signs in as `who` (no second factor; must succeed) and returns the jobs page.
    pub async fn signed_in(&mut self, who: &Actor) -> Page {
        let done = self.sign_in(&who.email, PASSWORD).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), "/console/jobs");
        let jobs = self.get("/console/jobs").await;
        assert_eq!(jobs.status, StatusCode::OK, "{}", jobs.body);
        jobs
    }
}

pub fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Live (not revoked) console sessions.
pub async fn live_sessions(app: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM console_sessions WHERE revoked_us IS NULL")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

/// The actions of the department's audit log with their detail JSON, oldest first.
pub async fn audit_actions(app: &TestApp, dept: uuid::Uuid) -> Vec<(String, String)> {
    sqlx::query("SELECT action, detail_json FROM audit_log WHERE department_id = $1 ORDER BY seq")
        .bind(dept.to_string())
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("action").unwrap(),
                r.try_get("detail_json").unwrap(),
            )
        })
        .collect()
}
