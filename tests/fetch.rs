//! `digest fetch` against feeds served by an in-process loopback HTTP server.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use digest::fetch::draft::EXCERPT_MARK;
use digest::fetch::{Counts, Options as Args, Progress, Report, Status, fetch};
use digest::links::http::HttpOptions;
use digest::load::frontmatter::{self, EntryFront};

// ---------------------------------------------------------------- the test server

#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: HashMap<String, String>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

#[derive(Debug, Clone)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Response {
    fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    fn status(status: u16) -> Response {
        Response { status, headers: vec![], body: Vec::new(), delay: Duration::ZERO }
    }

    fn redirect(to: &str) -> Response {
        Response::status(302).with("Location", to)
    }

    fn with(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A loopback HTTP/1.1 server answering from a route table, counting requests per path.
struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
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
                std::thread::spawn(move || serve(stream, &routes, &log));
            }
        });
        Server { port, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self, path: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| r.path == path).count()
    }

    fn last(&self, path: &str) -> Request {
        self.requests.lock().unwrap().iter().rev().find(|r| r.path == path).cloned().unwrap()
    }
}

fn serve(stream: TcpStream, routes: &HashMap<String, Handler>, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let request = Request { path: path.clone(), headers };
    log.lock().unwrap().push(request.clone());
    let response = match routes.get(&path) {
        Some(handler) => handler(&request),
        None => Response::status(404),
    };
    std::thread::sleep(response.delay);
    let mut out = stream;
    let mut head =
        format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", response.status, response.body.len());
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // The client may hang up early (oversized bodies, timeouts): ignore write errors.
    let _ = out.write_all(head.as_bytes()).and_then(|()| out.write_all(&response.body));
}

fn fixed(response: Response) -> Handler {
    Arc::new(move |_| response.clone())
}

// ---------------------------------------------------------------- feeds

fn days_ago(n: i64) -> chrono::DateTime<Utc> {
    Utc::now() - TimeDelta::days(n)
}

/// A WordPress-shaped RSS 2.0 feed: tracking parameters, comments links, CDATA, categories,
/// content:encoded, an item without a link and one too old for the window.
fn rss2() -> String {
    let d = |n| days_ago(n).to_rfc2822();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>CNCF</title>
  <link>https://www.cncf.io/</link>
  <description>Cloud Native Computing Foundation</description>
  <atom:link href="https://www.cncf.io/feed/" rel="self" type="application/rss+xml"/>
  <item>
    <title>Kubernetes 1.35 is out</title>
    <link>https://www.cncf.io/blog/2025/k8s-135/?utm_source=rss&amp;utm_medium=rss</link>
    <comments>https://www.cncf.io/blog/2025/k8s-135/#respond</comments>
    <dc:creator><![CDATA[Jane Doe]]></dc:creator>
    <pubDate>{}</pubDate>
    <category><![CDATA[Blog]]></category>
    <category><![CDATA[Kubernetes Releases]]></category>
    <guid isPermaLink="false">https://www.cncf.io/?p=123</guid>
    <description><![CDATA[<p>The <strong>Kubernetes</strong> release <a href="/releases/135/">notes</a>.</p>]]></description>
    <content:encoded><![CDATA[<p>Full text that is not used when a description exists.</p>]]></content:encoded>
  </item>
  <item>
    <title>Only content encoded</title>
    <link>https://www.cncf.io/blog/2025/content-only/</link>
    <pubDate>{}</pubDate>
    <content:encoded><![CDATA[<h2>Heading</h2><p>Body from <em>content:encoded</em>.</p>]]></content:encoded>
  </item>
  <item>
    <title>No link here</title>
    <guid isPermaLink="false">urn:uuid:no-link-1</guid>
    <pubDate>{}</pubDate>
    <description>An item without a link.</description>
  </item>
  <item>
    <title>Too old</title>
    <link>https://www.cncf.io/blog/2024/old/</link>
    <pubDate>{}</pubDate>
  </item>
</channel>
</rss>"#,
        d(2),
        d(3),
        d(3),
        d(90)
    )
}

fn rss1() -> String {
    let date = days_ago(4).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.net/">
    <title>RDF News</title>
    <link>https://rdf.example.net/</link>
    <description>An RSS 1.0 feed</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.net/etcd-3-6"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.net/etcd-3-6">
    <title>etcd 3.6 released</title>
    <link>https://rdf.example.net/etcd-3-6</link>
    <description>The &lt;b&gt;etcd&lt;/b&gt; team shipped 3.6.</description>
    <dc:date>{date}</dc:date>
  </item>
</rdf:RDF>"#
    )
}

