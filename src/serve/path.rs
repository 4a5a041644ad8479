//! Serve stage: maps request targets onto the in-memory build, refusing anything that could escape it.
//!
//! Pure functions, so every rule here is unit-tested without a socket.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::site::layout::{Address, Served, served_file};

/// What a request target names in the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An output file, by its key in the build (`2025-11/index.html`).
    File(String),
    /// A folder asked for without its trailing slash: redirect to this path.
    Redirect(String),
    NotFound,
}

/// Characters kept as they are in a redirect's path segment; everything else is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Resolves a request target (`/x/?q`) against the build; `exists` says whether an output key exists.
///
/// `/` → `index.html`, `/x/` → `x/index.html`, `/x` → `x` or else a redirect to `/x/`.
/// Segments are percent-decoded one by one; a segment that decodes to `.`, `..`, or holds `/`, `\`
/// or NUL, an empty segment (`//`) or invalid UTF-8 is not found, so no spelling of a path can
/// climb out of the build or alias another file.
pub fn resolve(target: &str, exists: impl Fn(&str) -> bool) -> Target {
    let Some(segments) = segments(target) else {
        return Target::NotFound;
    };
    match served_file(&format!("/{}", segments.join("/")), exists) {
        Some(Served::File(key)) => Target::File(key),
        Some(Served::Folder(_)) => {
            let encoded: Vec<String> = segments.iter().map(|s| utf8_percent_encode(s, SEGMENT).to_string()).collect();
            Target::Redirect(format!("/{}/", encoded.join("/")))
        }
        None => Target::NotFound,
    }
}

/// The decoded segments of a target's path (the last one empty for a folder), or `None` when unsafe.
fn segments(target: &str) -> Option<Vec<String>> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let rest = path.strip_prefix('/')?;
    let raw: Vec<&str> = rest.split('/').collect();
    let mut out = Vec::with_capacity(raw.len());
    for (i, seg) in raw.iter().enumerate() {
        let decoded = percent_decode_str(seg).decode_utf8().ok()?;
        let is_last = i + 1 == raw.len();
        if (decoded.is_empty() && !is_last) || decoded == "." || decoded == ".." || decoded.contains(['/', '\\', '\0'])
        {
            return None;
        }
        out.push(decoded.into_owned());
    }
    Some(out)
}

/// The not-found page for a target: the language's own `en/404.html` when the path lies under a
/// language folder that has one, else the site's `404.html`.
pub fn not_found_page(target: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let first = target.trim_start_matches('/').split(['/', '?', '#']).next().unwrap_or_default();
    let is_plain = !first.is_empty() && first.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if is_plain {
        let key = format!("{first}/{}", Address::NotFound.file());
        if exists(&key) {
            return Some(key);
        }
    }
    let key = Address::NotFound.file();
    exists(&key).then_some(key)
}

/// The `Content-Type` of an output, by its extension (`mime_guess`), text in UTF-8.
pub fn content_type(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let essence = match ext.as_str() {
        // Feeds and the sitemap: `application/xml` lets browsers show them instead of downloading.
        "xml" => "application/xml".to_string(),
        // Shown as text, not offered as a download.
        "md" => "text/plain".to_string(),
        "mjs" => "text/javascript".to_string(),
        _ => mime_guess::from_ext(&ext).first_or_octet_stream().essence_str().to_string(),
    };
    match essence.starts_with("text/") || essence == "application/xml" {
        true => format!("{essence}; charset=utf-8"),
        false => essence,
    }
}

