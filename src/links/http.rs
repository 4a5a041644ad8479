//! Links: the one HTTP policy of `fetch` and `check --external`: one client, timeouts, http(s)
//! only, bounded redirects (never from https to http), bodies capped after decompression,
//! conditional GET, and retries on transient failures only (408, 429, 5xx, timeouts).

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER};

/// Limits and pacing of requests. Tests shorten the timeouts and the backoff.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Bound on one whole request: connecting, waiting and reading the body.
    pub timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body: u64,
    pub max_redirects: usize,
    /// Further attempts after a 5xx, a 429, a 408 or a timeout.
    pub retries: u32,
    /// The wait before the first retry; it doubles for each further one.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_after: Duration,
    /// How many requests are in flight at once, in all.
    pub concurrency: usize,
    /// How many requests are in flight at once to one host.
    pub per_host: usize,
    /// The least time between the starts of two requests to one host.
    pub host_delay: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            max_redirects: 5,
            retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(10),
            concurrency: 4,
            per_host: 2,
            host_delay: Duration::from_millis(200),
        }
    }
}

/// The validators of a previous response, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// 304: the feed has not changed since the validators were issued.
    NotModified,
    Body {
        bytes: Vec<u8>,
        /// The address after redirects, for resolving relative links.
        url: String,
        validators: Validators,
    },
}

/// Why a URL could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("{0:?} is not an http(s) URL")]
    BadUrl(String),
    #[error("HTTP {status}{}", attempts_note(*.attempts))]
    Status { status: String, attempts: u32 },
    #[error("timed out after {}s{}", .after.as_secs_f32(), attempts_note(*.attempts))]
    Timeout { after: Duration, attempts: u32 },
    #[error("{0}")]
    Redirect(String),
    #[error("the response is larger than {} MiB", .0 / (1024 * 1024))]
    TooLarge(u64),
    #[error("{0}")]
    Connection(String),
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 { format!(" ({attempts} attempts)") } else { String::new() }
}

/// A redirect refused by the policy; found again in reqwest's error chain.
#[derive(Debug)]
struct RedirectRefused(String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// One HTTP client, shared by every request of a run.
pub struct Fetcher {
    client: Client,
    opts: HttpOptions,
}

/// The outcome of one attempt: retry it or not.
enum Failure {
    Transient { error: FetchError, retry_after: Option<Duration> },
    Final(FetchError),
}

impl Fetcher {
    pub fn new(opts: HttpOptions, user_agent: &str) -> Result<Fetcher, String> {
        let max = opts.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            match redirect_refusal(attempt.previous(), attempt.url(), max) {
                Some(why) => attempt.error(Box::new(RedirectRefused(why))),
                None => attempt.follow(),
            }
        });
        let client = Client::builder()
            .user_agent(user_agent)
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(policy)
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        Ok(Fetcher { client, opts })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// Gets `url`, conditionally when validators are given, retrying transient failures.
    pub fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        self.retrying(url, || self.attempt(url, validators))
    }

    /// Asks whether `url` answers, for link checking: HEAD, then GET where a server refuses
    /// HEAD (403, 405, 501) or the HEAD request fails other than by a timeout or a refused
    /// redirect. The body is never read. A final status that is not transient is `Ok`.
    pub fn probe(&self, url: &str) -> Result<StatusCode, FetchError> {
        self.retrying(url, || {
            let head = self.client.head(url).send();
            let again = match &head {
                Ok(r) => matches!(r.status().as_u16(), 403 | 405 | 501),
                Err(e) => !e.is_timeout() && !e.is_redirect(),
            };
            let response = if again { self.client.get(url).send() } else { head };
            let response = response.map_err(|e| self.classify(&e))?;
            let status = response.status();
            if is_transient(status) {
                let error = FetchError::Status { status: status.to_string(), attempts: 1 };
                return Err(Failure::Transient { error, retry_after: retry_after(response.headers()) });
            }
            Ok(status)
        })
    }

    /// Runs `attempt` on an http(s) `url` until it succeeds, fails for good, or has used up
    /// the retries, waiting between attempts as the server or the backoff says.
    fn retrying<T>(&self, url: &str, mut once: impl FnMut() -> Result<T, Failure>) -> Result<T, FetchError> {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => return Err(FetchError::BadUrl(url.to_string())),
        }
        let mut attempt = 1;
        loop {
            match once() {
                Ok(fetched) => return Ok(fetched),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Transient { error, retry_after }) => {
                    if attempt > self.opts.retries {
                        return Err(with_attempts(error, attempt));
                    }
                    let backoff = self.opts.backoff * 2u32.saturating_pow(attempt - 1);
                    std::thread::sleep(retry_after.unwrap_or(backoff).min(self.opts.max_retry_after));
                    attempt += 1;
                }
            }
        }
    }

    fn attempt(&self, url: &str, validators: &Validators) -> Result<Fetched, Failure> {
        let started = Instant::now();
        let mut request = self.client.get(url).header(
            reqwest::header::ACCEPT,
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, \
             text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
        );
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, lm);
        }
        let response = request.send().map_err(|e| self.classify(&e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if status.is_redirection() {
            // The client follows every redirect it can; one that comes back names an address it
            // would not or could not follow (`file:`, `data:`, `javascript:`), or none.
            if let Some(why) = unfollowed_redirect(response.url(), response.headers()) {
                return Err(Failure::Final(FetchError::Redirect(why)));
            }
        }
        if !status.is_success() {
            let error = FetchError::Status { status: status.to_string(), attempts: 1 };
            return Err(if is_transient(status) {
                Failure::Transient { error, retry_after: retry_after(response.headers()) }
            } else {
                Failure::Final(error)
            });
        }
        let final_url = response.url().to_string();
        let validators = Validators {
            etag: header(response.headers(), ETAG),
            last_modified: header(response.headers(), LAST_MODIFIED),
        };
        let bytes = self.read_body(response, started)?;
        Ok(Fetched::Body { bytes, url: final_url, validators })
    }

    /// Reads at most `max_body` bytes (after decompression) before the request's deadline.
    fn read_body(&self, response: reqwest::blocking::Response, started: Instant) -> Result<Vec<u8>, Failure> {
        let cap = self.opts.max_body;
        let mut limited = response.take(cap + 1);
        let mut bytes = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = limited.read(&mut chunk).map_err(|e| {
                if is_timeout_io(&e) {
                    self.timeout()
                } else {
                    Failure::Final(FetchError::Connection(format!("reading the response failed: {}", error_chain(&e))))
                }
            })?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
            if bytes.len() as u64 > cap {
                return Err(Failure::Final(FetchError::TooLarge(cap)));
            }
            // A server trickling bytes must not hold a worker past the request's timeout.
            if started.elapsed() > self.opts.timeout {
                return Err(self.timeout());
            }
        }
        Ok(bytes)
    }

    fn timeout(&self) -> Failure {
        Failure::Transient { error: FetchError::Timeout { after: self.opts.timeout, attempts: 1 }, retry_after: None }
    }

    fn classify(&self, e: &reqwest::Error) -> Failure {
        if let Some(refused) = find_source::<RedirectRefused>(e) {
            return Failure::Final(FetchError::Redirect(refused.0.clone()));
        }
        if e.is_redirect() {
            // reqwest keeps the policy's reason as the innermost cause, behind a type of its own.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                why = s.to_string();
                source = s.source();
            }
            return Failure::Final(FetchError::Redirect(why));
        }
        if e.is_timeout() {
            return self.timeout();
        }
        Failure::Final(FetchError::Connection(error_chain(e)))
    }
}

