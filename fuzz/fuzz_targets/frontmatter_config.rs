//! `config.toml` and `+++` front matter: parsing returns a value or errors that point inside
//! the input, never a panic; an accepted `base_url` is encoded once.

#![no_main]

use std::path::Path;

use digest::load::frontmatter::{self, EntryFront, IssueFront, IssueTranslationFront, TranslationFront};
use digest::site::config::Config;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use common::assert_inside;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    config(text);
    front_matter(text);
});

fn config(text: &str) {
    match Config::parse(Path::new("config.toml"), text) {
        Err(diags) => {
            assert!(!diags.0.is_empty(), "an error without a diagnostic");
            assert_inside(text, &diags.0);
        }
        Ok(c) => {
            assert!(!c.languages.is_empty());
            assert_eq!(c.base_url, format!("{}{}", c.origin, c.base_path));
            assert!(!c.base_path.ends_with('/'), "{:?}", c.base_path);
            assert!(c.topics.iter().all(|t| digest::site::slug::is_safe_segment(&t.key)));
            // Encoded once: the encoded address is accepted again and stays as it is.
            let mut again = c.clone();
            again.set_base_url(&c.base_url).unwrap_or_else(|e| panic!("{:?} is refused: {e}", c.base_url));
            assert_eq!((&again.base_url, &again.base_path), (&c.base_url, &c.base_path));
            // No segment of the path as written is `.` or `..`, in any spelling the URL parser
            // resolves (percent-encoded dots in any case, `\` for `/`, tabs and newlines removed).
            let written = base_url_written(text).unwrap_or_default();
            let seen: String = written.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
            let after_scheme = seen.split_once(':').map_or("", |(_, rest)| rest).trim_start_matches(['/', '\\']);
            for seg in after_scheme.split(['/', '\\']).skip(1) {
                let seg = seg.to_ascii_lowercase().replace("%2e", ".");
                assert!(seg != "." && seg != "..", "base_url {written:?} accepted with a dot segment");
            }
        }
    }
}

/// The `base_url` string as the config holds it.
fn base_url_written(text: &str) -> Option<String> {
    let value: toml::Table = toml::from_str(text).ok()?;
    value.get("base_url")?.as_str().map(str::to_string)
}

fn front_matter(text: &str) {
    let path = Path::new("content/2025-11/news/x.md");
    let split = match frontmatter::split(path, text) {
        Err(d) => return assert_inside(text, &[d]),
        Ok(s) => s,
    };
    assert_eq!(&text[split.front_offset..split.front_offset + split.front.len()], split.front);
    assert!(text.ends_with(split.body));
    assert!(common::inside(text, split.body_line, 1), "body line {}", split.body_line);
    let front_len = split.front.len();
    match frontmatter::parse::<EntryFront>(path, text, &split) {
        Err(d) => assert_inside(text, &[d]),
        Ok(f) => {
            if let Some(date) = &f.date {
                assert!(date.span().end <= front_len);
                if let Err(d) = frontmatter::date(path, text, &split, date) {
                    assert_inside(text, &[d]);
                }
            }
            if let Some(source) = &f.source {
                assert!(source.span().end <= front_len);
            }
            for link in &f.further_reading {
                assert!(link.url.span().end <= front_len);
            }
        }
    }
    match frontmatter::parse::<TranslationFront>(path, text, &split) {
        Err(d) => assert_inside(text, &[d]),
        Ok(f) => assert!(f.inherited_fields().iter().all(|(_, span)| span.end <= front_len)),
    }
    match frontmatter::parse::<IssueFront>(path, text, &split) {
        Err(d) => assert_inside(text, &[d]),
        Ok(f) => {
            if let Some(date) = &f.date {
                if let Err(d) = frontmatter::date(path, text, &split, date) {
                    assert_inside(text, &[d]);
                }
            }
        }
    }
    match frontmatter::parse::<IssueTranslationFront>(path, text, &split) {
        Err(d) => assert_inside(text, &[d]),
        Ok(f) => assert!(f.inherited_fields().iter().all(|(_, span)| span.end <= front_len)),
    }
}
