//! Serve stage: live reload — the script injected into every page, the hub of open event streams
//! and their server-sent events.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::response::sse;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{Receiver, Sender, channel};

/// The path of the event stream pages listen to.
pub const EVENTS_PATH: &str = "/__digest/events";

/// A message to open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A rebuild succeeded: build `generation` is served. Pages at `paths` (as served:
    /// `/2025-11/news/x/`), or every page when `None`, reload; the others stay. (A stream that
    /// opens again, after the server restarted, reloads its page whatever changed.)
    Reload { generation: u64, paths: Option<Vec<String>> },
    /// A rebuild failed: show this text over the (last good) page.
    BuildError(String),
}

impl Event {
    /// The event's name, as the page's script listens for it.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Reload { .. } => "reload",
            Event::BuildError(_) => "build-error",
        }
    }

    /// The event's data: lines joined with `\n`, no carriage return, so each line becomes one
    /// `data:` field and none can start a field of its own.
    pub fn data(&self) -> String {
        match self {
            Event::Reload { generation, paths } => {
                let mut lines = vec![generation.to_string()];
                match paths {
                    None => lines.push("*".into()),
                    // Output paths hold no line breaks (`site::naming`); a stray one could only
                    // split a path, never start a field.
                    Some(paths) => lines.extend(paths.iter().map(|p| p.replace(['\n', '\r'], ""))),
                }
                lines.join("\n")
            }
            Event::BuildError(text) => {
                text.split('\n').map(|l| l.trim_end_matches('\r').replace('\r', "")).collect::<Vec<_>>().join("\n")
            }
        }
    }

    /// The event in the `text/event-stream` format, as [`Event::to_axum`] writes it.
    pub fn to_sse(&self) -> String {
        let mut out = format!("event: {}\n", self.name());
        for line in self.data().split('\n') {
            out.push_str("data: ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        out
    }

    pub fn to_axum(&self) -> sse::Event {
        sse::Event::default().event(self.name()).data(self.data())
    }
}

/// The open event streams, by id.
#[derive(Default)]
pub struct Hub {
    subscribers: Mutex<Subscribers>,
}

#[derive(Default)]
struct Subscribers {
    last_id: u64,
    streams: Vec<(u64, Sender<Event>)>,
}

impl Hub {
    /// Adds a stream; `None` when `limit` streams are already open. Call [`Hub::unsubscribe`]
    /// with the id when the stream ends.
    pub fn subscribe(&self, limit: usize) -> Option<(u64, Receiver<Event>)> {
        let mut subs = self.subscribers.lock().expect("hub lock");
        if subs.streams.len() >= limit {
            return None;
        }
        let (tx, rx) = channel(16);
        subs.last_id += 1;
        let id = subs.last_id;
        subs.streams.push((id, tx));
        Some((id, rx))
    }

    pub fn unsubscribe(&self, id: u64) {
        self.subscribers.lock().expect("hub lock").streams.retain(|(i, _)| *i != id);
    }

    /// Sends an event to every open stream (from any thread: it never waits).
    pub fn broadcast(&self, event: &Event) {
        let mut subs = self.subscribers.lock().expect("hub lock");
        // A full queue means a stuck client; dropping one message for it is fine.
        subs.streams.retain(|(_, s)| !matches!(s.try_send(event.clone()), Err(TrySendError::Closed(_))));
    }

    pub fn len(&self) -> usize {
        self.subscribers.lock().expect("hub lock").streams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Leaves the hub when the stream it belongs to is dropped (the page closed, or the server stopped).
struct Unsubscribe {
    hub: Arc<Hub>,
    id: u64,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.id);
    }
}

/// The events of subscription `id` (from [`Hub::subscribe`] on `hub`): `first`, then each one
/// broadcast, as server-sent events.
pub fn stream(
    hub: Arc<Hub>,
    id: u64,
    rx: Receiver<Event>,
    first: Vec<sse::Event>,
) -> impl Stream<Item = Result<sse::Event, Infallible>> + Send + 'static {
    let guard = Unsubscribe { hub, id };
    let rest = stream::unfold((rx, guard), |(mut rx, guard)| async move {
        let event = rx.recv().await?;
        Some((Ok(event.to_axum()), (rx, guard)))
    });
    stream::iter(first.into_iter().map(Ok)).chain(rest)
}

