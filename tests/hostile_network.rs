//! The network half of the hostile-input suite (issue 11): `digest fetch` against loopback
//! servers that lie, stall, loop and bomb, and `digest serve` against hostile requests.
//!
//! Every case asserts what happens (the draft's text, the source's error, the status served),
//! not only that nothing crashed. Nothing here leaves 127.0.0.1.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use digest::fetch::draft::EXCERPT_MARK;
use digest::fetch::{Counts, Options, Progress, Report, Status, fetch};
use digest::links::http::HttpOptions;
use digest::load::frontmatter::{self, EntryFront};

// ---------------------------------------------------------------- a loopback server

/// The request line's target.
#[derive(Debug, Clone)]
struct Request {
    #[allow(dead_code)]
    path: String,
}

/// Writes the whole exchange itself: a status and headers, a body, or bytes dribbled out forever.
type Handler = Arc<dyn Fn(&Request, &mut TcpStream) + Send + Sync>;

/// A loopback HTTP/1.1 server answering from a route table; it logs the paths asked.
struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(routes: Vec<(&str, Handler)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<HashMap<String, Handler>> =
            Arc::new(routes.into_iter().map(|(p, h)| (p.to_string(), h)).collect());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (routes, log) = (routes.clone(), log.clone());
                std::thread::spawn(move || answer(stream, &routes, &log));
            }
        });
        Server { port, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self, path: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|p| *p == path).count()
    }
}

fn answer(stream: TcpStream, routes: &HashMap<String, Handler>, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
    }
    log.lock().unwrap().push(path.clone());
    let mut out = stream;
    match routes.get(&path) {
        Some(handler) => handler(&Request { path }, &mut out),
        None => {
            let _ = out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    }
}

/// A complete response with a `Content-Length`. Write errors are ignored: the client may hang
/// up early, which is what it should do with oversized bodies.
fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Handler {
    let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let body = body.into();
    Arc::new(move |_, out| {
        let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = out.write_all(head.as_bytes()).and_then(|()| out.write_all(&body));
    })
}

fn feed(body: impl Into<Vec<u8>>) -> Handler {
    reply(200, &[("Content-Type", "application/rss+xml")], body)
}

fn redirect(to: &str) -> Handler {
    reply(302, &[("Location", to)], "")
}

// ---------------------------------------------------------------- sites and feeds

const CONFIG: &str = "base_url = \"https://digest.example.org\"\ndefault_language = \"zh\"\n\n\
    [languages.zh]\ntitle = \"云原生月报\"\n\n[languages.en]\ntitle = \"Cloud Native Monthly\"\n";

/// A site whose `[[sources]]` are (name, url), all of the topic `news`, with the issue 2025-11.
fn site(sources: &[(&str, String)]) -> common::Fixture {
    let mut config = CONFIG.to_string();
    for (name, url) in sources {
        config.push_str(&format!("\n[[sources]]\nname = \"{name}\"\nurl = \"{url}\"\ntopic = \"news\"\n"));
    }
    common::Fixture::with_config(
        &config,
        &[("content/2025-11/_index.md", "+++\ntitle = \"云原生月报 2025 年 11 月\"\ndate = 2025-11-30\n+++\n")],
    )
}

/// The limits the suite runs with: the real body cap (10 MiB) and redirect limit (5), a 2 s
/// timeout instead of 30 s, and no retries, so each failure costs one attempt.
fn limits() -> HttpOptions {
    HttpOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
        retries: 0,
        backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_millis(100),
        concurrency: 8,
        per_host: 8,
        host_delay: Duration::ZERO,
        ..HttpOptions::default()
    }
}

fn run(site: &common::Fixture, http: &HttpOptions) -> Report {
    let args = Options { month: Some("2025-11".into()), ..Options::default() };
    fetch(site.root(), &args, http, Progress::Quiet).unwrap()
}

fn counts<'r>(report: &'r Report, name: &str) -> &'r Counts {
    match &report.sources.iter().find(|s| s.name == name).unwrap().status {
        Status::Read(c) => c,
        other => panic!("{name} should have been read: {other:?}\n{}", report.table()),
    }
}

fn error(report: &Report, name: &str) -> String {
    match &report.sources.iter().find(|s| s.name == name).unwrap().status {
        Status::Failed(e) => e.clone(),
        other => panic!("{name} should have failed: {other:?}"),
    }
}

/// The front matter and body of the only draft of `source`.
fn only_draft(site: &common::Fixture, report: &Report, source: &str) -> (EntryFront, String, String) {
    let new = &counts(report, source).new;
    assert_eq!(new.len(), 1, "{source}: {}", report.table());
    let text = std::fs::read_to_string(site.root().join(&new[0])).unwrap();
    let (front, body) = parse(&text);
    (front, body, text)
}

fn parse(text: &str) -> (EntryFront, String) {
    let path = Path::new("draft.md");
    let split = frontmatter::split(path, text).unwrap();
    let front: EntryFront = frontmatter::parse(path, text, &split).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let body = split.body.strip_prefix(EXCERPT_MARK).unwrap_or_else(|| panic!("no excerpt mark: {text}"));
    (front, body.trim().to_string())
}