/// An Atom feed whose one entry is an hour old: inside the window of the next run too.
fn atom() -> String {
    let date = (Utc::now() - TimeDelta::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom Blog</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>{date}</updated>
  <link rel="self" href="https://atom.example.net/atom.xml"/>
  <entry>
    <title type="html">Cilium &lt;em&gt;1.18&lt;/em&gt; &amp;amp; more</title>
    <link rel="alternate" type="text/html" href="https://atom.example.net/posts/cilium-1-18/"/>
    <link rel="replies" href="https://atom.example.net/posts/cilium-1-18/comments"/>
    <id>tag:atom.example.net,2025:cilium</id>
    <published>{date}</published>
    <updated>{date}</updated>
    <category term="networking" label="Networking"/>
    <category term="ebpf"/>
    <summary type="html">&lt;p&gt;Cilium news with a &lt;a href="/rel/page"&gt;relative link&lt;/a&gt;.&lt;/p&gt;</summary>
  </entry>
</feed>"#
    )
}

fn json_feed() -> String {
    let date = days_ago(5).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    serde_json_like(&date)
}

/// JSON Feed 1.1, written by hand to keep serde_json out of the dev-dependencies.
fn serde_json_like(date: &str) -> String {
    format!(
        r#"{{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "JSON Feed Blog",
  "home_page_url": "https://json.example.net/",
  "feed_url": "https://json.example.net/feed.json",
  "items": [
    {{
      "id": "https://json.example.net/argo-3",
      "url": "https://json.example.net/argo-3",
      "title": "Argo CD 3.0",
      "content_html": "<p>Argo CD <code>3.0</code> is here.</p>",
      "date_published": "{date}",
      "tags": ["gitops", "argo"]
    }}
  ]
}}"#
    )
}

fn xml(body: String) -> Handler {
    fixed(Response::ok("application/rss+xml; charset=utf-8", body))
}

// ---------------------------------------------------------------- the site

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// A bilingual site with the default topics, the issue 2025-11 holding one entry with a
    /// `source`, and the given `[[sources]]` as (name, url, topic, extra TOML lines).
    fn new(sources: &[(&str, String, &str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let mut config = String::from(
            "base_url = \"https://digest.example.org\"\ndefault_language = \"zh\"\n\n\
             [languages.zh]\ntitle = \"云原生月报\"\n\n[languages.en]\ntitle = \"Cloud Native Monthly\"\n",
        );
        for (name, url, topic, extra) in sources {
            config.push_str(&format!(
                "\n[[sources]]\nname = \"{name}\"\nurl = \"{url}\"\ntopic = \"{topic}\"\n{extra}\n"
            ));
        }
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let site = Site { dir };
        site.write(
            "content/2025-11/_index.md",
            "+++\ntitle = \"云原生月报 2025 年 11 月\"\ndate = 2025-11-30\n+++\nIntro.\n",
        );
        site.write(
            "content/2025-11/news/existing.md",
            "+++\ntitle = \"已有条目\"\nsource = \"https://example.org/blog/existing/\"\n+++\nWritten by an editor.\n",
        );
        site
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, rel: impl AsRef<Path>) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }

    fn fetch(&self, args: &Args) -> Report {
        fetch(self.root(), args, &fast(), Progress::Quiet).unwrap()
    }

    fn build(&self) {
        let args = digest::build::Options { output: "public".into(), base_url: None, drafts: true, search: true };
        if let Err(e) = digest::build::build(self.root(), &args) {
            panic!("build failed:\n{e}");
        }
    }

    /// All `.md` files under content/, relative to the root.
    fn content_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walk(&self.root().join("content"))
            .into_iter()
            .map(|p| p.strip_prefix(self.root()).unwrap().to_path_buf())
            .collect();
        files.sort();
        files
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Short limits, so failing sources cost little time even on a loaded machine.
fn fast() -> HttpOptions {
    HttpOptions {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
        backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_millis(200),
        per_host: 4,
        host_delay: Duration::ZERO,
        ..HttpOptions::default()
    }
}

fn month(m: &str) -> Args {
    Args { month: Some(m.into()), ..Args::default() }
}

fn counts<'r>(report: &'r Report, name: &str) -> &'r Counts {
    match &report.sources.iter().find(|s| s.name == name).unwrap().status {
        Status::Read(c) => c,
        other => panic!("{name}: {other:?}"),
    }
}

fn status<'r>(report: &'r Report, name: &str) -> &'r Status {
    &report.sources.iter().find(|s| s.name == name).unwrap().status
}

fn error(report: &Report, name: &str) -> String {
    match status(report, name) {
        Status::Failed(e) => e.clone(),
        other => panic!("{name} should have failed: {other:?}"),
    }
}

/// The front matter and body of a draft.
fn parse_draft(text: &str) -> (EntryFront, String) {
    let path = Path::new("draft.md");
    let split = frontmatter::split(path, text).unwrap();
    let front: EntryFront = frontmatter::parse(path, text, &split).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (front, split.body.to_string())
}

fn draft_with_source<'a>(site: &Site, report: &'a Report, source: &str) -> (&'a PathBuf, EntryFront, String) {
    for path in report.new_drafts() {
        let (front, body) = parse_draft(&site.read(path));
        if front.source.as_ref().map(|s| s.get_ref().as_str()) == Some(source) {
            return (path, front, body);
        }
    }
    panic!("no draft has source {source}: {:?}", report.new_drafts().collect::<Vec<_>>());
}