/// Whether a `Host` header names this server on loopback. Anything else (a DNS name pointing at
/// 127.0.0.1, another port, no header) is refused: that is what stops DNS-rebinding attacks.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}") || (port == 80 && host == *name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &[
        "index.html",
        "404.html",
        "en/index.html",
        "en/404.html",
        "2025-11/index.html",
        "labels/云原生/index.html",
        "style.css",
        "rss.xml",
        "a b.txt",
    ];

    fn r(target: &str) -> Target {
        resolve(target, |k| KEYS.contains(&k))
    }

    fn file(key: &str) -> Target {
        Target::File(key.to_string())
    }

    #[test]
    fn folders_serve_their_index() {
        assert_eq!(r("/"), file("index.html"));
        assert_eq!(r("/en/"), file("en/index.html"));
        assert_eq!(r("/2025-11/?utm=x"), file("2025-11/index.html"));
        assert_eq!(r("/labels/%E4%BA%91%E5%8E%9F%E7%94%9F/"), file("labels/云原生/index.html"));
    }

    #[test]
    fn files_are_served_by_name() {
        assert_eq!(r("/style.css"), file("style.css"));
        assert_eq!(r("/rss.xml#top"), file("rss.xml"));
        assert_eq!(r("/a%20b.txt"), file("a b.txt"));
        assert_eq!(r("/index.html"), file("index.html"));
    }

    #[test]
    fn folders_without_slash_redirect() {
        assert_eq!(r("/en"), Target::Redirect("/en/".into()));
        assert_eq!(r("/2025-11?x=1"), Target::Redirect("/2025-11/".into()));
        assert_eq!(r("/labels/云原生"), Target::Redirect("/labels/%E4%BA%91%E5%8E%9F%E7%94%9F/".into()));
    }

    #[test]
    fn missing_paths_are_not_found() {
        assert_eq!(r("/nope"), Target::NotFound);
        assert_eq!(r("/nope/"), Target::NotFound);
        assert_eq!(r("/style.css/"), Target::NotFound);
        assert_eq!(r(""), Target::NotFound);
        assert_eq!(r("index.html"), Target::NotFound);
        assert_eq!(r("http://127.0.0.1/index.html"), Target::NotFound);
    }

    #[test]
    fn traversal_in_any_spelling_is_not_found() {
        // Even if the key existed, none of these may reach it.
        let all = |_: &str| true;
        for target in [
            "/../config.toml",
            "/..",
            "/./index.html",
            "/%2e%2e/config.toml",
            "/%2E%2E/config.toml",
            "/.%2e/config.toml",
            "/..%2fconfig.toml",
            "/%2e%2e%2fconfig.toml",
            "/en/..%2F..%2Fconfig.toml",
            "/..%5cconfig.toml",
            "/..\\config.toml",
            "/a%00.html",
            "/%ff.html",
            "//etc/passwd",
            "/en//index.html",
        ] {
            assert_eq!(resolve(target, all), Target::NotFound, "{target}");
        }
    }

    #[test]
    fn encoded_slash_never_aliases_a_file() {
        assert_eq!(resolve("/en%2Findex.html", |k| k == "en/index.html"), Target::NotFound);
    }

    #[test]
    fn not_found_page_prefers_the_language() {
        let exists = |k: &str| KEYS.contains(&k);
        assert_eq!(not_found_page("/en/nope/", exists), Some("en/404.html".into()));
        assert_eq!(not_found_page("/nope/", exists), Some("404.html".into()));
        assert_eq!(not_found_page("/../x", exists), Some("404.html".into()));
        assert_eq!(not_found_page("/", |_| false), None);
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("en/rss.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("2025-11/logo.PNG"), "image/png");
        assert_eq!(content_type("a.jpeg"), "image/jpeg");
        assert_eq!(content_type("a.svg"), "image/svg+xml");
        assert_eq!(content_type("search.json"), "application/json");
        assert_eq!(content_type("fonts/x.woff2"), "font/woff2");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(content_type("v1.2/LICENSE"), "application/octet-stream");
    }

    #[test]
    fn only_loopback_hosts_on_our_port() {
        assert!(host_allowed(Some("127.0.0.1:1111"), 1111));
        assert!(host_allowed(Some("localhost:1111"), 1111));
        assert!(host_allowed(Some("LocalHost:1111"), 1111));
        assert!(host_allowed(Some("[::1]:1111"), 1111));
        assert!(host_allowed(Some("localhost"), 80));
        assert!(!host_allowed(Some("localhost"), 1111));
        assert!(!host_allowed(Some("127.0.0.1:2222"), 1111));
        assert!(!host_allowed(Some("evil.example:1111"), 1111));
        assert!(!host_allowed(Some("localhost.evil.example:1111"), 1111));
        assert!(!host_allowed(Some("127.0.0.1:1111@evil"), 1111));
        assert!(!host_allowed(Some(""), 1111));
        assert!(!host_allowed(None, 1111));
    }
}