fn ledger(site: &common::Fixture) -> String {
    std::fs::read_to_string(site.root().join("fetch-ledger.toml")).unwrap_or_default()
}

fn source_of(front: &EntryFront) -> &str {
    front.source.as_ref().unwrap().get_ref()
}

fn yesterday() -> String {
    (Utc::now() - TimeDelta::days(1)).to_rfc2822()
}

/// An RSS 2.0 feed of (title, link, description) items, dated yesterday, with `prolog` (a
/// DOCTYPE, say) between the XML declaration and the root.
fn rss_with(prolog: &str, items: &[(&str, &str, &str)]) -> String {
    let date = yesterday();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{prolog}\n<rss version=\"2.0\"><channel><title>t</title>\
         <link>https://feed.example/</link><description>d</description>\n"
    );
    for (title, link, description) in items {
        xml.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>\
             <description>{description}</description></item>\n"
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    rss_with("", items)
}

fn good_feed() -> String {
    rss(&[("A good item", "https://good.example/a", "Good text.")])
}

// ---------------------------------------------------------------- fetch: XML entities

#[test]
fn entity_expansion_billion_laughs_is_not_expanded() {
    let mut doctype = String::from("<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n");
    for i in 1..=9 {
        doctype.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&lol{};", i - 1).repeat(10)));
    }
    doctype.push_str("]>");
    let laughs = rss_with(&doctype, &[("Laughs &lol9;", "https://laughs.example/post", "Body &lol9; end")]);
    let server = Server::start(vec![("/laughs.xml", feed(laughs)), ("/good.xml", feed(good_feed()))]);
    let site = site(&[("laughs", server.url("/laughs.xml")), ("good", server.url("/good.xml"))]);
    let started = Instant::now();
    let report = run(&site, &limits());
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let (front, body, text) = only_draft(&site, &report, "laughs");
    // Entities the feed declares itself are never expanded: they stay as written.
    assert_eq!(front.title, "Laughs &lol9;");
    assert_eq!(body, "Body &lol9; end");
    assert!(text.len() < 1024, "nothing expanded: {} bytes", text.len());
    assert_eq!(counts(&report, "good").new.len(), 1);
}

#[test]
fn external_entities_are_never_read() {
    let server_secret = "REMOTE-ENTITY-SECRET";
    let mut routes: Vec<(&str, Handler)> = vec![("/secret", reply(200, &[], server_secret))];
    // The feed names this very server in its entities: its port is known once it runs.
    let placeholder = "PORT";
    let doctype = format!(
        "<!DOCTYPE rss [\n<!ENTITY file SYSTEM \"file:///etc/passwd\">\n\
         <!ENTITY remote SYSTEM \"http://127.0.0.1:{placeholder}/secret\">\n\
         <!ENTITY % param SYSTEM \"http://127.0.0.1:{placeholder}/secret\">\n%param;\n]>"
    );
    let body = rss_with(&doctype, &[("File &file; here", "https://xxe.example/post", "Remote &remote; here")]);
    let shared: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
    let text = shared.clone();
    routes.push((
        "/xxe.xml",
        Arc::new(move |rq, out| {
            let body = text.lock().unwrap().clone();
            feed(body)(rq, out)
        }),
    ));
    let server = Server::start(routes);
    *shared.lock().unwrap() = body.replace(placeholder, &server.port.to_string());
    let site = site(&[("xxe", server.url("/xxe.xml"))]);
    let report = run(&site, &limits());
    let (front, body, text) = only_draft(&site, &report, "xxe");
    assert_eq!(front.title, "File &file; here");
    assert_eq!(body, "Remote &remote; here");
    assert!(!text.contains("root:") && !text.contains(server_secret), "{text}");
    assert_eq!(server.hits("/secret"), 0, "no external entity was fetched");
}

// ---------------------------------------------------------------- fetch: sizes and time

/// A gzip stream that inflates to `mib` MiB of zeros while costing about 1 KiB per MiB: the
/// deflate blocks of one MiB of zeros after a window of zeros are the same every time, so
/// they are compressed once and repeated. (The trailer's checksum is not computed: a client
/// that honours the cap stops long before it.)
fn gzip_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), false);
    let mut block = || {
        let (before, mut out) = (c.total_in(), Vec::with_capacity(1 << 20));
        c.compress_vec(&zeros, &mut out, FlushCompress::Sync).unwrap();
        assert_eq!(c.total_in() - before, 1 << 20);
        out
    };
    let (first, steady, again) = (block(), block(), block());
    assert_eq!(steady, again, "the steady state repeats");
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];
    gz.extend_from_slice(&first);
    for _ in 1..mib {
        gz.extend_from_slice(&steady);
    }
    gz.extend_from_slice(&[3, 0]); // a final, empty block
    gz.extend_from_slice(&[0; 4]); // CRC-32 (not computed)
    gz.extend_from_slice(&((mib as u32) << 20).to_le_bytes());
    gz
}

