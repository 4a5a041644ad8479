//! `digest serve`: the preview server over real HTTP on 127.0.0.1, with fixture sites in temp dirs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use digest::serve::{Options, Running, start};

/// Generous: the machine may be loaded; every wait returns as soon as its condition holds.
const DEADLINE: Duration = Duration::from_secs(20);

const SECRET: &str = "SECRET-c0nfig-marker";

fn config(title: &str) -> String {
    format!(
        r#"# {SECRET}
base_url = "https://digest.example.org"
default_language = "zh"

[languages.zh]
title = "{title}"

[languages.en]
title = "Test Monthly"
"#
    )
}

fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A site with one issue, one published entry, one draft entry and an image. Returns the temp
/// folder holding it: the site is `<tmp>/site`, beside a file outside the site.
/// A real 2 × 2 PNG: the image stage refuses what does not decode.
const COVER_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x16, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xfc, 0xcf, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc4, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
    0x00, 0x00, 0x0d, 0x1d, 0x01, 0x03, 0x6a, 0xc2, 0x9b, 0xe9, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("outside.txt"), SECRET).unwrap();
    let root = tmp.path().join("site");
    write(&root, "config.toml", config("测试月报"));
    write(&root, "content/2025-11/_index.md", "+++\ntitle = \"2025 年 11 月\"\ndate = 2025-11-30\n+++\n本期导语。\n");
    write(
        &root,
        "content/2025-11/news/hello.md",
        "+++\ntitle = \"你好世界\"\ndate = 2025-11-02\n+++\nFirst version of the body.\n",
    );
    write(
        &root,
        "content/2025-11/news/secret-plan.md",
        "+++\ntitle = \"草稿条目标题\"\ndate = 2025-11-03\ndraft = true\n+++\nNot ready.\n",
    );
    write(&root, "content/2025-11/cover.png", COVER_PNG);
    tmp
}