/// Why the redirect to `next` must not be followed, after the addresses `previous` (the first
/// request first); `None` when it may. Only http(s), never from https to plain http, no address
/// twice, at most `max` redirects.
pub fn redirect_refusal(previous: &[url::Url], next: &url::Url, max: usize) -> Option<String> {
    let from_https = previous.last().is_some_and(|u| u.scheme() == "https");
    if !matches!(next.scheme(), "http" | "https") {
        Some(format!("redirected to {}, which is not http(s)", shown(next.as_str())))
    } else if from_https && next.scheme() == "http" {
        Some(format!("redirected from https to plain http ({})", shown(next.as_str())))
    } else if previous.contains(next) {
        Some(format!("redirect loop at {}", shown(next.as_str())))
    } else if previous.len() > max {
        Some(format!("more than {max} redirects"))
    } else {
        None
    }
}

/// Why a redirect that reached the caller was not followed, when it names an address.
fn unfollowed_redirect(from: &url::Url, headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?;
    let location = String::from_utf8_lossy(location.as_bytes());
    Some(match from.join(location.trim()) {
        Ok(next) if !matches!(next.scheme(), "http" | "https") => {
            format!("redirected to {}, which is not http(s)", shown(next.as_str()))
        }
        _ => format!("redirected to {:?}, which cannot be followed", shown(&location)),
    })
}

/// An address as shown in a message: a hostile one (a `data:` URL) can be any length.
fn shown(url: &str) -> String {
    const MAX: usize = 100;
    match url.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &url[..cut]),
        None => url.to_string(),
    }
}

/// The statuses worth asking again: the server is busy or failing, not refusing.
fn is_transient(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT
}

fn with_attempts(error: FetchError, attempts: u32) -> FetchError {
    match error {
        FetchError::Status { status, .. } => FetchError::Status { status, attempts },
        FetchError::Timeout { after, .. } => FetchError::Timeout { after, attempts },
        other => other,
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string).filter(|v| !v.is_empty())
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header(headers, RETRY_AFTER)?;
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

fn find_source<'a, T: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}

fn is_timeout_io(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref().and_then(|inner| inner.downcast_ref::<reqwest::Error>()).is_some_and(reqwest::Error::is_timeout)
}

/// The error and its causes on one line (the source's URL is shown beside it already).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut first = e.to_string();
    if let Some(i) = first.find(" for url (") {
        first.truncate(i);
    }
    let mut parts = vec![first];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn messages_name_the_attempts() {
        let e = FetchError::Status { status: "500 Internal Server Error".into(), attempts: 3 };
        assert_eq!(e.to_string(), "HTTP 500 Internal Server Error (3 attempts)");
        assert_eq!(FetchError::TooLarge(10 * 1024 * 1024).to_string(), "the response is larger than 10 MiB");
    }

    #[test]
    fn non_http_urls_are_refused_before_any_request() {
        let f = Fetcher::new(HttpOptions::default(), "digest-test").unwrap();
        assert!(matches!(f.get("file:///etc/passwd", &Validators::default()), Err(FetchError::BadUrl(_))));
    }
}