#[test]
fn gzip_bomb_is_cut_at_the_cap_counted_after_decompression() {
    let bomb = gzip_bomb(1024);
    assert!(bomb.len() < 2 << 20, "1 GiB of zeros in {} bytes", bomb.len());
    let sent = reply(200, &[("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")], bomb);
    let server = Server::start(vec![("/bomb.xml", sent), ("/good.xml", feed(good_feed()))]);
    let site = site(&[("bomb", server.url("/bomb.xml")), ("good", server.url("/good.xml"))]);
    let started = Instant::now();
    let report = run(&site, &limits());
    assert_eq!(error(&report, "bomb"), "the response is larger than 10 MiB");
    assert!(started.elapsed() < Duration::from_secs(10), "stopped at the cap: {:?}", started.elapsed());
    assert_eq!(counts(&report, "good").new.len(), 1);
}

/// Answers 200 and then writes `chunk` for as long as the client reads.
fn endless(chunked: bool, chunk: &'static [u8]) -> Handler {
    Arc::new(move |_, out| {
        let framing = if chunked { "Transfer-Encoding: chunked\r\n" } else { "" };
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n{framing}Connection: close\r\n\r\n");
        let frame = |bytes: &[u8]| -> Vec<u8> {
            if chunked {
                [format!("{:x}\r\n", bytes.len()).as_bytes(), bytes, b"\r\n"].concat()
            } else {
                bytes.to_vec()
            }
        };
        if out.write_all(head.as_bytes()).is_err() || out.write_all(&frame(b"<rss version=\"2.0\"><channel>")).is_err()
        {
            return;
        }
        let framed = frame(chunk);
        while out.write_all(&framed).is_ok() {}
    })
}

#[test]
fn endless_bodies_are_cut_at_the_cap() {
    const TITLES: &[u8] = b"<title>again</title>                                                                  ";
    let server = Server::start(vec![
        ("/endless.xml", endless(false, TITLES)),
        ("/endless-chunked.xml", endless(true, TITLES)),
        ("/good.xml", feed(good_feed())),
    ]);
    let site = site(&[
        ("endless", server.url("/endless.xml")),
        ("chunked", server.url("/endless-chunked.xml")),
        ("good", server.url("/good.xml")),
    ]);
    let report = run(&site, &HttpOptions { timeout: Duration::from_secs(20), ..limits() });
    assert_eq!(error(&report, "endless"), "the response is larger than 10 MiB");
    assert_eq!(error(&report, "chunked"), "the response is larger than 10 MiB");
    assert_eq!(counts(&report, "good").new.len(), 1);
}

/// Answers with headers, then one byte of a valid feed per `every`: never stalling long enough
/// for a read timeout, never finishing within the request's.
fn trickle(every: Duration) -> Handler {
    Arc::new(move |_, out| {
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n");
        for byte in good_feed().bytes().cycle() {
            if out.write_all(&[byte]).and_then(|()| out.flush()).is_err() {
                return;
            }
            std::thread::sleep(every);
        }
    })
}

#[test]
fn trickling_bodies_time_out_within_the_timeout() {
    let server = Server::start(vec![
        ("/trickle.xml", trickle(Duration::from_secs(1))),
        ("/fast-trickle.xml", trickle(Duration::from_millis(50))),
        ("/good.xml", feed(good_feed())),
    ]);
    let site = site(&[
        ("trickle", server.url("/trickle.xml")),
        ("fast-trickle", server.url("/fast-trickle.xml")),
        ("good", server.url("/good.xml")),
    ]);
    let http = HttpOptions { timeout: Duration::from_secs(1), ..limits() };
    let started = Instant::now();
    let report = run(&site, &http);
    let took = started.elapsed();
    assert_eq!(error(&report, "trickle"), "timed out after 1s");
    assert_eq!(error(&report, "fast-trickle"), "timed out after 1s");
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(4), "bounded by the timeout: {took:?}");
    assert_eq!(counts(&report, "good").new.len(), 1);
}

