//! Serve stage: answers HTTP requests from the in-memory build, on loopback only.

use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::live::{self, EVENTS_PATH, Event};
use super::path::{Target, content_type, host_allowed, not_found_page, resolve};
use super::{Snapshot, State};

/// Workers taking requests off the queue; event streams get threads of their own, so they never
/// hold a worker.
const WORKERS: usize = 4;
/// Open event streams at most (one per open page); more are refused with 503.
const MAX_STREAMS: usize = 64;
/// How often threads look at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// A comment line sent on quiet streams, so streams of closed pages are noticed and ended.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub fn spawn_workers(server: Arc<Server>, state: Arc<State>) -> Vec<JoinHandle<()>> {
    (0..WORKERS)
        .map(|i| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::Builder::new()
                .name(format!("digest-http-{i}"))
                .spawn(move || {
                    while !state.stopped() {
                        if let Ok(Some(rq)) = server.recv_timeout(POLL) {
                            handle(rq, &state);
                        }
                    }
                })
                .expect("spawn an HTTP worker")
        })
        .collect()
}

fn handle(rq: Request, state: &Arc<State>) {
    let hosts: Vec<&str> = rq.headers().iter().filter(|h| h.field.equiv("Host")).map(|h| h.value.as_str()).collect();
    let host = if let [one] = hosts[..] { Some(one) } else { None };
    if !host_allowed(host, state.port) {
        let body = "403 Forbidden: digest serve answers only to http://127.0.0.1, localhost or [::1] on its own port\n";
        return reply(rq, text_response(403, body));
    }
    if cross_site_subresource(&rq) {
        return reply(rq, text_response(403, "403 Forbidden: other sites may link to the preview, not embed it\n"));
    }
    if rq.method() != &Method::Get && rq.method() != &Method::Head {
        let response = text_response(405, "405 Method Not Allowed\n").with_header(header("Allow", "GET, HEAD"));
        return reply(rq, response);
    }
    let url = rq.url().to_string();
    if url.split('?').next() == Some(EVENTS_PATH) && rq.method() == &Method::Get {
        return events(rq, state.clone(), &url);
    }
    let snap = state.snapshot();
    let exists = |k: &str| snap.outputs.contains_key(k);
    let response = match resolve(&url, exists) {
        Target::File(key) => file_response(200, &key, &snap),
        Target::Redirect(location) => {
            text_response(302, &format!("302 Found: {location}\n")).with_header(header("Location", &location))
        }
        Target::NotFound => match not_found_page(&url, exists) {
            Some(key) => file_response(404, &key, &snap),
            None => fallback_page(&snap),
        },
    };
    reply(rq, response)
}

/// Whether a browser says another site's page is fetching from us (not navigating to us):
/// such a page has no business reading the preview, drafts included, or holding event streams.
fn cross_site_subresource(rq: &Request) -> bool {
    let value = |name: &'static str| rq.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str());
    value("Sec-Fetch-Site").is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
        && !value("Sec-Fetch-Mode").is_some_and(|v| v.eq_ignore_ascii_case("navigate"))
}

fn reply(rq: Request, response: Response<std::io::Cursor<Vec<u8>>>) {
    // The client may have gone away; nothing to do about it.
    let _ = rq.respond(response);
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// A response with the headers every answer carries: no caching (the build changes under the
/// browser), no sniffing, and deliberately no CORS headers.
fn response(status: u16, content_type: &str, body: Vec<u8>) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn text_response(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    response(status, "text/plain; charset=utf-8", body.as_bytes().to_vec())
}

fn file_response(status: u16, key: &str, snap: &Snapshot) -> Response<std::io::Cursor<Vec<u8>>> {
    let bytes = &snap.outputs[key];
    let ty = content_type(key);
    let body = if ty.starts_with("text/html") {
        live::inject(bytes, snap.generation, snap.error.as_deref())
    } else {
        bytes.to_vec()
    };
    response(status, ty, body)
}

/// The page for a site without a `404.html`: before the first good build, or a theme without one.
fn fallback_page(snap: &Snapshot) -> Response<std::io::Cursor<Vec<u8>>> {
    let (status, title, text) = if snap.generation == 0 {
        (503, "The site could not be built", "Fix the problems shown below; this page reloads once the site builds.")
    } else {
        (404, "Not found", "There is no page at this address.")
    };
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title} · digest serve</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    let body = live::inject(html.as_bytes(), snap.generation, snap.error.as_deref());
    response(status, "text/html; charset=utf-8", body)
}

/// Opens a Server-Sent Events stream on a thread of its own.
fn events(rq: Request, state: Arc<State>, url: &str) {
    let Some((id, rx)) = state.hub.subscribe(MAX_STREAMS) else {
        return reply(rq, text_response(503, "503 Service Unavailable: too many open pages\n"));
    };
    let generation = url
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("generation=")))
        .and_then(|g| g.parse::<u64>().ok());
    // Should the thread not start, the request is dropped with the closure (tiny_http answers 500)
    // and the stream's hub entry goes at the next broadcast.
    let _ = std::thread::Builder::new().name("digest-events".into()).spawn(move || {
        // A write error means the page was closed.
        let _ = stream(rq, &state, rx, generation);
        state.hub.unsubscribe(id);
    });
}

fn stream(rq: Request, state: &State, rx: Receiver<Event>, generation: Option<u64>) -> std::io::Result<()> {
    let mut w = rq.into_writer();
    // Written by hand: tiny_http's own responses would buffer the body.
    w.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
          X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 1000\n\n",
    )?;
    let snap = state.snapshot();
    if let Some(error) = &snap.error {
        w.write_all(Event::BuildError(error.clone()).to_sse().as_bytes())?;
    } else if generation.is_some_and(|g| g != snap.generation) {
        let reload = Event::Reload { generation: snap.generation, paths: None };
        w.write_all(reload.to_sse().as_bytes())?;
    }
    w.flush()?;
    let mut quiet = Duration::ZERO;
    while !state.stopped() {
        match rx.recv_timeout(POLL) {
            Ok(event) => {
                w.write_all(event.to_sse().as_bytes())?;
                w.flush()?;
                quiet = Duration::ZERO;
            }
            Err(RecvTimeoutError::Timeout) => {
                quiet += POLL;
                if quiet >= KEEP_ALIVE {
                    w.write_all(b": keep-alive\n\n")?;
                    w.flush()?;
                    quiet = Duration::ZERO;
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    Ok(())
}