fn date_of(front: &EntryFront) -> String {
    front.date.as_ref().unwrap().get_ref().to_string()
}

// ---------------------------------------------------------------- tests

#[test]
fn every_feed_format_becomes_drafts_that_build() {
    let server = Server::start(vec![
        ("/rss2.xml", xml(rss2())),
        ("/rss1.rdf", fixed(Response::ok("application/rdf+xml", rss1()))),
        ("/atom.xml", fixed(Response::ok("application/atom+xml", atom()))),
        ("/feed.json", fixed(Response::ok("application/feed+json", json_feed()))),
    ]);
    let site = Site::new(&[
        ("cncf", server.url("/rss2.xml"), "news", "tags = [\"cncf\"]\nlang = \"en\""),
        ("rdf", server.url("/rss1.rdf"), "releases", ""),
        ("atom", server.url("/atom.xml"), "discussions", "tags = [\"Networking\"]"),
        ("json", server.url("/feed.json"), "products", ""),
    ]);
    let report = site.fetch(&month("2025-11"));
    assert!(!report.created_issue);

    let cncf = counts(&report, "cncf");
    assert_eq!(cncf.new.len(), 2, "{cncf:?}");
    assert_eq!(cncf.no_link, ["No link here"]);
    assert_eq!(cncf.older, 1);
    assert_eq!(counts(&report, "rdf").new.len(), 1);
    assert_eq!(counts(&report, "atom").new.len(), 1);
    assert_eq!(counts(&report, "json").new.len(), 1);

    // RSS 2.0: canonical link, categories after the source's tags, description preferred.
    let (path, front, body) = draft_with_source(&site, &report, "https://www.cncf.io/blog/2025/k8s-135/");
    assert_eq!(path, Path::new("content/2025-11/news/kubernetes-1-35-is-out.md"), "lang = en still writes <slug>.md");
    assert_eq!(front.title, "Kubernetes 1.35 is out");
    assert_eq!(front.original_title.as_deref(), Some("Kubernetes 1.35 is out"));
    assert_eq!(front.tags, ["cncf", "Blog", "Kubernetes Releases"]);
    assert_eq!(front.via.as_deref(), Some("cncf"));
    assert!(front.draft);
    assert_eq!(date_of(&front), days_ago(2).date_naive().to_string());
    assert_eq!(
        body,
        format!("{EXCERPT_MARK}\n\nThe **Kubernetes** release [notes](https://www.cncf.io/releases/135/).\n")
    );
    let (_, _, body) = draft_with_source(&site, &report, "https://www.cncf.io/blog/2025/content-only/");
    assert!(body.contains("Body from *content:encoded*."), "{body}");
    assert!(!body.contains('<'), "{body}");

    // RSS 1.0
    let (path, front, body) = draft_with_source(&site, &report, "https://rdf.example.net/etcd-3-6");
    assert_eq!(path, Path::new("content/2025-11/releases/etcd-3-6-released.md"));
    assert_eq!(front.title, "etcd 3.6 released");
    assert!(body.contains("The **etcd** team shipped 3.6."), "{body}");

    // Atom: an HTML title becomes text; the alternate link is the source; relative links resolved.
    let (path, front, body) = draft_with_source(&site, &report, "https://atom.example.net/posts/cilium-1-18/");
    assert_eq!(path, Path::new("content/2025-11/discussions/cilium-1-18-more.md"));
    assert_eq!(front.title, "Cilium 1.18 & more");
    assert_eq!(front.tags, ["Networking", "ebpf"], "tags are unique by slug");
    assert!(body.contains("[relative link](https://atom.example.net/rel/page)"), "{body}");

    // JSON Feed
    let (_, front, body) = draft_with_source(&site, &report, "https://json.example.net/argo-3");
    assert_eq!(front.title, "Argo CD 3.0");
    assert_eq!(front.tags, ["gitops", "argo"]);
    assert!(body.contains("Argo CD `3.0` is here."), "{body}");

    // The ledger lists every new link, sorted, and each source's last fetch.
    let ledger = site.read("fetch-ledger.toml");
    let links: Vec<&str> = ledger.lines().filter(|l| l.starts_with("\"http")).collect();
    assert_eq!(links.len(), 5, "{ledger}");
    let mut sorted = links.clone();
    sorted.sort();
    assert_eq!(links, sorted);
    for name in ["atom", "cncf", "json", "rdf"] {
        assert!(ledger.contains(&format!("[sources.{name}]\nlast_fetch = ")), "{ledger}");
    }

    site.build();
    for page in [
        "public/2025-11/news/kubernetes-1-35-is-out/index.html",
        "public/2025-11/releases/etcd-3-6-released/index.html",
        "public/2025-11/discussions/cilium-1-18-more/index.html",
        "public/en/2025-11/products/argo-cd-3-0/index.html",
    ] {
        assert!(site.root().join(page).is_file(), "{page}");
    }
}