#[test]
fn a_server_that_never_answers_times_out_and_is_retried() {
    let silent: Handler = Arc::new(|_, _| std::thread::sleep(Duration::from_secs(30)));
    let headers_trickle: Handler = Arc::new(|_, out| {
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: ".iter().chain(std::iter::repeat(&b'a')) {
            if out.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let server = Server::start(vec![("/silent.xml", silent), ("/slow-headers.xml", headers_trickle)]);
    let site = site(&[("silent", server.url("/silent.xml")), ("slow-headers", server.url("/slow-headers.xml"))]);
    let http = HttpOptions { timeout: Duration::from_millis(500), retries: 2, ..limits() };
    let started = Instant::now();
    let report = run(&site, &http);
    let took = started.elapsed();
    assert_eq!(error(&report, "silent"), "timed out after 0.5s (3 attempts)");
    assert_eq!(error(&report, "slow-headers"), "timed out after 0.5s (3 attempts)");
    assert_eq!(server.hits("/silent.xml"), 3);
    // Three attempts of 0.5 s and backoffs of 10 and 20 ms.
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn an_empty_body_is_not_a_feed() {
    let server = Server::start(vec![("/empty.xml", feed("")), ("/good.xml", feed(good_feed()))]);
    let site = site(&[("empty", server.url("/empty.xml")), ("good", server.url("/good.xml"))]);
    let report = run(&site, &limits());
    assert!(error(&report, "empty").starts_with("not a feed: "), "{}", report.table());
    assert_eq!(counts(&report, "good").new.len(), 1);
    assert!(!ledger(&site).contains("[sources.empty]"), "a failed source keeps no fetch time");
}

#[test]
fn an_html_page_is_not_a_feed() {
    let page = "<!doctype html><html><head><title>Blog</title></head><body><h1>Welcome</h1>\
                <a href=\"/feed.xml\">feed</a><script>alert(1)</script></body></html>";
    let server = Server::start(vec![
        ("/page", reply(200, &[("Content-Type", "text/html; charset=utf-8")], page)),
        ("/good.xml", feed(good_feed())),
    ]);
    let site = site(&[("page", server.url("/page")), ("good", server.url("/good.xml"))]);
    let report = run(&site, &limits());
    assert!(error(&report, "page").starts_with("not a feed: "), "{}", report.table());
    assert_eq!(counts(&report, "good").new.len(), 1);
}

// ---------------------------------------------------------------- fetch: redirects

#[test]
fn redirect_loops_are_reported() {
    let mut routes: Vec<(&str, Handler)> = vec![
        ("/self", redirect("/self")),
        ("/a", redirect("/b")),
        ("/b", redirect("/a")),
        ("/good.xml", feed(good_feed())),
    ];
    // A chain that never repeats an address: /n/0 → /n/1 → …
    let chain: Vec<String> = (0..20).map(|i| format!("/n/{i}")).collect();
    for (i, path) in chain.iter().enumerate() {
        routes.push((path, redirect(&format!("/n/{}", i + 1))));
    }
    let server = Server::start(routes);
    let site = site(&[
        ("self", server.url("/self")),
        ("pair", server.url("/a")),
        ("endless", server.url("/n/0")),
        ("good", server.url("/good.xml")),
    ]);
    let report = run(&site, &limits());
    assert_eq!(error(&report, "self"), format!("redirect loop at {}", server.url("/self")));
    assert_eq!(error(&report, "pair"), format!("redirect loop at {}", server.url("/a")));
    assert_eq!(error(&report, "endless"), "more than 5 redirects");
    assert_eq!(server.hits("/n/6"), 0, "the sixth redirect is not followed");
    assert_eq!(counts(&report, "good").new.len(), 1);
}

#[test]
fn redirects_to_other_schemes_are_refused() {
    let server = Server::start(vec![
        ("/to-file", redirect("file:///etc/passwd")),
        ("/to-ftp", redirect("ftp://127.0.0.1/feed.xml")),
        ("/to-data", redirect(&format!("data:application/rss+xml,{}", "%3Crss%3E".repeat(100)))),
        ("/to-js", redirect("javascript:alert(1)")),
        ("/good.xml", feed(good_feed())),
    ]);
    let site = site(&[
        ("file", server.url("/to-file")),
        ("ftp", server.url("/to-ftp")),
        ("data", server.url("/to-data")),
        ("js", server.url("/to-js")),
        ("good", server.url("/good.xml")),
    ]);
    let report = run(&site, &limits());
    assert_eq!(error(&report, "file"), "redirected to file:///etc/passwd, which is not http(s)");
    assert_eq!(error(&report, "ftp"), "redirected to ftp://127.0.0.1/feed.xml, which is not http(s)");
    // A hostile address is cut to 100 characters in the message.
    let data = format!("data:application/rss+xml,{}", "%3Crss%3E".repeat(100));
    assert_eq!(error(&report, "data"), format!("redirected to {}…, which is not http(s)", &data[..100]));
    assert_eq!(error(&report, "js"), "redirected to javascript:alert(1), which is not http(s)");
    assert_eq!(counts(&report, "good").new.len(), 1);
}

#[test]
fn malformed_framing_is_a_clear_error() {
    let lying_length: Handler = Arc::new(|_, out| {
        let body = good_feed();
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len() * 2);
        let _ = out.write_all(head.as_bytes()).and_then(|()| out.write_all(body.as_bytes()));
    });
    let bad_chunks: Handler = Arc::new(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n<rss>\r\n0\r\n\r\n");
    });
    let garbage: Handler = Arc::new(|_, out| {
        let _ = out.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe garbage");
    });
    let server = Server::start(vec![
        ("/short.xml", lying_length),
        ("/chunks.xml", bad_chunks),
        ("/garbage.xml", garbage),
        ("/good.xml", feed(good_feed())),
    ]);
    let site = site(&[
        ("short", server.url("/short.xml")),
        ("chunks", server.url("/chunks.xml")),
        ("garbage", server.url("/garbage.xml")),
        ("good", server.url("/good.xml")),
    ]);
    let report = run(&site, &limits());
    // The cause is named, not only "body error".
    let short = error(&report, "short");
    assert!(short.starts_with("reading the response failed: ") && short.contains("before message length"), "{short}");
    let chunks = error(&report, "chunks");
    assert!(chunks.starts_with("reading the response failed: ") && chunks.contains("chunk size"), "{chunks}");
    let garbage = error(&report, "garbage");
    assert!(garbage.contains("invalid HTTP version") || garbage.contains("parse"), "{garbage}");
    assert_eq!(counts(&report, "good").new.len(), 1);
}

#[test]
fn https_to_http_redirects_are_refused() {
    // A loopback TLS server would need a certificate the client trusts; the policy the client
    // runs for every redirect is asked directly instead.
    use digest::links::http::redirect_refusal;
    let url = |s: &str| url::Url::parse(s).unwrap();
    let chain = [url("https://feeds.example/rss"), url("https://cdn.example/rss")];
    assert_eq!(
        redirect_refusal(&chain, &url("http://cdn.example/rss"), 5).as_deref(),
        Some("redirected from https to plain http (http://cdn.example/rss)")
    );
    assert_eq!(redirect_refusal(&chain, &url("https://other.example/rss"), 5), None);
    assert_eq!(redirect_refusal(&[url("http://feeds.example/rss")], &url("https://feeds.example/rss"), 5), None);
    assert_eq!(
        redirect_refusal(&chain, &url("file:///etc/passwd"), 5).as_deref(),
        Some("redirected to file:///etc/passwd, which is not http(s)")
    );
    assert_eq!(
        redirect_refusal(&chain, &url("https://feeds.example/rss"), 5).as_deref(),
        Some("redirect loop at https://feeds.example/rss")
    );
    assert_eq!(redirect_refusal(&chain, &url("https://x.example/"), 1).as_deref(), Some("more than 1 redirects"));
}

// ---------------------------------------------------------------- fetch: encodings

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = if bom { vec![0xfeff] } else { vec![] }.into_iter().chain(text.encode_utf16());
    for unit in units {
        out.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

/// An RSS feed of one item: `title`, a link of its own, the description "正文 text".
fn one_item(title: &str, slug: &str) -> String {
    rss(&[(title, &format!("https://enc.example/{slug}"), "正文 text")])
}

fn with_encoding(xml: &str, name: &str) -> String {
    xml.replace("encoding=\"UTF-8\"", &format!("encoding=\"{name}\""))
}

#[test]
fn a_declared_charset_that_lies_is_believed_and_stays_text() {
    // Declared Latin-1, written in UTF-8: read as Latin-1, as declared (mojibake, but text).
    let latin1_lie = with_encoding(&one_item("云原生 café", "latin1"), "ISO-8859-1");
    // The HTTP header says Shift_JIS, the document UTF-8: the document's declaration wins.
    let header_lie = one_item("云原生 header", "header");
    let server = Server::start(vec![
        ("/latin1-lie.xml", feed(latin1_lie)),
        ("/header-lie.xml", reply(200, &[("Content-Type", "application/rss+xml; charset=shift_jis")], header_lie)),
    ]);
    let site = site(&[("latin1", server.url("/latin1-lie.xml")), ("header", server.url("/header-lie.xml"))]);
    let report = run(&site, &limits());
    let (front, body, _) = only_draft(&site, &report, "latin1");
    // Each UTF-8 byte read as a character of windows-1252, which is what the label ISO-8859-1
    // means to browsers (the WHATWG Encoding Standard) and to the XML parser.
    assert_eq!(front.title, "äº‘åŽŸç”Ÿ cafÃ©");
    assert_eq!(body, "æ\u{ad}£æ–‡ text");
    let (front, body, _) = only_draft(&site, &report, "header");
    assert_eq!(front.title, "云原生 header");
    assert_eq!(body, "正文 text");
}

#[test]
fn invalid_utf8_bytes_cost_a_character_not_the_feed() {
    let mut invalid = one_item("caf\u{1} latin", "invalid").into_bytes();
    let at = invalid.windows(4).position(|w| w == b"caf\x01").unwrap() + 3;
    invalid[at] = 0xe9; // é in Latin-1
    let mut truncated = one_item("trunc\u{1} sequence", "truncated").into_bytes();
    let at = truncated.windows(6).position(|w| w == b"trunc\x01").unwrap() + 5;
    truncated.splice(at..at + 1, [0xe4, 0xb8]); // two of the three bytes of 中
    let mut json = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{{"id":"1","url":"https://enc.example/json","title":"json \u0001 bytes","content_text":"x","date_published":"{}"}}]}}"#,
        (Utc::now() - TimeDelta::days(1)).to_rfc3339()
    )
    .into_bytes();
    let at = json.windows(6).position(|w| w == b"\\u0001").unwrap();
    json.splice(at..at + 6, [0xff, 0xfe, 0x80]);
    let server = Server::start(vec![
        ("/invalid.xml", reply(200, &[("Content-Type", "application/rss+xml; charset=utf-8")], invalid)),
        ("/truncated.xml", feed(truncated)),
        ("/feed.json", reply(200, &[("Content-Type", "application/feed+json")], json)),
    ]);
    let site = site(&[
        ("invalid", server.url("/invalid.xml")),
        ("truncated", server.url("/truncated.xml")),
        ("json", server.url("/feed.json")),
    ]);
    let report = run(&site, &limits());
    assert_eq!(only_draft(&site, &report, "invalid").0.title, "caf\u{fffd} latin");
    assert_eq!(only_draft(&site, &report, "truncated").0.title, "trunc\u{fffd} sequence");
    assert_eq!(only_draft(&site, &report, "json").0.title, "json \u{fffd}\u{fffd}\u{fffd} bytes");
}

