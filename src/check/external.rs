//! Check stage: outside links, fetched politely and cached.
//!
//! Each link is asked for with HEAD, and with GET when the server refuses HEAD (403, 405,
//! 501) or the HEAD request fails other than by a timeout. At most `concurrency` requests
//! run at once, at most `per_host` to one host, started at least `host_delay` apart.
//! 404 and 410, other 4xx but 401/403/429, and redirect loops are errors; timeouts,
//! connection failures, 401/403/429 and 5xx are warnings, since they are often passing.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Client;

use super::Options;
use super::cache::{Cache, Outcome, Verdict};
use super::links::{Outside, place_hint};
use crate::error::Diagnostic;

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
        for place in places {
            let message = format!("broken link `{url}`: {}", outcome.message);
            let mut d = Diagnostic::error(&place.path, place.line, place.column, message);
            d.severity = severity;
            d.hint = Some(place_hint(place, 1));
            out.push(d);
        }
    }
    (out, stats)
}

/// The client for all requests: one connection pool, timeouts, loops detected.
fn client(timeout: Duration) -> Option<Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().iter().any(|u| u == attempt.url()) {
            attempt.error("redirect loop")
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    });
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(policy)
        .user_agent(concat!("digest/", env!("CARGO_PKG_VERSION"), " (link checker)"))
        .build()
        .ok()
}

/// Shared state of the fetching threads.
struct Queue {
    pending: VecDeque<String>,
    /// Requests in flight per host.
    active: HashMap<String, usize>,
    /// When the last request to each host started.
    started: HashMap<String, Instant>,
    results: Vec<(String, Outcome)>,
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| format!("{}:{}", u.host_str().unwrap_or_default(), u.port_or_known_default().unwrap_or(0)))
        .unwrap_or_default()
}

/// Fetches `urls` with bounded concurrency and per-host politeness.
fn fetch_all(urls: Vec<String>, opts: &Options) -> Vec<(String, Outcome)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let Some(client) = client(opts.timeout) else {
        let failed = Outcome { verdict: Verdict::Warning, status: None, message: "no HTTP client".into() };
        return urls.into_iter().map(|u| (u, failed.clone())).collect();
    };
    let workers = opts.concurrency.clamp(1, urls.len());
    let queue = Mutex::new(Queue {
        pending: urls.into(),
        active: HashMap::new(),
        started: HashMap::new(),
        results: Vec::new(),
    });
    let wake = Condvar::new();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some((url, host)) = next(&queue, &wake, opts) {
                    let outcome = fetch(&client, &url, opts.timeout);
                    let mut q = queue.lock().expect("queue lock");
                    if let Some(n) = q.active.get_mut(&host) {
                        *n -= 1;
                    }
                    q.results.push((url, outcome));
                    wake.notify_all();
                }
            });
        }
    });
    queue.into_inner().expect("queue lock").results
}

/// Takes the next link whose host may be asked now, waiting while none may; `None` when done.
fn next(queue: &Mutex<Queue>, wake: &Condvar, opts: &Options) -> Option<(String, String)> {
    let mut q = queue.lock().expect("queue lock");
    loop {
        if q.pending.is_empty() {
            return None;
        }
        let now = Instant::now();
        let mut wait = Duration::from_millis(100);
        let ready = q.pending.iter().position(|url| {
            let host = host_of(url);
            let busy = q.active.get(&host).copied().unwrap_or(0) >= opts.per_host;
            let since = q.started.get(&host).map(|t| now.duration_since(*t));
            match since {
                Some(since) if since < opts.host_delay => {
                    wait = wait.min(opts.host_delay - since);
                    false
                }
                _ => !busy,
            }
        });
        if let Some(i) = ready {
            let url = q.pending.remove(i).expect("index in range");
            let host = host_of(&url);
            *q.active.entry(host.clone()).or_insert(0) += 1;
            q.started.insert(host.clone(), now);
            return Some((url, host));
        }
        q = wake.wait_timeout(q, wait.max(Duration::from_millis(5))).expect("queue lock").0;
    }
}

/// Asks for one link: HEAD, then GET where HEAD is refused or fails.
fn fetch(client: &Client, url: &str, timeout: Duration) -> Outcome {
    let head = client.head(url).send();
    let retry = match &head {
        Ok(r) => matches!(r.status().as_u16(), 403 | 405 | 501),
        Err(e) => !e.is_timeout() && !e.is_redirect(),
    };
    let result = if retry { client.get(url).send() } else { head };
    match result {
        Ok(r) => judge(r.status()),
        Err(e) => failure(&e, timeout),
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

fn failure(e: &reqwest::Error, timeout: Duration) -> Outcome {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let (verdict, message) = if e.is_redirect() {
        let what =
            if chain.iter().any(|c| c.contains("redirect loop")) { "redirect loop" } else { "too many redirects" };
        (Verdict::Error, what.to_string())
    } else if e.is_timeout() {
        (Verdict::Warning, format!("timed out after {} s", timeout.as_secs_f32()))
    } else {
        let cause = chain.last().cloned().unwrap_or_default();
        (Verdict::Warning, format!("cannot fetch: {cause}"))
    };
    Outcome { verdict, status: None, message }
}
