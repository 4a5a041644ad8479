//! Serve stage: the preview's HTTP routes (axum) — pages from the in-memory build, the event
//! stream, and the checks every request passes first: a loopback `Host`, no cross-site embedding,
//! GET and HEAD only.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State as Shared};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use super::live::{self, EVENTS_PATH, Event};
use super::path::{Target, content_type, host_allowed, not_found_page, resolve};
use super::{Snapshot, State};

/// Open event streams at most (one per open page); more are answered 503.
pub const MAX_STREAMS: usize = 64;
/// How long a handler may take to answer (an event stream answers at once, then lasts).
pub const HANDLER_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest pause inside a request body; the preview reads none, but hyper may drain one.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request body: the preview takes no uploads.
pub const BODY_LIMIT: usize = 16 * 1024;
/// A comment sent on quiet streams, so the streams of closed pages are noticed and ended.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The preview's routes over `state`.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(page)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, HANDLER_TIMEOUT))
        // Outermost, so that every answer, the layers' own refusals included, carries its headers.
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Refuses foreign hosts, cross-site fetches and methods other than GET and HEAD, and gives every
/// answer the headers it carries: no caching (the build changes under the browser), no sniffing,
/// and deliberately no CORS headers.
async fn guard(Shared(state): Shared<Arc<State>>, req: Request, next: Next) -> Response {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(one), None) => one.to_str().ok(),
        _ => None,
    };
    let mut response = if !host_allowed(host, state.port) {
        let body = "403 Forbidden: digest serve answers only to http://127.0.0.1, localhost or [::1] on its own port\n";
        text(StatusCode::FORBIDDEN, body)
    } else if cross_site_subresource(req.headers()) {
        text(StatusCode::FORBIDDEN, "403 Forbidden: other sites may link to the preview, not embed it\n")
    } else if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Whether a browser says another site's page is fetching from us (not navigating to us):
/// such a page has no business reading the preview, drafts included, or holding event streams.
fn cross_site_subresource(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    value("sec-fetch-site").is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
        && !value("sec-fetch-mode").is_some_and(|v| v.eq_ignore_ascii_case("navigate"))
}

/// A page, file, redirect or not-found page of the current build. The target is taken as sent
/// (an absolute-form target names no file).
async fn page(Shared(state): Shared<Arc<State>>, req: Request) -> Response {
    let target = req.uri().to_string();
    let snap = state.snapshot();
    let exists = |k: &str| snap.outputs.contains_key(k);
    match resolve(&target, exists) {
        Target::File(key) => file(StatusCode::OK, &key, &snap),
        Target::Redirect(location) => {
            let mut r = text(StatusCode::FOUND, &format!("302 Found: {location}\n"));
            // The location is percent-encoded by `resolve`, so always a valid header value.
            if let Ok(value) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, value);
            }
            r
        }
        Target::NotFound => match not_found_page(&target, exists) {
            Some(key) => file(StatusCode::NOT_FOUND, &key, &snap),
            None => fallback_page(&snap),
        },
    }
}

/// An event stream: what the page missed (the failed rebuild's report, or a reload when it
/// comes from an older build), then every event broadcast, until the page closes.
async fn events(Shared(state): Shared<Arc<State>>, req: Request) -> Response {
    let Some((id, rx)) = state.hub.subscribe(MAX_STREAMS) else {
        return unavailable("too many open pages");
    };
    let generation = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("generation=")))
        .and_then(|g| g.parse::<u64>().ok());
    let snap = state.snapshot();
    let mut first = vec![axum::response::sse::Event::default().retry(Duration::from_secs(1))];
    if let Some(error) = &snap.error {
        first.push(Event::BuildError(error.clone()).to_axum());
    } else if generation.is_some_and(|g| g != snap.generation) {
        first.push(Event::Reload { generation: snap.generation, paths: None }.to_axum());
    }
    let stream = live::stream(state.hub.clone(), id, rx, first);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")).into_response()
}

fn response(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Response {
    let mut r = (status, body.into()).into_response();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    r
}

fn text(status: StatusCode, body: &str) -> Response {
    response(status, "text/plain; charset=utf-8", body.to_string())
}

/// A 503 that tells the client when to try again.
pub fn unavailable(why: &str) -> Response {
    let mut r = text(StatusCode::SERVICE_UNAVAILABLE, &format!("503 Service Unavailable: {why}\n"));
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

fn file(status: StatusCode, key: &str, snap: &Snapshot) -> Response {
    let bytes = &snap.outputs[key];
    let ty = content_type(key);
    let body = match ty.starts_with("text/html") {
        true => live::inject(bytes, snap.generation, snap.error.as_deref()),
        false => bytes.to_vec(),
    };
    response(status, &ty, body)
}

/// The page for a site without a `404.html`: before the first good build, or a theme without one.
fn fallback_page(snap: &Snapshot) -> Response {
    let (status, title, text) = if snap.generation == 0 {
        let text = "Fix the problems shown below; this page reloads once the site builds.";
        (StatusCode::SERVICE_UNAVAILABLE, "The site could not be built", text)
    } else {
        (StatusCode::NOT_FOUND, "Not found", "There is no page at this address.")
    };
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title} · digest serve</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    let body = live::inject(html.as_bytes(), snap.generation, snap.error.as_deref());
    response(status, "text/html; charset=utf-8", body)
}