#[test]
fn utf16_feeds_with_and_without_a_byte_order_mark() {
    let doc = |title: &str, slug: &str| with_encoding(&one_item(title, slug), "UTF-16");
    let server = Server::start(vec![
        ("/le-bom.xml", feed(utf16(&doc("云原生 LE", "le-bom"), false, true))),
        ("/be-bom.xml", feed(utf16(&doc("云原生 BE", "be-bom"), true, true))),
        ("/le.xml", feed(utf16(&doc("云原生 LE no BOM", "le"), false, false))),
        ("/be.xml", feed(utf16(&doc("云原生 BE no BOM", "be"), true, false))),
    ]);
    let names = ["le-bom", "be-bom", "le", "be"];
    let sources: Vec<(&str, String)> = names.iter().map(|n| (*n, server.url(&format!("/{n}.xml")))).collect();
    let site = site(&sources);
    let report = run(&site, &limits());
    for (name, title) in names.iter().zip(["云原生 LE", "云原生 BE", "云原生 LE no BOM", "云原生 BE no BOM"])
    {
        let (front, body, _) = only_draft(&site, &report, name);
        assert_eq!(front.title, title, "{name}");
        assert_eq!(body, "正文 text", "{name}");
        assert_eq!(source_of(&front), format!("https://enc.example/{name}"));
    }
}