fn serve(tmp: &tempfile::TempDir, drafts: bool) -> Running {
    start(&tmp.path().join("site"), &Options { port: 0, drafts, quiet: true, no_search: false }).expect("server starts")
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends `target` exactly as given (no client-side normalisation of `..`) with the given Host.
fn raw_request(port: u16, method: &str, target: &str, host: Option<&str>) -> Reply {
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    request_with_headers(port, &format!("{method} {target} HTTP/1.1\r\n{host}"))
}

/// Sends a request line and headers (each ending in CRLF) and reads the whole reply.
fn request_with_headers(port: u16, head: &str) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(s, "{head}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
}

fn get(port: u16, target: &str) -> Reply {
    raw_request(port, "GET", target, Some(&format!("127.0.0.1:{port}")))
}

/// Polls `target` until its body satisfies `ok`; panics with the last body after the deadline.
fn wait_for_page(port: u16, target: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
    let start = Instant::now();
    loop {
        let r = get(port, target);
        if ok(&r) {
            return r;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting on {target}; last body:\n{}", r.body);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An open event stream: the lines arrive on a channel, read by a thread of its own.
struct Events {
    lines: Receiver<String>,
    _stream: TcpStream,
}

impl Events {
    fn open(port: u16, query: &str) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET /__digest/events{query} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let reader = BufReader::new(s.try_clone().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let events = Events { lines: rx, _stream: s };
        // The stream is subscribed once its headers and first field have been written.
        let head = events.until(|l| l.starts_with("retry:"));
        assert!(head.iter().any(|l| l == "HTTP/1.1 200 OK"), "{head:?}");
        assert!(head.iter().any(|l| l.eq_ignore_ascii_case("content-type: text/event-stream")), "{head:?}");
        assert!(!head.iter().any(|l| l.to_ascii_lowercase().starts_with("access-control-")), "{head:?}");
        events
    }

    /// Reads lines until one satisfies `done`; returns all lines read, that one included.
    fn until(&self, done: impl Fn(&str) -> bool) -> Vec<String> {
        let start = Instant::now();
        let mut seen = Vec::new();
        loop {
            let left = DEADLINE.saturating_sub(start.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let stop = done(&line);
                    seen.push(line);
                    if stop {
                        return seen;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!("timed out on the event stream; read {seen:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("event stream closed; read {seen:?}"),
            }
        }
    }

    /// Waits for an event named `name`; returns its data lines joined with newlines.
    fn event(&self, name: &str) -> String {
        self.until(|l| l == format!("event: {name}"));
        let lines = self.until(str::is_empty);
        lines.iter().filter_map(|l| l.strip_prefix("data: ")).collect::<Vec<_>>().join("\n")
    }
}

/// The generation and the paths of a reload event's data.
fn reload(data: &str) -> (u64, Vec<String>) {
    let mut lines = data.lines();
    let generation = lines.next().and_then(|g| g.parse().ok()).expect("a generation");
    (generation, lines.map(str::to_string).collect())
}

#[test]
fn pages_are_served_with_their_content_types() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    assert!(server.url().starts_with("http://127.0.0.1:"));

    let home = get(port, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert!(home.body.contains("测试月报"));
    // base_url is replaced by the server's own address.
    assert!(home.body.contains(&format!("http://127.0.0.1:{port}/")), "{}", home.body);
    assert!(!home.body.contains("digest.example.org"));
    // The live-reload script sits just before </body>.
    let script = home.body.find("<script id=\"digest-live\">").expect("live script");
    assert!(home.body[script..].contains("</script>\n</body>"));
    assert!(home.body.contains("/__digest/events?generation=1"));

    for (target, ty) in [
        ("/2025-11/", "text/html; charset=utf-8"),
        ("/2025-11/news/hello/", "text/html; charset=utf-8"),
        ("/en/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/rss.xml", "application/xml; charset=utf-8"),
        ("/en/atom.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/2025-11/cover.png", "image/png"),
    ] {
        let r = get(port, target);
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.header("content-type"), Some(ty), "{target}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{target}");
        assert!(!r.headers.iter().any(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-")), "{target}");
    }
    assert!(get(port, "/2025-11/news/hello/").body.contains("First version of the body."));
    assert!(get(port, "/2025-11/cover.png").body.starts_with("\u{fffd}PNG"));
    assert!(!get(port, "/style.css").body.contains("digest-live"), "only HTML gets the script");

    let redirect = get(port, "/2025-11/news/hello");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location"), Some("/2025-11/news/hello/"));

    let missing = get(port, "/2025-10/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(missing.body.contains("页面不存在"), "the site's own 404 page");
    let missing_en = get(port, "/en/nothing-here");
    assert_eq!(missing_en.status, 404);
    assert!(missing_en.body.contains("Page not found"), "the language's 404 page");

    let head = raw_request(port, "HEAD", "/", Some(&format!("127.0.0.1:{port}")));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let post = raw_request(port, "POST", "/", Some(&format!("127.0.0.1:{port}")));
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn traversal_attempts_are_not_found_and_leak_nothing() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    for target in [
        "/../config.toml",
        "/../outside.txt",
        "/../../site/config.toml",
        "/%2e%2e/config.toml",
        "/%2E%2E/outside.txt",
        "/..%2fconfig.toml",
        "/%2e%2e%2fconfig.toml",
        "/%2e%2e%2foutside.txt",
        "/en/..%2f..%2fconfig.toml",
        "/..%5cconfig.toml",
        "/..\\config.toml",
        "/config.toml",
        "/content/2025-11/news/hello.md",
        "/%00",
        "//etc/passwd",
        "/2025-11/%2e%2e/%2e%2e/config.toml",
    ] {
        let r = get(port, target);
        assert_eq!(r.status, 404, "{target}");
        assert!(!r.body.contains(SECRET), "{target} leaked a file");
        assert!(!r.body.contains("+++"), "{target} leaked a source file");
    }
}

#[test]
fn foreign_hosts_are_refused() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    for host in [
        Some("evil.example".to_string()),
        Some(format!("evil.example:{port}")),
        Some(format!("localhost.evil.example:{port}")),
        Some(format!("127.0.0.1:{}", port.wrapping_add(1))),
        None,
    ] {
        let r = raw_request(port, "GET", "/", host.as_deref());
        assert_eq!(r.status, 403, "{host:?}");
        assert!(!r.body.contains("测试月报"), "{host:?}");
        assert!(r.header("access-control-allow-origin").is_none());
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")] {
        assert_eq!(raw_request(port, "GET", "/", Some(&host)).status, 200, "{host}");
    }
}

#[test]
fn other_sites_may_link_to_the_preview_but_not_fetch_from_it() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let host = format!("Host: 127.0.0.1:{port}\r\n");
    let fetch = format!("GET / HTTP/1.1\r\n{host}Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\n");
    assert_eq!(request_with_headers(port, &fetch).status, 403);
    let events =
        format!("GET /__digest/events HTTP/1.1\r\n{host}Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: cors\r\n");
    assert_eq!(request_with_headers(port, &events).status, 403);
    let link = format!("GET / HTTP/1.1\r\n{host}Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\n");
    assert_eq!(request_with_headers(port, &link).status, 200);
    let own = format!("GET /style.css HTTP/1.1\r\n{host}Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: no-cors\r\n");
    assert_eq!(request_with_headers(port, &own).status, 200);
}

#[test]
fn an_edit_is_served_and_open_pages_are_told_to_reload() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let events = Events::open(port, "?generation=1");

    let root = tmp.path().join("site");
    write(
        &root,
        "content/2025-11/news/hello.md",
        "+++\ntitle = \"你好世界\"\ndate = 2025-11-02\n+++\nSecond version, edited.\n",
    );
    let page = wait_for_page(port, "/2025-11/news/hello/", |r| r.body.contains("Second version, edited."));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("First version"));
    // First the pages of the entry's issue reload, then those listing the whole archive; the
    // feeds follow without a reload: no open page shows them.
    let (generation, near) = reload(&events.event("reload"));
    assert_eq!(generation, 2);
    for path in ["/2025-11/news/hello/", "/2025-11/", "/2025-11/news/", "/", "/en/2025-11/news/hello/"] {
        assert!(near.iter().any(|p| p == path), "{path} not in {near:?}");
    }
    assert!(!near.iter().any(|p| p.starts_with("/topics/") || p.ends_with(".xml")), "{near:?}");
    let (generation, wide) = reload(&events.event("reload"));
    assert_eq!(generation, 3);
    assert!(wide.iter().any(|p| p == "/topics/news/"), "{wide:?}");
    assert!(!wide.iter().any(|p| near.contains(p) || p.ends_with(".xml")), "{wide:?}");
    let feed = wait_for_page(port, "/rss.xml", |r| r.body.contains("Second version, edited."));
    assert!(!feed.body.contains("First version"));
    assert!(get(port, "/2025-11/news/hello/").body.contains("/__digest/events?generation=3"));
}

#[test]
fn a_stream_opened_after_a_missed_rebuild_reloads_at_once() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let events = Events::open(server.port(), "?generation=0");
    assert_eq!(reload(&events.event("reload")).1, ["*"]);
}

#[test]
fn a_broken_edit_is_reported_while_the_last_good_build_is_served() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let events = Events::open(port, "?generation=1");
    let root = tmp.path().join("site");

    std::fs::write(root.join("config.toml"), "base_url = = \"oops\"\n").unwrap();
    let report = events.event("build-error");
    assert!(report.starts_with("config.toml:1:"), "{report}");
    assert!(report.contains("error:"), "{report}");

    // The last good build is still served, with the report for the overlay.
    let home = get(port, "/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("测试月报"));
    assert!(home.body.contains("var error = \"config.toml:1:"), "{}", home.body);
    assert_eq!(get(port, "/2025-11/news/hello/").status, 200);
    // A page opened now gets the report on its stream straight away.
    let late = Events::open(port, "?generation=1");
    assert!(late.event("build-error").starts_with("config.toml:1:"));

    // Fixing it clears the error and serves the new content.
    std::fs::write(root.join("config.toml"), config("修好了的月报")).unwrap();
    assert_eq!(reload(&events.event("reload")).1, ["*"]);
    let home = wait_for_page(port, "/", |r| r.body.contains("修好了的月报"));
    assert!(home.body.contains("var error = null;"));
    assert!(home.body.contains("/__digest/events?generation=2"));
}

#[test]
fn an_entry_that_fails_stays_reported_when_another_is_saved() {
    let tmp = fixture();
    let root = tmp.path().join("site");
    let other = "+++\ntitle = \"另一条\"\ndate = 2025-11-04\n+++\nOther body, first.\n";
    write(&root, "content/2025-11/news/other.md", other);
    let server = serve(&tmp, false);
    let port = server.port();
    let events = Events::open(port, "?generation=1");

    write(&root, "content/2025-11/news/hello.md", "+++\ntitle = \"你好世界\"\ndate = 2025-11-02\nbogus = 1\n+++\nx\n");
    let report = events.event("build-error");
    assert!(report.contains("hello.md:4:"), "{report}");

    // Saving a different entry must not hide the broken one behind a successful rebuild.
    write(&root, "content/2025-11/news/other.md", other.replace("first", "second"));
    let again = events.event("build-error");
    assert!(again.contains("hello.md:4:"), "{again}");
    assert!(get(port, "/2025-11/news/other/").body.contains("Other body, first."));

    // Fixing it publishes both edits.
    write(&root, "content/2025-11/news/hello.md", "+++\ntitle = \"你好世界\"\ndate = 2025-11-02\n+++\nFixed.\n");
    assert_eq!(reload(&events.event("reload")).1, ["*"]);
    let page = wait_for_page(port, "/2025-11/news/other/", |r| r.body.contains("Other body, second."));
    assert_eq!(page.status, 200);
    assert!(get(port, "/2025-11/news/hello/").body.contains("Fixed."));
}

#[test]
fn error_reports_are_escaped_in_pages() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let events = Events::open(port, "?generation=1");
    let root = tmp.path().join("site");

    let attack = "</script><img src=x onerror=alert(1)>";
    write(&root, "content/2025-11/news/hello.md", format!("+++\ntitle = \"你好世界\"\n\"{attack}\" = 1\n+++\nBody.\n"));
    let report = events.event("build-error");
    assert!(report.starts_with("content/2025-11/news/hello.md:3:"), "{report}");
    assert!(report.contains(attack), "the stream carries the text as it is: {report}");

    let home = get(port, "/");
    assert!(home.body.contains(r"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e"), "{}", home.body);
    assert!(!home.body.contains("<img src=x"), "{}", home.body);
    assert_eq!(home.body.matches("</script>").count(), 1);
}

#[test]
fn drafts_are_shown_with_a_badge_only_with_the_flag() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    assert_eq!(get(port, "/2025-11/news/secret-plan/").status, 404);
    let issue = get(port, "/2025-11/");
    assert!(!issue.body.contains("草稿条目标题"));
    assert!(!issue.body.contains("class=\"badge\""));
    server.stop();

    let server = serve(&tmp, true);
    let port = server.port();
    let entry = get(port, "/2025-11/news/secret-plan/");
    assert_eq!(entry.status, 200);
    // The badge is left out of the search index.
    assert!(
        entry.body.contains("草稿条目标题 <span class=\"badge\" data-pagefind-ignore>草稿</span>"),
        "{}",
        entry.body
    );
    let issue = get(port, "/2025-11/");
    assert!(issue.body.contains("草稿条目标题</a> <span class=\"badge\">草稿</span>"), "{}", issue.body);
    let en = get(port, "/en/2025-11/news/secret-plan/");
    assert!(en.body.contains("<span class=\"badge\" data-pagefind-ignore>Draft</span>"), "{}", en.body);
}

#[test]
fn a_site_that_does_not_build_is_served_with_its_report() {
    let tmp = fixture();
    let root = tmp.path().join("site");
    write(&root, "content/2025-11/news/hello.md", "no front matter here\n");
    let server = serve(&tmp, false);
    let port = server.port();
    let r = get(port, "/");
    assert_eq!(r.status, 503);
    assert!(r.body.contains("The site could not be built"));
    assert!(r.body.contains("var error = \"content/2025-11/news/hello.md:"), "{}", r.body);
    let events = Events::open(port, "?generation=0");
    assert!(events.event("build-error").starts_with("content/2025-11/news/hello.md:"));

    write(&root, "content/2025-11/news/hello.md", "+++\ntitle = \"你好世界\"\n+++\nFixed.\n");
    assert_eq!(reload(&events.event("reload")).1, ["*"]);
    let page = wait_for_page(port, "/2025-11/news/hello/", |r| r.status == 200);
    assert!(page.body.contains("Fixed."));
}

#[test]
fn start_refuses_a_folder_without_config_and_a_busy_port() {
    let tmp = tempfile::tempdir().unwrap();
    let err =
        start(tmp.path(), &Options { port: 0, drafts: false, quiet: true, no_search: false }).err().expect("no site");
    assert!(err.to_string().contains("config.toml"), "{err}");

    let site = fixture();
    let server = serve(&site, false);
    let opts = Options { port: server.port(), drafts: false, quiet: true, no_search: false };
    let err = start(&site.path().join("site"), &opts).err().expect("port in use");
    assert!(err.to_string().contains("cannot listen on 127.0.0.1:"), "{err}");
}

#[test]
fn stopping_closes_the_port() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    assert_eq!(get(port, "/").status, 200);
    server.stop();
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(start.elapsed() < DEADLINE, "port {port} still open");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_command_prints_its_address_and_serves() {
    let tmp = fixture();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["--root", tmp.path().join("site").to_str().unwrap(), "serve", "--port", "0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // Ends the child even when an assertion fails.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Kill(child);
    let mut port = None;
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            port = rest.split('/').next().and_then(|p| p.parse::<u16>().ok());
            break;
        }
        line.clear();
    }
    let port = port.unwrap_or_else(|| panic!("no address printed: {line}"));
    let r = get(port, "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("测试月报"));
}

/// The `pf_meta` file that the `pagefind-entry.json` of language `lang`'s newest segment names.
fn search_meta(port: u16, lang: &str) -> String {
    let entry = get(port, &format!("/pagefind/{lang}/pagefind-entry.json"));
    assert_eq!(entry.status, 200);
    let json: serde_json::Value = serde_json::from_str(&entry.body).expect("pagefind-entry.json");
    format!("/pagefind/{lang}/pagefind.{}.pf_meta", json["languages"][lang]["hash"].as_str().expect("a hash"))
}

#[test]
fn the_search_index_is_served_and_follows_a_saved_entry() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let page = get(port, "/search/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"data-bundle="/pagefind/""#), "{}", page.body);
    // The index follows the first build, from a thread of its own.
    let js = wait_for_page(port, "/pagefind/zh/pagefind.js", |r| r.status == 200);
    assert_eq!(get(port, "/pagefind/segments.json").status, 200);
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_eq!(get(port, "/search.js").status, 200);
    let before = search_meta(port, "zh");
    assert_eq!(get(port, &before).status, 200);

    // Saving an entry re-indexes its pages: a new index, the previous one's files gone.
    write(
        &tmp.path().join("site"),
        "content/2025-11/news/hello.md",
        "+++\ntitle = \"你好世界\"\ndate = 2025-11-02\n+++\nA body about observability.\n",
    );
    wait_for_page(port, "/2025-11/news/hello/", |r| r.body.contains("observability"));
    let start = Instant::now();
    while search_meta(port, "zh") == before {
        assert!(start.elapsed() < DEADLINE, "the index did not change");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get(port, &search_meta(port, "zh")).status, 200);
    assert_eq!(get(port, &before).status, 404);
}

#[test]
fn no_search_serves_the_site_without_an_index() {
    let tmp = fixture();
    let opts = Options { port: 0, drafts: false, quiet: true, no_search: true };
    let server = start(&tmp.path().join("site"), &opts).expect("server starts");
    let port = server.port();
    assert_eq!(get(port, "/2025-11/news/hello/").status, 200);
    // The first build is published; give an indexer, were there one, time to publish too.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(get(port, "/pagefind/zh/pagefind.js").status, 404);
    assert_eq!(get(port, "/pagefind/segments.json").status, 404);
}

/// Connections that hold the server's attention without finishing a request: `idle` that send
/// nothing and `stalled` that stop in the middle of a header.
fn crowd(port: u16, idle: usize, stalled: usize) -> Vec<TcpStream> {
    let mut all: Vec<TcpStream> = (0..idle).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    for _ in 0..stalled {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ").unwrap();
        all.push(s);
    }
    all
}

#[test]
fn pages_and_reloads_arrive_promptly_past_idle_and_stalled_connections() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    assert_eq!(get(port, "/").status, 200, "the first build is served");
    let crowd = crowd(port, 200, 50);

    // Measured from here: every connection of the crowd is open.
    let events = Events::open(port, "?generation=1");
    let started = Instant::now();
    let page = get(port, "/2025-11/news/hello/");
    let took = started.elapsed();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("First version of the body."));
    assert!(took < Duration::from_millis(250), "the page took {took:?}");

    // The reload is sent as the edited page is published: measured from the first request that
    // sees the new page (the rebuild itself is the watcher's business, not the server's).
    let root = tmp.path().join("site");
    write(&root, "content/2025-11/news/hello.md", "+++\ntitle = \"你好世界\"\ndate = 2025-11-02\n+++\nEdited.\n");
    wait_for_page(port, "/2025-11/news/hello/", |r| r.body.contains("Edited."));
    let published = Instant::now();
    let (generation, _) = reload(&events.event("reload"));
    let took = published.elapsed();
    assert_eq!(generation, 2);
    assert!(took < Duration::from_millis(250), "the reload event took {took:?} after the page changed");

    // The stalled connections were held open all along, not dropped to make room.
    let mut stalled = crowd.into_iter().last().unwrap();
    stalled.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    let mut byte = [0u8; 1];
    let still_open = matches!(stalled.read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
        || e.kind() == std::io::ErrorKind::TimedOut);
    assert!(still_open, "a stalled connection was closed before its header read timeout");
}