#[test]
fn requests_are_polite() {
    let server = Server::start(vec![("/feed.json", fixed(Response::ok("application/json", json_feed())))]);
    let site = Site::new(&[("json", server.url("/feed.json"), "news", "")]);
    site.fetch(&month("2025-11"));
    let request = server.last("/feed.json");
    assert_eq!(
        request.header("user-agent"),
        Some(format!("digest/{} (+https://digest.example.org)", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert!(request.header("accept").is_some_and(|a| a.contains("application/rss+xml")));
}

#[test]
fn second_run_writes_nothing_and_deleted_drafts_stay_deleted() {
    let server = Server::start(vec![("/rss2.xml", xml(rss2())), ("/atom.xml", xml(atom()))]);
    let site =
        Site::new(&[("cncf", server.url("/rss2.xml"), "news", ""), ("atom", server.url("/atom.xml"), "news", "")]);
    let first = site.fetch(&month("2025-11"));
    assert_eq!(first.new_drafts().count(), 3);
    let before = site.content_files();

    // The editor deletes the Atom draft; its item is still in the next run's window.
    let deleted = counts(&first, "atom").new[0].clone();
    std::fs::remove_file(site.root().join(&deleted)).unwrap();

    let second = site.fetch(&month("2025-11"));
    assert_eq!(second.new_drafts().count(), 0, "{}", second.table());
    assert_eq!(counts(&second, "atom").duplicates, 1, "the ledger remembers the deleted draft's link");
    assert_eq!(counts(&second, "cncf").older, 4, "older than the last fetch: not even looked at");
    assert!(!site.root().join(&deleted).exists(), "a deleted draft came back");

    // Even when the editor asks for everything again: only the item never fetched is new.
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1);
    let third = site.fetch(&Args { month: Some("2025-11".into()), since, source: None });
    assert_eq!(counts(&third, "atom").duplicates, 1);
    assert_eq!(counts(&third, "cncf").duplicates, 2);
    assert_eq!(counts(&third, "cncf").new, [PathBuf::from("content/2025-11/news/too-old.md")]);
    assert!(!site.root().join(&deleted).exists(), "a deleted draft came back");
    assert_eq!(site.content_files().len(), before.len(), "one deleted, one added");
}

#[test]
fn links_already_in_content_are_duplicates() {
    let date = days_ago(1).to_rfc2822();
    let item = |title: &str, link: &str| {
        format!("<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>")
    };
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://x.org/</link><description>d</description>{}{}{}{}</channel></rss>",
        item(
            "Existing, spelled differently",
            "HTTPS://Example.ORG/blog/existing?utm_source=rss&amp;utm_medium=feed&amp;fbclid=abc#comments"
        ),
        item("In an older issue, as a draft", "https://example.org/2025/05/old-draft/?ref=hn&amp;gclid=1"),
        item("In an English file only", "https://example.org/en-only"),
        item("Same article twice in the feed", "https://example.org/twice?mc_cid=1&amp;mc_eid=2"),
    ) + "";
    let feed = feed.replace(
        "</channel>",
        &format!("{}</channel>", item("Same article, other spelling", "https://example.org/twice/")),
    );
    let server = Server::start(vec![("/feed.xml", xml(feed))]);
    let site = Site::new(&[("blog", server.url("/feed.xml"), "news", "")]);
    site.write("content/2025-05/_index.md", "+++\ntitle = \"五月\"\ndate = 2025-05-31\n+++\n");
    site.write(
        "content/2025-05/releases/old.md",
        "+++\ntitle = \"旧\"\nsource = \"https://example.org/2025/05/old-draft\"\ndraft = true\n+++\n",
    );
    site.write(
        "content/2025-05/releases/only-en.en.md",
        "+++\ntitle = \"Only English\"\nsource = \"https://example.org/en-only\"\n+++\n",
    );

    let report = site.fetch(&month("2025-11"));
    let c = counts(&report, "blog");
    assert_eq!(c.new.len(), 1, "{}", report.table());
    assert_eq!(c.duplicates, 4);
    let (_, front, _) = draft_with_source(&site, &report, "https://example.org/twice");
    assert_eq!(front.title, "Same article twice in the feed");
}

#[test]
fn conditional_get_with_etag_and_last_modified() {
    let etag_feed = rss2();
    let etag: Handler = Arc::new(move |r: &Request| {
        if r.header("if-none-match") == Some("\"v1\"") {
            Response::status(304)
        } else {
            Response::ok("application/rss+xml", etag_feed.clone()).with("ETag", "\"v1\"")
        }
    });
    let lm = "Wed, 05 Nov 2025 07:28:00 GMT";
    let lm_feed = atom();
    let last_modified: Handler = Arc::new(move |r: &Request| {
        if r.header("if-modified-since") == Some(lm) {
            Response::status(304)
        } else {
            Response::ok("application/atom+xml", lm_feed.clone()).with("Last-Modified", lm)
        }
    });
    let server = Server::start(vec![("/etag.xml", etag), ("/lm.xml", last_modified)]);
    let site = Site::new(&[("etag", server.url("/etag.xml"), "news", ""), ("lm", server.url("/lm.xml"), "news", "")]);

    let first = site.fetch(&month("2025-11"));
    assert_eq!(counts(&first, "etag").new.len(), 2);
    assert_eq!(counts(&first, "lm").new.len(), 1);
    assert_eq!(server.last("/etag.xml").header("if-none-match"), None);
    let ledger = site.read("fetch-ledger.toml");
    assert!(ledger.contains(r#"etag = '"v1"'"#) || ledger.contains(r#"etag = "\"v1\"""#), "{ledger}");
    assert!(ledger.contains(&format!("last_modified = \"{lm}\"")), "{ledger}");

    let second = site.fetch(&month("2025-11"));
    assert_eq!(status(&second, "etag"), &Status::NotModified);
    assert_eq!(status(&second, "lm"), &Status::NotModified);
    assert_eq!(server.last("/etag.xml").header("if-none-match"), Some("\"v1\""));
    assert_eq!(server.last("/lm.xml").header("if-modified-since"), Some(lm));
    assert!(second.table().contains("not modified"));
    assert_eq!(server.hits("/etag.xml"), 2);

    // --since asks for the whole feed again.
    let third = site.fetch(&Args {
        month: Some("2025-11".into()),
        since: chrono::NaiveDate::from_ymd_opt(2000, 1, 1),
        source: Some("etag".into()),
    });
    assert!(matches!(status(&third, "etag"), Status::Read(_)));
    assert_eq!(third.sources.len(), 1, "--source fetches one source");
    assert_eq!(server.last("/etag.xml").header("if-none-match"), None);
    assert_eq!(server.hits("/lm.xml"), 2);
}

#[test]
fn redirects_are_followed_within_limits() {
    let mut routes: Vec<(&str, Handler)> = vec![
        ("/moved", fixed(Response::redirect("/moved-again").with("X", "1"))),
        ("/moved-again", fixed(Response::status(301).with("Location", "/feed/atom.xml"))),
        ("/feed/atom.xml", xml(atom())),
        ("/loop-a", fixed(Response::redirect("/loop-b"))),
        ("/loop-b", fixed(Response::redirect("/loop-a"))),
        ("/to-ftp", fixed(Response::redirect("ftp://127.0.0.1/feed"))),
    ];
    let chain: Vec<(String, String)> = (1..=7).map(|i| (format!("/hop{i}"), format!("/hop{}", i + 1))).collect();
    for (from, to) in &chain {
        routes.push((from.as_str(), fixed(Response::redirect(to))));
    }
    routes.push(("/hop8", xml(atom())));
    let server = Server::start(routes);
    let site = Site::new(&[
        ("moved", server.url("/moved"), "news", ""),
        ("loop", server.url("/loop-a"), "news", ""),
        ("chain", server.url("/hop1"), "news", ""),
        ("ftp", server.url("/to-ftp"), "news", ""),
    ]);
    let report = site.fetch(&month("2025-11"));
    assert_eq!(counts(&report, "moved").new.len(), 1);
    assert!(error(&report, "loop").contains("redirect loop"), "{}", report.table());
    assert!(error(&report, "chain").contains("more than 5 redirects"), "{}", report.table());
    assert!(error(&report, "ftp").contains("not http(s)"), "{}", report.table());
    assert_eq!(server.hits("/hop7"), 0, "no more than 5 redirects are followed");
}

#[test]
fn failing_sources_are_reported_while_the_others_succeed() {
    let big = vec![b' '; 11 * 1024 * 1024];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&big).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024, "the compressed body is small");
    let flaky_hits = Arc::new(Mutex::new(0));
    let flaky_count = flaky_hits.clone();
    let atom_feed = atom();
    let server = Server::start(vec![
        ("/good.json", fixed(Response::ok("application/json", json_feed()))),
        ("/500", fixed(Response::status(500))),
        ("/404", fixed(Response::status(404))),
        ("/slow", fixed(Response { delay: Duration::from_secs(30), ..Response::ok("text/xml", rss2()) })),
        ("/big", fixed(Response::ok("text/xml", big))),
        ("/bomb", fixed(Response::ok("text/xml", bomb).with("Content-Encoding", "gzip"))),
        ("/malformed", xml("<rss version=\"2.0\"><channel><title>broken</title><item><title>x</item></rss".into())),
        (
            "/429-then-ok",
            Arc::new(move |_: &Request| {
                let mut n = flaky_count.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    Response::status(429).with("Retry-After", "3600")
                } else {
                    Response::ok("application/atom+xml", atom_feed.clone())
                }
            }),
        ),
    ]);
    let site = Site::new(&[
        ("good", server.url("/good.json"), "news", ""),
        ("error500", server.url("/500"), "news", ""),
        ("missing", server.url("/404"), "news", ""),
        ("slow", server.url("/slow"), "news", ""),
        ("big", server.url("/big"), "news", ""),
        ("bomb", server.url("/bomb"), "news", ""),
        ("malformed", server.url("/malformed"), "news", ""),
        ("flaky", server.url("/429-then-ok"), "news", ""),
    ]);
    let opts = HttpOptions { timeout: Duration::from_secs(2), retries: 2, ..fast() };
    let started = std::time::Instant::now();
    let report = fetch(site.root(), &month("2025-11"), &opts, Progress::Quiet).unwrap();
    assert!(started.elapsed() < Duration::from_secs(25), "slow sources are bounded: {:?}", started.elapsed());

    assert_eq!(counts(&report, "good").new.len(), 1);
    assert_eq!(counts(&report, "flaky").new.len(), 1, "a 429 is retried; Retry-After is capped");
    assert_eq!(*flaky_hits.lock().unwrap(), 2);
    assert_eq!(error(&report, "error500"), "HTTP 500 Internal Server Error (3 attempts)");
    assert_eq!(server.hits("/500"), 3);
    assert_eq!(error(&report, "missing"), "HTTP 404 Not Found");
    assert_eq!(server.hits("/404"), 1, "a 404 is not retried");
    assert_eq!(error(&report, "slow"), "timed out after 2s (3 attempts)");
    assert_eq!(error(&report, "big"), "the response is larger than 10 MiB");
    assert_eq!(error(&report, "bomb"), "the response is larger than 10 MiB", "counted after decompression");
    assert!(error(&report, "malformed").starts_with("not a feed"), "{}", report.table());
    assert_eq!(report.failed().count(), 6);

    // Failed sources keep no fetch time, so the next run looks as far back again.
    let ledger = site.read("fetch-ledger.toml");
    assert!(ledger.contains("[sources.good]") && !ledger.contains("[sources.error500]"), "{ledger}");
    site.build();
}