// ---------------------------------------------------------------- fetch: items

/// Runs the test `name` of this binary alone in a child process (where `HOSTILE_CHILD` is set):
/// a stack overflow aborts a process, which no test harness survives, so the parent sees it as
/// the child's failure instead of losing the whole suite.
fn in_child(name: &str) -> (bool, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("HOSTILE_CHILD", "1")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && text.contains("test result: ok. 1 passed"), text)
}

fn is_child() -> bool {
    std::env::var_os("HOSTILE_CHILD").is_some()
}

/// The ways of nesting HTML deeply, each around the text "deep core": 100,000 `<div>`s, and
/// 20,000 levels of the tags the sanitiser keeps (2,000 overflowed a test thread's stack).
fn deep_html() -> Vec<(&'static str, String)> {
    let nest = |open: &str, close: &str, n| format!("{}deep core{}", open.repeat(n), close.repeat(n));
    vec![
        ("quotes", nest("<blockquote>", "</blockquote>", 20_000)),
        ("divs", nest("<div>", "</div>", 100_000)),
        ("lists", nest("<ul><li>", "</li></ul>", 20_000)),
        ("emphasis", nest("<em><strong>", "</strong></em>", 20_000)),
        ("unclosed", "<blockquote><p><b>".repeat(20_000) + "deep core"),
    ]
}

#[test]
fn child_deeply_nested_html() {
    if !is_child() {
        return;
    }
    let kinds = deep_html();
    let mut routes: Vec<(String, Handler)> = Vec::new();
    for (kind, html) in &kinds {
        let body = rss(&[
            (kind, &format!("https://deep.example/{kind}"), &format!("<![CDATA[{html}]]>")),
            ("Shallow", &format!("https://deep.example/{kind}/shallow"), "Plain text."),
        ]);
        routes.push((format!("/{kind}.xml"), feed(body)));
    }
    let server = Server::start(routes.iter().map(|(p, h)| (p.as_str(), h.clone())).collect());
    let sources: Vec<(&str, String)> = kinds.iter().map(|(k, _)| (*k, server.url(&format!("/{k}.xml")))).collect();
    let site = site(&sources);
    let report = run(&site, &HttpOptions { timeout: Duration::from_secs(20), ..limits() });
    for (kind, _) in &kinds {
        let new = &counts(&report, kind).new;
        assert_eq!(new.len(), 2, "{}", report.table());
        for path in new {
            let (front, body) = parse(&std::fs::read_to_string(site.root().join(path)).unwrap());
            if front.title == "Shallow" {
                assert_eq!(body, "Plain text.");
                continue;
            }
            // The nesting beyond the bound is flattened: the text survives, the markup does not.
            assert!(body.contains("deep core"), "{kind}: {body}");
            assert!(body.len() < 2000, "{kind}: {} bytes:\n{body}", body.len());
        }
    }
    println!("CHILD: {}", report.table());
}

#[test]
fn deeply_nested_html_is_flattened_not_a_crash() {
    let (ok, output) = in_child("child_deeply_nested_html");
    assert!(ok, "the child failed or crashed:\n{output}");
}

