//! Check stage: link hygiene in content files (tracking parameters, plain `http:`) and
//! `source` links shared by two entries.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use pulldown_cmark::{Event, Parser, Tag};
use url::Url;

use super::ContentFile;
use crate::error::Diagnostic;
use crate::site::Site;

/// Query parameters that only track readers: `utm_*` and these.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "twclid",
    "li_fat_id",
    "mc_cid",
    "mc_eid",
    "yclid",
    "_hsenc",
    "_hsmi",
    "igshid",
    "mkt_tok",
    "vero_id",
    "oly_enc_id",
    "oly_anon_id",
    "wickedid",
    "rb_clickid",
    "s_cid",
];

/// Whether a query parameter name tracks readers.
pub fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING.contains(&name.as_str())
}

/// Warnings for links with tracking parameters or plain `http:`, in front matter and Markdown.
pub fn check_links_in_file(file: &ContentFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (offset, url) in links_in(file) {
        let Ok(parsed) = Url::parse(&url) else { continue };
        let (line, column) = file.line_col(offset);
        let tracking: Vec<String> =
            parsed.query_pairs().map(|(k, _)| k.into_owned()).filter(|k| is_tracking(k)).collect();
        if !tracking.is_empty() {
            let names: Vec<String> = tracking.iter().map(|t| format!("`{t}`")).collect();
            out.push(
                Diagnostic::warning(
                    &file.path,
                    line,
                    column,
                    format!("tracking parameter {} in `{url}`", names.join(", ")),
                )
                .with_hint(format!("link without it: {}", without_tracking(&parsed))),
            );
        }
        if parsed.scheme() == "http" && !is_loopback(&parsed) {
            out.push(
                Diagnostic::warning(&file.path, line, column, format!("plain http link `{url}`"))
                    .with_hint("use https:// when the site offers it"),
            );
        }
    }
    out
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The URL with its tracking parameters removed.
pub fn without_tracking(url: &Url) -> String {
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| !is_tracking(k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut clean = url.clone();
    if kept.is_empty() {
        clean.set_query(None);
    } else {
        clean.query_pairs_mut().clear().extend_pairs(kept);
    }
    clean.to_string()
}

/// Every http(s) link of a file with its byte offset: URLs in front matter values (comments
/// skipped) and the destinations of Markdown links and images in the body.
fn links_in(file: &ContentFile) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    if let Some(front) = &file.front {
        let mut offset = front.start;
        for line in file.text[front.clone()].split_inclusive('\n') {
            let lower = line.to_ascii_lowercase();
            let mut from = 0;
            while let Some(i) = ["http://", "https://"].iter().filter_map(|p| lower[from..].find(p)).min() {
                let start = from + i;
                let len = line[start..].find(|c: char| c.is_whitespace() || "\"'<>)]`\\".contains(c));
                let end = start + len.unwrap_or(line.len() - start);
                if !in_comment(&line[..start]) {
                    out.push((offset + start, line[start..end].to_string()));
                }
                from = end.max(start + 1);
            }
            offset += line.len();
        }
    }
    let body = &file.text[file.body..];
    for (event, range) in Parser::new_ext(body, super::markdown_options()).into_offset_iter() {
        let dest = match event {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let lower = dest.to_ascii_lowercase();
        if !lower.starts_with("http://") && !lower.starts_with("https://") {
            continue;
        }
        let at = body[range.clone()].find(dest.as_ref()).map(|i| range.start + i);
        let at = at.or_else(|| body.find(dest.as_ref())).unwrap_or(range.start);
        out.push((file.body + at, dest.to_string()));
    }
    out
}

/// Whether a TOML line is inside a comment by the end of `prefix`.
fn in_comment(prefix: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in prefix.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '#' => return true,
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    false
}

/// The form of a link two entries share when they point at the same page: scheme and host
/// case, `http`/`https`, a trailing slash, the fragment and tracking parameters do not count.
pub fn canonical(url: &str) -> Option<String> {
    let u = Url::parse(url.trim()).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = u.path().trim_end_matches('/');
    let query: Vec<String> =
        u.query_pairs().filter(|(k, _)| !is_tracking(k)).map(|(k, v)| format!("{k}={v}")).collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    Some(format!("{host}{port}{path}{query}"))
}

/// An error for each entry whose `source` another entry used first (by issue, then path).
pub fn duplicate_sources(site: &Site, files: &BTreeMap<PathBuf, ContentFile>) -> Vec<Diagnostic> {
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (id, e) in site.entries.iter().enumerate() {
        if let Some(key) = e.source.as_deref().and_then(canonical) {
            groups.entry(key).or_default().push(id);
        }
    }
    let mut out = Vec::new();
    for ids in groups.values().filter(|ids| ids.len() > 1) {
        let mut ids = ids.clone();
        let main_path = |id: usize| &site.entries[id].texts[&site.entries[id].primary].path;
        ids.sort_by(|&a, &b| {
            let (ea, eb) = (&site.entries[a], &site.entries[b]);
            (site.issues[ea.issue].date, &site.issues[ea.issue].key, main_path(a)).cmp(&(
                site.issues[eb.issue].date,
                &site.issues[eb.issue].key,
                main_path(b),
            ))
        });
        let first = main_path(ids[0]);
        for &id in &ids[1..] {
            let path = main_path(id);
            let (line, column) = files.get(path).and_then(|f| f.key("source")).unwrap_or((1, 1));
            let source = site.entries[id].source.as_deref().unwrap_or_default();
            out.push(
                Diagnostic::error(
                    path,
                    line,
                    column,
                    format!("source `{source}` is also the source of {}", first.display()),
                )
                .with_hint("each news item belongs in one entry: merge the two, or link the follow-up's own page"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ignores_case_scheme_slash_fragment_and_tracking() {
        let a = canonical("HTTPS://Example.ORG/blog/post/#intro").unwrap();
        assert_eq!(a, canonical("http://example.org/blog/post?utm_source=x").unwrap());
        assert_ne!(a, canonical("https://example.org/blog/post?id=2").unwrap());
        assert_ne!(a, canonical("https://example.org/Blog/post").unwrap());
    }

    #[test]
    fn tracking_is_removed() {
        let u = Url::parse("https://x.org/a?utm_source=rss&id=3&fbclid=abc").unwrap();
        assert_eq!(without_tracking(&u), "https://x.org/a?id=3");
        let u = Url::parse("https://x.org/a?utm_medium=feed").unwrap();
        assert_eq!(without_tracking(&u), "https://x.org/a");
    }

    #[test]
    fn comments_are_recognised() {
        assert!(in_comment("# source = \""));
        assert!(in_comment("title = \"a\" # "));
        assert!(!in_comment("title = \"issue #3 "));
    }
}
