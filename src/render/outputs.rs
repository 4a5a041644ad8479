//! Render stage: every output path of the site with who writes it, checked once before a render
//! so that no two sources write one file (a silent winner, chosen by thread timing).
//!
//! Paths are compared as a case-insensitive file system would store them (lowercase, Unicode
//! NFC): a site built or served from one must not lose a file either.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use super::{Output, all_pages};
use crate::error::{Diagnostic, Diagnostics};
use crate::load::theme::Theme;
use crate::site::layout::{SEARCH_BUNDLE, in_search_bundle};
use crate::site::{LangId, Site};

/// Who writes an output, for the error: where (a file of the site, with line and column) and what.
#[derive(Debug, Clone)]
struct Writer {
    path: PathBuf,
    line: usize,
    column: usize,
    what: String,
    /// How particular the source is: 3 a content file, 2 a site file or a language of
    /// `config.toml`, 1 the default language's built-in pages.
    rank: u8,
}

impl Writer {
    fn file(path: &Path, what: impl Into<String>) -> Writer {
        let rank = if path.starts_with("content") { 3 } else { 2 };
        Writer { path: path.to_path_buf(), line: 1, column: 1, what: what.into(), rank }
    }

    fn place(&self) -> String {
        format!("{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// The longest file or folder name most file systems take (ext4, APFS, NTFS: 255 bytes).
pub const MAX_NAME_BYTES: usize = 255;

/// An error for each output that two sources write, and for any output but the search index's
/// in its folder ([`SEARCH_BUNDLE`], written by [`crate::search`] after the pages). Each
/// names both sources, once per pair.
pub fn check_outputs(site: &Site, theme: &Theme) -> Result<(), Diagnostics> {
    let mut seen: HashMap<String, Vec<(String, Writer)>> = HashMap::new();
    let mut pairs: HashSet<(String, String)> = HashSet::new();
    let mut diags = Diagnostics::new();
    let mut add = |output: String, writer: Writer, diags: &mut Diagnostics| {
        if in_search_bundle(&output) {
            diags.push(
                Diagnostic::error(&writer.path, writer.line, writer.column, format!("{} writes {output}", writer.what))
                    .with_hint(format!("{SEARCH_BUNDLE}/ holds the search index: rename the file or folder")),
            );
            return;
        }
        if let Some(long) = output.split('/').find(|segment| segment.len() > MAX_NAME_BYTES) {
            diags.push(
                Diagnostic::error(
                    &writer.path,
                    writer.line,
                    writer.column,
                    format!(
                        "{} writes a file or folder named with {} bytes, more than the {MAX_NAME_BYTES} file systems allow: {}…",
                        writer.what,
                        long.len(),
                        long.chars().take(40).collect::<String>()
                    ),
                )
                .with_hint("shorten the name (a tag, a topic key or a file name)"),
            );
            return;
        }
        let earlier = seen.entry(fold(&output)).or_default();
        // The writer of the very same path, else of the one that differs in case or form only.
        let other = earlier.iter().find(|(o, _)| *o == output).or(earlier.first());
        if let Some((other_output, other)) = other {
            if pairs.insert((other.place(), writer.place())) {
                diags.push(collision((other_output, other), (&output, &writer)));
            }
        }
        earlier.push((output, writer));
    };
    for page in all_pages(site) {
        match page {
            Output::Static => {
                for (output, path) in &theme.static_paths {
                    add(output.clone(), Writer::file(path, format!("the theme's file {}", path.display())), &mut diags);
                }
            }
            Output::Assets => {
                for a in &site.assets {
                    add(a.output.clone(), Writer::file(&a.path, format!("the file {}", a.path.display())), &mut diags);
                }
            }
            page => {
                let writer = writer_of(site, page);
                for output in page.outputs(site) {
                    add(output, writer.clone(), &mut diags);
                }
            }
        }
    }
    diags.into_result(())
}

/// A path as a case-insensitive, normalising file system would store it.
fn fold(path: &str) -> String {
    if path.is_ascii() { path.to_ascii_lowercase() } else { path.nfc().flat_map(char::to_lowercase).collect() }
}

fn collision(first: (&str, &Writer), second: (&str, &Writer)) -> Diagnostic {
    // Reported at the more particular source: a content file, then a language or a file of the
    // site, rather than the built-in pages.
    let (a, b) = if second.1.rank > first.1.rank { (second, first) } else { (first, second) };
    let outputs =
        if a.0 == b.0 { a.0.to_string() } else { format!("{} and {}, one file where case is ignored", a.0, b.0) };
    Diagnostic::error(
        &a.1.path,
        a.1.line,
        a.1.column,
        format!("{} and {} ({}) write the same output: {outputs}", a.1.what, b.1.what, b.1.place()),
    )
    .with_hint("rename one of them: one would silently replace the other")
}

/// Who writes a page: its content file, or the configuration of its language.
fn writer_of(site: &Site, page: Output) -> Writer {
    let c = &site.config;
    let language = |l: LangId| {
        let lang = &c.languages[l];
        let what = if l == LangId::DEFAULT { "the site's".to_string() } else { format!("language {:?}'s", lang.code) };
        (lang.at, what)
    };
    let config = |l: LangId, kind: &str| {
        let ((line, column), whose) = language(l);
        Writer {
            path: c.path.clone(),
            line,
            column,
            what: format!("{whose} {kind}"),
            rank: if l == LangId::DEFAULT { 1 } else { 2 },
        }
    };
    match page {
        Output::Entry(l, e) => {
            let entry = &site.entries[e];
            let (text, _) = entry.text(&c.languages[l].code);
            Writer::file(&text.path, format!("the page of {}", text.path.display()))
        }
        Output::Issue(l, i) | Output::IssueTopic(l, i, _) => {
            let (text, _) = site.issues[i].text(&c.languages[l].code);
            Writer::file(&text.path, format!("the page of {}", text.path.display()))
        }
        Output::Home(l) => config(l, "home page"),
        Output::Archive(l) => config(l, "archive page"),
        Output::Tags(l) => config(l, "tag index"),
        Output::NotFound(l) => config(l, "not-found page"),
        Output::Search(l) => config(l, "search page"),
        Output::Feeds(l) => config(l, "feeds"),
        Output::Topic(l, t) | Output::TopicPart(l, t, _) | Output::TopicFeed(l, t) => {
            config(l, &format!("topic {:?} pages", c.topics[t].key))
        }
        Output::Tag(_, t) | Output::TagPart(_, t, _) => {
            let tag = &site.tags[t];
            let entry = &site.entries[tag.entries[0]];
            let path = &entry.texts[&entry.primary].path;
            Writer::file(path, format!("the page of tag {:?} of {}", super::truncate(&tag.name, 40), path.display()))
        }
        Output::Sitemap => Writer { rank: 1, ..Writer::file(&c.path, "the sitemap") },
        Output::Robots | Output::Static | Output::Assets => Writer { rank: 1, ..Writer::file(&c.path, "robots.txt") },
    }
}