#[test]
fn one_bad_item_among_good_ones() {
    // 70 letters of four bytes: a 280-byte slug once made a file name too long to write, which
    // failed the whole source. Two of them, since the second also takes a `-2`.
    let wide = "𠀀".repeat(70);
    let body = rss(&[
        ("Good one", "https://mixed.example/1", "One."),
        (&wide, "https://mixed.example/wide-1", "Wide."),
        (&wide, "https://mixed.example/wide-2", "Wide again."),
        ("Good two", "https://mixed.example/2", "Two."),
    ]);
    let server = Server::start(vec![("/mixed.xml", feed(body))]);
    let site = site(&[("mixed", server.url("/mixed.xml"))]);
    let report = run(&site, &limits());
    let c = counts(&report, "mixed");
    assert_eq!(c.failed, []);
    let names: Vec<String> = c.new.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let short = "𠀀".repeat(37);
    assert_eq!(
        names,
        ["good-one.md".to_string(), format!("{short}.md"), format!("{short}-2.md"), "good-two.md".into()]
    );
    for path in &c.new {
        let (front, _) = parse(&std::fs::read_to_string(site.root().join(path)).unwrap());
        assert!(front.title == wide || front.title.starts_with("Good"), "{}", front.title);
    }
}

#[test]
fn markup_in_titles_and_javascript_links_stay_inert() {
    let date = (Utc::now() - TimeDelta::hours(2)).to_rfc3339();
    let atom = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><id>urn:a</id><updated>{date}</updated>
<entry><title type="html">&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick="x()"&gt;Bold&lt;/b&gt; &amp;lt;i&amp;gt; title</title>
<link href="https://inert.example/post"/><id>urn:1</id><published>{date}</published>
<content type="html">&lt;p&gt;&lt;a href="javascript:alert(1)"&gt;js&lt;/a&gt; &lt;a href=" JaVaScRiPt:alert(2)"&gt;spaced&lt;/a&gt; &lt;a href="jav&amp;#x09;ascript:alert(3)"&gt;tab&lt;/a&gt; &lt;a href="data:text/html,&amp;lt;script&amp;gt;"&gt;data&lt;/a&gt; &lt;a href="vbscript:x"&gt;vb&lt;/a&gt; &lt;a href="https://ok.example/"&gt;ok&lt;/a&gt;&lt;/p&gt;</content></entry>
<entry><title>javascript link</title><link href="javascript:alert(1)"/><id>javascript:alert(2)</id><published>{date}</published></entry>
<entry><title>data link</title><link href="data:text/html,x"/><id>urn:3</id><published>{date}</published></entry>
</feed>"#
    );
    let server = Server::start(vec![("/atom.xml", reply(200, &[("Content-Type", "application/atom+xml")], atom))]);
    let site = site(&[("inert", server.url("/atom.xml"))]);
    let report = run(&site, &limits());
    let c = counts(&report, "inert");
    // Items whose only links are not http(s) are skipped and named.
    assert_eq!(c.no_link, ["javascript link", "data link"]);
    let (front, body, _) = only_draft(&site, &report, "inert");
    assert_eq!(front.title, "Bold <i> title", "an HTML title is reduced to its text");
    assert_eq!(source_of(&front), "https://inert.example/post");
    assert_eq!(body, "js spaced tab data vb [ok](https://ok.example/)");
}

#[test]
fn a_huge_number_of_items_writes_at_most_a_hundred_drafts_per_run() {
    let items: Vec<(String, String)> =
        (0..5000).map(|i| (format!("Item {i}"), format!("https://many.example/{i}"))).collect();
    let refs: Vec<(&str, &str, &str)> = items.iter().map(|(t, l)| (t.as_str(), l.as_str(), "x")).collect();
    let server = Server::start(vec![("/many.xml", feed(rss(&refs))), ("/good.xml", feed(good_feed()))]);
    let site = site(&[("many", server.url("/many.xml")), ("good", server.url("/good.xml"))]);
    let started = Instant::now();
    let report = run(&site, &limits());
    let c = counts(&report, "many");
    assert_eq!((c.new.len(), c.left), (100, 4900), "{}", report.table());
    assert!(report.table().contains("ok (4900 left for the next fetch)"), "{}", report.table());
    assert!(!ledger(&site).contains("[sources.many]\nlast_fetch"), "the window stays open for the rest");
    // The next run takes the next hundred; the first are known.
    let again = run(&site, &limits());
    let c = counts(&again, "many");
    assert_eq!((c.new.len(), c.duplicates, c.left), (100, 100, 4800));
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

// ---------------------------------------------------------------- serve

const SECRET: &str = "SECRET-outside-the-build";

/// A served site (one issue, one entry) and, beside it, a file the preview must never show.
fn served() -> (tempfile::TempDir, digest::serve::Running) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("outside.txt"), SECRET).unwrap();
    let root = tmp.path().join("site");
    let files = [
        ("config.toml", format!("# {SECRET}\n{CONFIG}")),
        ("content/2025-11/_index.md", "+++\ntitle = \"2025 年 11 月\"\ndate = 2025-11-30\n+++\n".into()),
        ("content/2025-11/news/hello.md", "+++\ntitle = \"你好\"\ndate = 2025-11-02\n+++\nBody.\n".into()),
    ];
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let opts = digest::serve::Options { port: 0, drafts: false, quiet: true, no_search: false };
    let running = digest::serve::start(&root, &opts).expect("serve starts");
    (tmp, running)
}