#[test]
fn connections_past_the_bound_get_a_short_503() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let crowd = crowd(port, digest::serve::listen::MAX_CONNECTIONS, 0);
    // The server takes connections in order: this one comes after the crowd's.
    let busy = get(port, "/");
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert!(busy.body.starts_with("503 Service Unavailable"), "{}", busy.body);
    drop(crowd);
    wait_for_page(port, "/", |r| r.status == 200);
}

/// Sends a request for the event stream and reads its reply up to the first field (or the end
/// of a refusal); returns the status and the connection, left open.
fn open_stream(port: u16) -> (u16, TcpStream) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(s, "GET /__digest/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("{line:?}"));
    let mut rest = String::new();
    while !line.starts_with("retry:") && !line.starts_with("503 ") {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "closed early; read {rest:?}");
        rest.push_str(&line);
    }
    (status, s)
}

#[test]
fn event_streams_past_their_bound_get_a_503() {
    let tmp = fixture();
    let server = serve(&tmp, false);
    let port = server.port();
    let streams: Vec<TcpStream> = (0..digest::serve::http::MAX_STREAMS)
        .map(|_| {
            let (status, s) = open_stream(port);
            assert_eq!(status, 200);
            s
        })
        .collect();
    let head = format!("GET /__digest/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    let refused = request_with_headers(port, &head);
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(refused.body.contains("too many open pages"), "{}", refused.body);
    assert_eq!(get(port, "/").status, 200, "pages are still served");
    drop(streams);
    // A closed page's stream gives its place back.
    let start = Instant::now();
    while open_stream(port).0 == 503 {
        assert!(start.elapsed() < DEADLINE, "closed streams kept their places");
        std::thread::sleep(Duration::from_millis(50));
    }
}