#[test]
fn hostile_text_stays_text() {
    let date = days_ago(1).to_rfc2822();
    let rss = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.org/</link><description>d</description>
<item><title>&lt;script&gt;alert("t")&lt;/script&gt; "quotes" """ ]]&gt; +++ 'single'</title>
<link>https://evil.example/post-1</link><pubDate>{date}</pubDate>
<category>&lt;script&gt;tag&lt;/script&gt;</category>
<description><![CDATA[<p>Hello <script>alert("s")</script><img src=x onerror="alert('i')"> &lt;script&gt;alert("e")&lt;/script&gt; <a href="javascript:alert('j')">j</a> <iframe src="https://evil.example"></iframe>]]&gt;</p><!-- more --><div onclick="alert('d')">div</div>]]></description>
</item></channel></rss>"#
    );
    let json = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{{"id":"1","url":"https://evil.example/post-2","title":"Control\u0001 chars\u0007 and \u001b[31m","content_html":"<p>x\u0000y</p>","date_published":"{}"}}]}}"#,
        days_ago(1).to_rfc3339()
    );
    let server =
        Server::start(vec![("/rss.xml", xml(rss)), ("/feed.json", fixed(Response::ok("application/json", json)))]);
    let site =
        Site::new(&[("evil", server.url("/rss.xml"), "news", ""), ("ctl", server.url("/feed.json"), "news", "")]);
    let report = site.fetch(&month("2025-11"));
    assert_eq!(report.new_drafts().count(), 2, "{}", report.table());

    let title = r#"<script>alert("t")</script> "quotes" """ ]]> +++ 'single'"#;
    let (path, front, body) = draft_with_source(&site, &report, "https://evil.example/post-1");
    assert_eq!(front.title, title);
    assert_eq!(front.tags, ["<script>tag</script>"]);
    assert!(!body.contains("alert(\"s\")") && !body.contains("<img") && !body.contains("<div"), "{body}");
    assert!(!body.contains("javascript:") && !body.contains("onerror") && !body.contains("iframe"), "{body}");
    assert!(body.contains(r#"\<script>alert("e")\</script>"#), "escaped markup stays visible as text: {body}");
    let raw_html = pulldown_cmark::Parser::new(&body)
        .any(|e| matches!(e, pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)));
    assert!(!raw_html, "{body}");
    let entry_page = format!("public/2025-11/news/{}/index.html", path.file_stem().unwrap().to_string_lossy());

    let (_, front, _) = draft_with_source(&site, &report, "https://evil.example/post-2");
    assert_eq!(front.title, "Control chars and [31m");

    site.build();
    for file in walk(&site.root().join("public")) {
        let mut bytes = std::fs::read(&file).unwrap();
        let mut needles =
            vec!["<script>alert", "onerror=", "javascript:alert", "<iframe", "onclick=", "\u{1}", "\u{7}", "\u{1b}"];
        // The search index: its records are compressed text (JSON, the pages' text decoded: the
        // search page shows it as text), the rest is pagefind's own code.
        if file.components().any(|c| c.as_os_str() == "pagefind") {
            if file.extension().is_none_or(|e| e != "pf_fragment") {
                continue;
            }
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).unwrap();
            bytes = plain;
            needles.retain(|n| n.chars().all(char::is_control));
        }
        let text = String::from_utf8_lossy(&bytes);
        for needle in needles {
            assert!(!text.contains(needle), "{needle:?} in {}", file.display());
        }
    }
    let html = site.read(&entry_page);
    let doc = scraper::Html::parse_document(&html);
    let h1 = scraper::Selector::parse("h1").unwrap();
    let heading = doc.select(&h1).next().unwrap().text().next().unwrap();
    assert_eq!(heading.trim(), title, "the title is the heading's text (a draft badge follows)");
    let script = scraper::Selector::parse("script").unwrap();
    assert!(doc.select(&script).all(|s| !s.inner_html().contains("alert")));

    // The topic feed carries the title as text; parse it back.
    let feed = feed_rs::parser::parse(site.read("public/topics/news/rss.xml").as_bytes()).unwrap();
    let titles: Vec<String> = feed.entries.iter().filter_map(|e| e.title.as_ref().map(|t| t.content.clone())).collect();
    assert!(titles.iter().any(|t| t == title), "{titles:?}");
}