/// Sends `head` (a request line and headers, each ending in CRLF) and returns the status and body.
fn send(port: u16, head: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(head).unwrap();
    s.write_all(b"Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status: {text:?}"));
    (status, text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn get(port: u16, target: &str) -> (u16, String) {
    send(port, format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").as_bytes())
}

#[test]
fn serve_path_traversal_in_every_encoding_is_not_found() {
    let (_tmp, server) = served();
    let port = server.port();
    assert_eq!(get(port, "/2025-11/news/hello/").0, 200, "the site is served");
    for target in [
        "/../outside.txt",
        "/../site/config.toml",
        "/%2e%2e/outside.txt",
        "/%2E%2E%2Foutside.txt",
        "/..%2foutside.txt",
        "/..%2Fsite%2Fconfig.toml",
        "/%252e%252e/outside.txt",
        "/%252e%252e%252foutside.txt",
        "/..\\outside.txt",
        "/..%5coutside.txt",
        "/%5c..%5coutside.txt",
        "/%c0%ae%c0%ae/outside.txt",
        "/%c0%ae%c0%ae%c0%afoutside.txt",
        "/%e0%80%ae%e0%80%ae/outside.txt",
        "/config.toml%00.html",
        "/%00/../outside.txt",
        "/./config.toml",
        "/2025-11/news/../../../outside.txt",
        "//outside.txt",
        "/content/2025-11/news/hello.md",
    ] {
        let (status, body) = get(port, target);
        assert_eq!(status, 404, "{target}");
        assert!(!body.contains(SECRET) && !body.contains("+++"), "{target} leaked a file");
    }
}

#[test]
fn serve_refuses_foreign_hosts() {
    let (_tmp, server) = served();
    let port = server.port();
    for head in [
        "GET / HTTP/1.1\r\nHost: evil.example\r\n".to_string(),
        format!("GET / HTTP/1.1\r\nHost: evil.example:{port}\r\n"),
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1.evil.example:{port}\r\n"),
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n"),
        format!("GET http://evil.example/ HTTP/1.1\r\nHost: evil.example:{port}\r\n"),
    ] {
        let (status, body) = send(port, head.as_bytes());
        assert_eq!(status, 403, "{head:?}");
        assert!(body.starts_with("403 Forbidden"), "{head:?}: {body}");
    }
    // An absolute-form target with our own Host names no file of the build.
    let own = format!("GET http://127.0.0.1:{port}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    assert_eq!(send(port, own.as_bytes()).0, 404);
}

#[test]
fn serve_refuses_a_request_without_host() {
    let (_tmp, server) = served();
    let port = server.port();
    for head in
        ["GET / HTTP/1.1\r\n", "GET / HTTP/1.0\r\n", "GET / HTTP/1.1\r\nHost: \r\n", "GET / HTTP/1.1\r\nHost:\t\r\n"]
    {
        let (status, body) = send(port, head.as_bytes());
        assert_eq!(status, 403, "{head:?}");
        assert!(body.starts_with("403 Forbidden"), "{head:?}: {body}");
    }
}

#[test]
fn serve_answers_an_overlong_path_with_uri_too_long() {
    let (_tmp, server) = served();
    let port = server.port();
    // Past hyper's 65,534 bytes: refused by the HTTP stack as the standard says, 414.
    let long = format!("/{}", "a/".repeat(50 * 1024));
    assert_eq!(long.len(), 100 * 1024 + 1);
    assert_eq!(get(port, &long).0, 414);
    let long_segment = format!("/{}", "%2e".repeat(34 * 1024));
    assert_eq!(get(port, &long_segment).0, 414);
    assert_eq!(get(port, "/").0, 200, "and goes on serving");
}

#[test]
fn serve_answers_while_many_connections_sit_idle() {
    let (_tmp, server) = served();
    let port = server.port();
    // 200 connections that never send a byte.
    let idle: Vec<TcpStream> = (0..200).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    answers_promptly(port);
    drop(idle);
}

#[test]
fn serve_answers_while_requests_stall_mid_header() {
    let (_tmp, server) = served();
    let port = server.port();
    // 100 requests that stop in the middle of a header, 20 that sent a body's length and no body.
    let mut stalled = Vec::new();
    for i in 0..120 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let head = if i < 100 {
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ")
        } else {
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 1000000\r\n\r\nx")
        };
        s.write_all(head.as_bytes()).unwrap();
        stalled.push(s);
    }
    answers_promptly(port);
    drop(stalled);
}

/// A normal request is answered within 5 s.
fn answers_promptly(port: u16) {
    let started = Instant::now();
    let (status, body) = get(port, "/2025-11/news/hello/");
    assert_eq!(status, 200);
    assert!(body.contains("Body."), "{body}");
    assert!(started.elapsed() < Duration::from_secs(5), "answered in {:?}", started.elapsed());
}
