//! Check stage: outside links, fetched politely and cached.
//!
//! Each link is asked for with the HTTP policy `fetch` uses ([`crate::links::http`]): HEAD,
//! and GET when the server refuses HEAD; retries on transient failures; the shared worker pool,
//! polite to each host. 404 and 410, other 4xx but 401/403/429, and refused redirects (loops,
//! too many, to another scheme) are errors; timeouts, connection failures, 401/403/429 and
//! 5xx are warnings, since they are often passing.

use std::collections::HashMap;
use std::path::Path;

use reqwest::StatusCode;

use super::Options;
use super::cache::{Cache, Outcome, Verdict};
use super::links::{Outside, place_hint};
use crate::error::Diagnostic;
use crate::links::http::{FetchError, Fetcher, HttpOptions};
use crate::links::pool::{Pool, host_of};

/// What the outside-link check did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Distinct outside links.
    pub links: usize,
    /// Of those, answered from the cache.
    pub cached: usize,
    /// Of those, fetched now.
    pub fetched: usize,
}

/// Fetches every outside link (or takes it from the cache) and reports the broken ones where
/// they are written.
pub fn check(root: &Path, outside: &Outside, opts: &Options) -> (Vec<Diagnostic>, Stats) {
    let mut cache = Cache::load(root);
    let mut results: HashMap<String, Outcome> = HashMap::new();
    let mut todo = Vec::new();
    for url in outside.keys() {
        match cache.get(url) {
            Some(o) => {
                results.insert(url.clone(), o.clone());
            }
            None => todo.push(url.clone()),
        }
    }
    let stats = Stats { links: outside.len(), cached: outside.len() - todo.len(), fetched: todo.len() };
    let fetched = fetch_all(todo, opts);
    for (url, outcome) in fetched {
        cache.put(&url, outcome.clone());
        results.insert(url, outcome);
    }
    let mut out = Vec::new();
    if stats.fetched > 0 {
        if let Err(d) = cache.save() {
            out.push(Diagnostic { severity: crate::error::Severity::Warning, ..d });
        }
    }
    for (url, places) in outside {
        let Some(outcome) = results.get(url) else { continue };
        let severity = match outcome.verdict {
            Verdict::Ok => continue,
            Verdict::Warning => crate::error::Severity::Warning,
            Verdict::Error => crate::error::Severity::Error,
        };
        for (place, pages) in places {
            let message = format!("broken link `{url}`: {}", outcome.message);
            let mut d = Diagnostic::error(&place.path, place.line, place.column, message);
            d.severity = severity;
            d.hint = Some(place_hint(place, *pages));
            out.push(d);
        }
    }
    (out, stats)
}

/// Asks for every link with the shared HTTP policy and worker pool.
fn fetch_all(urls: Vec<String>, opts: &Options) -> Vec<(String, Outcome)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let user_agent = concat!("digest/", env!("CARGO_PKG_VERSION"), " (link checker)");
    let client = match Fetcher::new(opts.http.clone(), user_agent) {
        Ok(c) => c,
        Err(e) => {
            let failed = Outcome { verdict: Verdict::Warning, status: None, message: e };
            return urls.into_iter().map(|u| (u, failed.clone())).collect();
        }
    };
    let outcomes =
        Pool::from(&opts.http).run(&urls, |u| host_of(u), |u| outcome(client.probe(u), &opts.http), |_, _| {});
    urls.into_iter().zip(outcomes).collect()
}

/// The verdict on what asking for a link gave.
fn outcome(result: Result<StatusCode, FetchError>, http: &HttpOptions) -> Outcome {
    match result {
        Ok(status) => judge(status),
        Err(e) => {
            let (verdict, message) = match e {
                FetchError::Redirect(why) if why.starts_with("redirect loop") => {
                    (Verdict::Error, "redirect loop".into())
                }
                FetchError::Redirect(why) => (Verdict::Error, why),
                FetchError::Timeout { .. } => {
                    (Verdict::Warning, format!("timed out after {} s", http.timeout.as_secs_f32()))
                }
                FetchError::Status { status, attempts } => {
                    (Verdict::Warning, format!("{status} ({attempts} attempts)"))
                }
                other => (Verdict::Warning, format!("cannot fetch: {other}")),
            };
            Outcome { verdict, status: None, message }
        }
    }
}

/// The verdict on a final HTTP status.
pub fn judge(status: StatusCode) -> Outcome {
    let code = status.as_u16();
    let verdict = match code {
        200..=299 => Verdict::Ok,
        404 | 410 => Verdict::Error,
        401 | 403 | 429 => Verdict::Warning,
        400..=499 => Verdict::Error,
        _ => Verdict::Warning,
    };
    let message = match status.canonical_reason() {
        Some(reason) => format!("{code} {reason}"),
        None => format!("status {code}"),
    };
    Outcome { verdict, status: Some(code), message }
}