#[test]
fn include_and_exclude_filter_titles() {
    let server = Server::start(vec![("/rss2.xml", xml(rss2()))]);
    let site = Site::new(&[(
        "cncf",
        server.url("/rss2.xml"),
        "news",
        "include = [\"KUBERNETES\", \"content\"]\nexclude = [\"only\"]",
    )]);
    let report = site.fetch(&month("2025-11"));
    let c = counts(&report, "cncf");
    assert_eq!(c.new.len(), 1, "{}", report.table());
    assert_eq!(c.filtered, 3);
    assert!(report.table().contains("ok (3 filtered out)"), "{}", report.table());
}

#[test]
fn a_missing_issue_is_created_as_a_draft() {
    let server = Server::start(vec![("/feed.json", fixed(Response::ok("application/json", json_feed())))]);
    let site = Site::new(&[("json", server.url("/feed.json"), "news", "")]);
    let report = site.fetch(&month("2025-12"));
    assert!(report.created_issue);
    assert_eq!(report.new_drafts().next().unwrap(), Path::new("content/2025-12/news/argo-cd-3-0.md"));
    assert_eq!(
        site.read("content/2025-12/_index.md"),
        "+++\ntitle = \"云原生月报 2025 年 12 月\"\ndate = 2025-12-31\ndraft = true\n+++\n"
    );
    site.build();
    assert!(site.root().join("public/2025-12/news/argo-cd-3-0/index.html").is_file());

    // Without --month, the newest issue folder is used.
    let server2 = Server::start(vec![("/atom.xml", xml(atom()))]);
    let site2 = Site::new(&[("atom", server2.url("/atom.xml"), "news", "")]);
    site2.write("content/2026-01/_index.md", "+++\ntitle = \"一月\"\ndate = 2026-01-31\n+++\n");
    let report = site2.fetch(&Args::default());
    assert_eq!(report.month, "2026-01");
    assert!(!report.created_issue);
}

