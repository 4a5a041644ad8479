//! Check stage: link hygiene in content files (tracking parameters, plain `http:`) and
//! `source` links shared by two entries.

use std::collections::HashMap;

use pulldown_cmark::{Event, Parser, Tag};
use url::Url;

use super::{ContentFile, Files};
use crate::error::Diagnostic;
use crate::links::canonical;
use crate::site::EntryId;
use crate::site::Site;

/// Warnings for links with tracking parameters or plain `http:`, in front matter and Markdown.
pub fn check_links_in_file(file: &ContentFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (offset, url) in links_in(file) {
        let Ok(parsed) = Url::parse(&url) else { continue };
        let (line, column) = file.line_col(offset);
        let tracking: Vec<String> =
            parsed.query_pairs().map(|(k, _)| k.into_owned()).filter(|k| canonical::is_tracking(k)).collect();
        if !tracking.is_empty() {
            let names: Vec<String> = tracking.iter().map(|t| format!("`{t}`")).collect();
            out.push(
                Diagnostic::warning(
                    &file.path,
                    line,
                    column,
                    format!("tracking parameter {} in `{url}`", names.join(", ")),
                )
                .with_hint(format!("link without it: {}", canonical::without_tracking(&parsed))),
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
    for (event, range) in Parser::new_ext(body, crate::load::markdown::parser_options()).into_offset_iter() {
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

/// The message of a source repeated from an earlier issue: one text, so that an archive of
/// recurring items is summarised per issue like other repeated warnings.
pub const RECURRING_SOURCE: &str = "recurring source: an entry of an earlier issue has the same source";

/// Sources shared by entries. Within one issue an error at the entry that comes later in
/// reading order, naming the other: a news item belongs in one entry. Across issues a warning
/// at the newer entry, naming the latest earlier one: a recurring event or a follow-up is
/// normal, but worth a look.
pub fn duplicate_sources(site: &Site, files: &Files) -> Vec<Diagnostic> {
    // Reading order is newest issue first; an entry's rank orders it within its issue.
    let mut rank: Vec<usize> = vec![0; site.entries.len()];
    for (n, id) in crate::site::reading_order(&site.issues).enumerate() {
        rank[id.0] = n;
    }
    let mut groups: HashMap<String, Vec<EntryId>> = HashMap::new();
    for (id, e) in site.entries.iter_enumerated() {
        if let Some(key) = e.source.as_deref().and_then(canonical::key) {
            groups.entry(key).or_default().push(id);
        }
    }
    let main_path = |id: EntryId| &site.entries[id].texts[&site.entries[id].primary].path;
    let mut out = Vec::new();
    for ids in groups.values_mut().filter(|ids| ids.len() > 1) {
        // Oldest issue first; within an issue, in reading order.
        let issue = |id: EntryId| &site.issues[site.entries[id].issue];
        ids.sort_by(|&a, &b| (issue(a).date, &issue(a).key, rank[a.0]).cmp(&(issue(b).date, &issue(b).key, rank[b.0])));
        let mut first_of_issue = ids[0];
        for pair in ids.windows(2) {
            let (before, id) = (pair[0], pair[1]);
            let path = main_path(id);
            let (line, column) = files.get(path).and_then(|f| f.key("source")).unwrap_or((1, 1));
            let source = site.entries[id].source.as_deref().unwrap_or_default();
            if site.entries[id].issue == site.entries[before].issue {
                let first = main_path(first_of_issue);
                out.push(
                    Diagnostic::error(
                        path,
                        line,
                        column,
                        format!("source `{source}` is also the source of {}", first.display()),
                    )
                    .with_hint(
                        "each news item belongs in one entry of an issue: merge the two, or link the other entry",
                    ),
                );
            } else {
                first_of_issue = id;
                out.push(Diagnostic::warning(path, line, column, RECURRING_SOURCE).with_hint(format!(
                    "{} has `{source}` too: fine for a recurring event or a follow-up; otherwise link that entry",
                    main_path(before).display()
                )));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_recognised() {
        assert!(in_comment("# source = \""));
        assert!(in_comment("title = \"a\" # "));
        assert!(!in_comment("title = \"issue #3 "));
    }
}