/// Inserts the live-reload script before the last `</body>` (or at the end when there is none).
/// `generation` is the build the page comes from; `error` the failed rebuild's report, if any.
pub fn inject(html: &[u8], generation: u64, error: Option<&str>) -> Vec<u8> {
    let script = script(generation, error);
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=hay.len().checked_sub(needle.len())?).rev().find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

fn script(generation: u64, error: Option<&str>) -> String {
    let error = error.map_or_else(|| "null".to_string(), js_string);
    format!(
        r#"<script id="digest-live">(function () {{
  var error = {error};
  function overlay(text) {{
    var box = document.getElementById("digest-error");
    if (!box) {{
      box = document.createElement("pre");
      box.id = "digest-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:60vh;overflow:auto;margin:0;" +
        "padding:1rem;z-index:2147483647;background:#2b0b0b;color:#ffe3e3;border:2px solid #e5484d;" +
        "border-radius:6px;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;text-align:left";
      document.body.appendChild(box);
    }}
    box.textContent = "digest serve: the site could not be rebuilt; this page shows the last good build.\n\n" + text;
  }}
  if (error !== null) overlay(error);
  var here = decodeURI(location.pathname).replace(/index\.html$/, "");
  // A stream opened with an older generation than the one served reloads the page at once.
  var events = new EventSource("{EVENTS_PATH}?generation={generation}");
  events.addEventListener("reload", function (e) {{
    var lines = e.data.split("\n");
    if (lines[1] === "*" || lines.indexOf(here, 1) > 0) location.reload();
  }});
  events.addEventListener("build-error", function (e) {{ overlay(e.data); }});
}})();</script>
"#
    )
}

/// A JavaScript string literal safe inside an HTML `<script>`: quotes, backslashes, line breaks and
/// `<`, `>`, `&` are escaped, so the text cannot end the script or the string.
pub fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\'' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>", 3, None)).unwrap();
        let script = out.find("<script id=\"digest-live\">").unwrap();
        assert!(out[..script].ends_with("<p>x</p>"));
        assert!(out.ends_with("</script>\n</BODY></html>"));
        assert!(out.contains("/__digest/events?generation=3"));
        assert!(out.contains("var error = null;"));
    }

    #[test]
    fn script_is_appended_without_a_body_end() {
        let out = String::from_utf8(inject(b"<p>x", 1, None)).unwrap();
        assert!(out.starts_with("<p>x<script"));
    }

    #[test]
    fn error_text_cannot_break_out_of_the_script() {
        let out =
            String::from_utf8(inject(b"<body></body>", 1, Some("a\"</script><img src=x onerror=alert(1)>\n"))).unwrap();
        assert!(out.contains(r#"var error = "a\"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e\n";"#));
        assert_eq!(out.matches("</script>").count(), 1);
    }

    #[test]
    fn js_string_escapes_controls_and_separators() {
        assert_eq!(js_string("x\\y\t\u{1}\u{2028}'"), r#""x\\y\t\u0001\u2028\u0027""#);
    }

    #[test]
    fn error_events_put_each_line_in_its_own_data_field() {
        let e = Event::BuildError("config.toml:1:1: error: bad\r\n  hint: fix\nevent: reload".into());
        assert_eq!(
            e.to_sse(),
            "event: build-error\ndata: config.toml:1:1: error: bad\ndata:   hint: fix\ndata: event: reload\n\n"
        );
        let all = Event::Reload { generation: 4, paths: None };
        assert_eq!(all.to_sse(), "event: reload\ndata: 4\ndata: *\n\n");
        let some = Event::Reload { generation: 5, paths: Some(vec!["/2025-11/".into(), "/a\nevent: x/".into()]) };
        assert_eq!(some.to_sse(), "event: reload\ndata: 5\ndata: /2025-11/\ndata: /aevent: x/\n\n");
    }

    #[test]
    fn hub_drops_closed_streams_and_honours_the_limit() {
        let hub = Hub::default();
        let (_, mut a) = hub.subscribe(2).unwrap();
        let (id_b, _b) = hub.subscribe(2).unwrap();
        assert!(hub.subscribe(2).is_none());
        hub.unsubscribe(id_b);
        let (_, c) = hub.subscribe(2).unwrap();
        drop(c);
        hub.broadcast(&Event::Reload { generation: 1, paths: None });
        assert_eq!(hub.len(), 1);
        assert_eq!(a.try_recv(), Ok(Event::Reload { generation: 1, paths: None }));
    }
}