#[test]
fn setup_problems_are_diagnostics() {
    let site = Site::new(&[]);
    let e = fetch(site.root(), &Args::default(), &fast(), Progress::Quiet).unwrap_err();
    assert!(e.to_string().contains("no [[sources]]"), "{e}");
    let site = Site::new(&[("one", "http://127.0.0.1:9/x".into(), "news", "")]);
    let args = Args { source: Some("two".into()), ..Args::default() };
    let e = fetch(site.root(), &args, &fast(), Progress::Quiet).unwrap_err();
    assert_eq!(e.to_string(), "config.toml:1:1: error: there is no source named \"two\"\n  hint: sources are: one");
}

#[test]
fn exit_status_and_closing_table() {
    let server = Server::start(vec![("/ok.xml", xml(atom())), ("/500", fixed(Response::status(503)))]);
    let site = Site::new(&[("good", server.url("/ok.xml"), "news", ""), ("down", server.url("/500"), "news", "")]);
    let bin = env!("CARGO_BIN_EXE_digest");
    let out = std::process::Command::new(bin)
        .args(["--root", site.root().to_str().unwrap(), "fetch", "--month", "2025-11"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("good ") && l.ends_with("ok")), "{stdout}");
    assert!(stdout.contains("error: HTTP 503 Service Unavailable (3 attempts)"), "{stdout}");
    assert!(stdout.contains("1 new draft in content/2025-11/"), "{stdout}");
    // config.toml line of `name = "down"`
    let line = site.read("config.toml").lines().position(|l| l == "name = \"down\"").unwrap() + 1;
    assert!(
        stderr.contains(&format!("config.toml:{line}:1: error: source \"down\" could not be read: HTTP 503")),
        "{stderr}"
    );
    assert!(stderr.contains("[2/2]") || stderr.contains("[1/2]"), "plain progress lines off a terminal: {stderr}");
    assert!(site.root().join("content/2025-11/news/cilium-1-18-more.md").is_file());

    let out = std::process::Command::new(bin)
        .args(["--root", site.root().to_str().unwrap(), "fetch", "--source", "good"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 new drafts in content/2025-11/"));

    let out = std::process::Command::new(bin)
        .args(["--root", site.root().to_str().unwrap(), "fetch", "--month", "2025-13"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bad --month is a usage error");
}

#[test]
fn at_most_four_sources_are_fetched_at_once() {
    let in_flight = Arc::new(Mutex::new((0usize, 0usize))); // (now, most)
    let feed = json_feed();
    let mut routes: Vec<(&str, Handler)> = Vec::new();
    let paths: Vec<String> = (0..8).map(|i| format!("/feed{i}.json")).collect();
    for path in &paths {
        let (in_flight, feed) = (in_flight.clone(), feed.clone());
        routes.push((
            path.as_str(),
            Arc::new(move |_: &Request| {
                {
                    let mut n = in_flight.lock().unwrap();
                    n.0 += 1;
                    n.1 = n.1.max(n.0);
                }
                std::thread::sleep(Duration::from_millis(300));
                in_flight.lock().unwrap().0 -= 1;
                Response::ok("application/feed+json", feed.clone())
            }),
        ));
    }
    let server = Server::start(routes);
    let names: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
    let sources: Vec<(&str, String, &str, &str)> =
        names.iter().zip(&paths).map(|(n, p)| (n.as_str(), server.url(p), "news", "")).collect();
    let site = Site::new(&sources);
    let report = site.fetch(&month("2025-11"));
    assert_eq!(report.failed().count(), 0, "{}", report.table());
    assert_eq!(report.new_drafts().count(), 1, "the same item from eight sources is one draft");
    assert_eq!(counts(&report, "s7").duplicates, 1);
    let most = in_flight.lock().unwrap().1;
    assert!((1..=4).contains(&most), "{most} requests at once");
}

/// `fetch` (is this item new?) and `check` (do two entries share a source?) use one rule for
/// what one link is: every spelling here is the existing entry's source to both.
#[test]
fn fetch_and_check_agree_on_what_one_link_is() {
    let spellings = [
        "https://example.org/blog/existing",
        "HTTPS://Example.ORG/blog/existing/#comments",
        "http://example.org/blog/existing/",
        "https://example.org:443/blog/existing?utm_source=rss&fbclid=abc",
        "https://example.org/blog/existing/?ref=hn&si=x",
    ];
    let date = days_ago(1).to_rfc2822();
    let items: String = (spellings.iter().enumerate())
        .map(|(i, link)| {
            let link = link.replace('&', "&amp;");
            format!("<item><title>Spelling {i}</title><link>{link}</link><pubDate>{date}</pubDate></item>")
        })
        .collect();
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://x.org/</link><description>d</description>{items}</channel></rss>"
    );
    let server = Server::start(vec![("/feed.xml", xml(feed))]);
    let site = Site::new(&[("blog", server.url("/feed.xml"), "news", "")]);
    let report = site.fetch(&month("2025-11"));
    assert_eq!(report.new_drafts().count(), 0, "{}", report.table());
    assert_eq!(counts(&report, "blog").duplicates, spellings.len());

    for spelling in spellings {
        let toml_link = toml::Value::String(spelling.to_string());
        site.write(
            "content/2025-11/news/again.md",
            &format!("+++\ntitle = \"又一条\"\nsource = {toml_link}\n+++\nText.\n"),
        );
        let found = digest::check::check(site.root(), &digest::check::Options::default());
        let shared: Vec<String> = (found.diagnostics.iter())
            .filter(|d| d.message.contains("is also the source of"))
            .map(ToString::to_string)
            .collect();
        assert_eq!(shared.len(), 1, "{spelling}: {shared:#?}");
        assert!(
            shared[0].starts_with(
                "content/2025-11/news/existing.md:3:1: error: source `https://example.org/blog/existing/`"
            ),
            "{spelling}: {shared:#?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn drafts_are_written_only_inside_content_even_through_a_symbolic_link() {
    let server = Server::start(vec![("/rss2.xml", xml(rss2()))]);
    let site = Site::new(&[("cncf", server.url("/rss2.xml"), "releases", "")]);
    // The topic's folder leads out of content/, into the site's templates.
    let elsewhere = site.root().join("templates");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.root().join("content/2025-11/releases")).unwrap();

    let report = site.fetch(&month("2025-11"));
    let e = error(&report, "cncf");
    assert!(e.contains("content/2025-11/releases/"), "{e}");
    assert!(e.contains("would be written outside content/"), "{e}");
    assert_eq!(walk(&elsewhere), Vec::<PathBuf>::new(), "a draft was written through the link");
}
