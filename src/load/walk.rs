//! Load stage: the walk of `content/`, listing issue folders, topic folders and their files,
//! and reporting misplaced ones.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::site::Asset;
use crate::site::TopicId;
use crate::site::config::{Config, topic_hint, unknown_topic_hint};
use crate::site::limits::MAX_ENTRIES_PER_ISSUE;
use crate::site::month::parse_issue_key;
use crate::site::naming::{INDEX, split_file_name};

/// A content file found by the walk.
#[derive(Debug)]
pub(crate) struct FoundFile {
    pub(crate) path: PathBuf,
    pub(crate) issue: String,
    /// `None` for the issue's `_index` files.
    pub(crate) topic: Option<TopicId>,
    pub(crate) slug: String,
    pub(crate) lang: String,
}

/// What the walk found: Markdown files to parse, and files to publish as they are.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) entries: Vec<FoundFile>,
    pub(crate) assets: Vec<Asset>,
}

impl Found {
    fn append(&mut self, other: Found) {
        self.entries.extend(other.entries);
        self.assets.extend(other.assets);
    }
}

/// Lists every issue folder's files, issue by issue on every core: a large archive has ten
/// thousand files to look at.
pub(crate) fn walk(root: &Path, config: &Config, diags: &mut Diagnostics) -> Found {
    let mut found = Found::default();
    if let Some(d) = refused(&root.join("content"), Path::new("content")) {
        diags.push(d);
        return found;
    }
    let Ok(issues) = sorted_dir(&root.join("content")) else {
        diags.push(
            Diagnostic::file("content", "the site has no content/ folder")
                .with_hint("create one issue with `digest new issue YYYY-MM`"),
        );
        return found;
    };
    let parts: Vec<(Found, Diagnostics)> = issues
        .par_iter()
        .map(|issue_dir| {
            let mut walker = IssueWalk { root, config, found: Found::default(), diags: Diagnostics::new() };
            walker.issue(issue_dir);
            (walker.found, walker.diags)
        })
        .collect();
    for (part, d) in parts {
        found.append(part);
        diags.extend(d);
    }
    found
}

/// Editor backups and lock files (`x.md~`, `#x.md#`), never published; hidden files are
/// skipped with them.
fn is_backup(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#') || name.ends_with(".bak")
}

/// The walk of one issue folder.
struct IssueWalk<'a> {
    root: &'a Path,
    config: &'a Config,
    found: Found,
    diags: Diagnostics,
}

impl IssueWalk<'_> {
    fn issue(&mut self, issue_dir: &Path) {
        let name = file_name(issue_dir);
        let rel = Path::new("content").join(&name);
        if name.starts_with('.') || self.refuse_link(issue_dir, &rel) {
            return;
        }
        if !issue_dir.is_dir() {
            self.diags.push(
                Diagnostic::file(&rel, "unexpected file in content/")
                    .with_hint("content/ holds one folder per issue, named YYYY-MM"),
            );
            return;
        }
        if parse_issue_key(&name).is_none() {
            self.diags.push(
                Diagnostic::file(&rel, format!("issue folder {name:?} is not named YYYY-MM"))
                    .with_hint("name issue folders by year and month, e.g. content/2025-11"),
            );
            return;
        }
        let before = self.found.entries.len();
        self.issue_items(&name, issue_dir, &rel);
        let slugs: std::collections::HashSet<(TopicId, &str)> =
            self.found.entries[before..].iter().filter_map(|f| Some((f.topic?, f.slug.as_str()))).collect();
        if slugs.len() > MAX_ENTRIES_PER_ISSUE {
            let n = slugs.len();
            self.diags.push(
                Diagnostic::file(
                    &rel,
                    format!("the issue holds {n} entries, more than the limit of {MAX_ENTRIES_PER_ISSUE}"),
                )
                .with_hint("an issue is one month of news: split it, or move entries to other issues"),
            );
            self.found.entries.truncate(before);
        }
    }

    /// The files and topic folders of one issue folder.
    fn issue_items(&mut self, name: &str, issue_dir: &Path, rel: &Path) {
        for item in sorted_dir(issue_dir).unwrap_or_default() {
            let item_name = file_name(&item);
            if is_backup(&item_name) || self.refuse_link(&item, &rel.join(&item_name)) {
                continue;
            }
            if item.is_dir() {
                self.topic_folder(name, &item, &item_name);
            } else if item_name.ends_with(".md") {
                self.index_file(name, rel, &item_name);
            } else {
                let item_rel = rel.join(&item_name);
                self.found.assets.push(Asset { output: crate::site::layout::asset_file(&item_rel), path: item_rel });
            }
        }
    }

    /// A Markdown file directly in the issue folder: one of its `_index` files.
    fn index_file(&mut self, issue: &str, rel: &Path, item_name: &str) {
        let item_rel = rel.join(item_name);
        let Some((slug, lang)) = self.split_name(item_name, &item_rel) else { return };
        if slug != INDEX {
            let config = self.config;
            self.diags.push(Diagnostic::file(&item_rel, "entries belong in a topic folder").with_hint(format!(
                "move it to {}/<topic>/; {}",
                rel.display(),
                topic_hint(&config.topics)
            )));
            return;
        }
        self.found.entries.push(FoundFile { path: item_rel, issue: issue.to_string(), topic: None, slug, lang });
    }

    /// A topic folder: its entries, and everything else in it as assets.
    fn topic_folder(&mut self, issue: &str, dir: &Path, name: &str) {
        let Some(topic) = self.config.topic_index(name) else {
            let rel = Path::new("content").join(issue).join(name);
            let hint = unknown_topic_hint(&self.config.topics, name);
            self.diags.push(Diagnostic::file(rel, format!("unknown topic folder {name:?}")).with_hint(hint));
            return;
        };
        for file in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name().into_iter().flatten() {
            let file_rel = file.path().strip_prefix(self.root).unwrap_or(file.path()).to_path_buf();
            let fname = file.file_name().to_string_lossy().to_string();
            if is_backup(&fname) || file.file_type().is_dir() || self.refuse_link(file.path(), &file_rel) {
                continue;
            }
            if file.depth() > 1 || !fname.ends_with(".md") {
                self.found.assets.push(Asset { output: crate::site::layout::asset_file(&file_rel), path: file_rel });
                continue;
            }
            if let Some((slug, lang)) = self.split_name(&fname, &file_rel) {
                let issue = issue.to_string();
                self.found.entries.push(FoundFile { path: file_rel, issue, topic: Some(topic), slug, lang });
            }
        }
    }

    /// Reports a symbolic link, or anything but a file or folder (see [`refused`]).
    fn refuse_link(&mut self, path: &Path, rel: &Path) -> bool {
        match refused(path, rel) {
            Some(d) => {
                self.diags.push(d);
                true
            }
            None => false,
        }
    }

    /// The slug and language of a content file's name, reporting an unknown language or a slug
    /// that cannot be a URL segment.
    fn split_name(&mut self, fname: &str, rel: &Path) -> Option<(String, String)> {
        let config = self.config;
        let (slug, lang) = split_file_name(config, fname)?;
        if config.language(lang).is_none() {
            let langs: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
            self.diags.push(Diagnostic::file(rel, format!("unknown language {lang:?} in the file name")).with_hint(
                format!("name translations <slug>.<lang>.md with a language of config.toml: {}", langs.join(", ")),
            ));
            return None;
        }
        if slug != INDEX && !crate::site::slug::is_safe_segment(slug) {
            self.diags.push(
                Diagnostic::file(rel, format!("{slug:?} cannot be used in a URL"))
                    .with_hint("name entries with letters, digits and hyphens, e.g. gateway-api-1-4.md"),
            );
            return None;
        }
        Some((slug.to_string(), lang.to_string()))
    }
}

/// The one rule about what a site folder may hold, for every stage that reads one (`content/`,
/// `templates/`, `static/`, `themes/`): files and folders. A symbolic link is refused with an
/// error naming it and its target (the target may lie outside the site, or be published twice),
/// and so is anything else that is not a file or a folder (a FIFO would block the build).
/// `rel` is the path shown.
pub(crate) fn refused(path: &Path, rel: &Path) -> Option<Diagnostic> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let kind = meta.file_type();
    if kind.is_symlink() {
        let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        let folder = rel.components().next().map_or_else(String::new, |c| c.as_os_str().to_string_lossy().into_owned());
        return Some(
            Diagnostic::file(rel, format!("symbolic link to {target:?}: digest does not follow links in {folder}/"))
                .with_hint("copy or move the file or folder into place instead"),
        );
    }
    (!kind.is_file() && !kind.is_dir()).then(|| {
        Diagnostic::file(rel, "neither a file nor a folder").with_hint("remove it: a site holds files and folders only")
    })
}

/// The files below `dir` (a theme's `templates/` or `static/`), as (path below `dir` with `/`,
/// full path), sorted, hidden files skipped; links and special files are refused by [`refused`],
/// with paths shown relative to `root`.
pub(crate) fn files_under(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    if let Some(d) = refused(dir, &shown(dir)) {
        diags.push(d);
        return Vec::new();
    }
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let walk = walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name().into_iter();
    for e in walk.filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.')) {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().unwrap_or(dir).to_path_buf();
                diags.push(Diagnostic::file(shown(&path), format!("cannot access: {err}")));
                continue;
            }
        };
        if let Some(d) = refused(e.path(), &shown(e.path())) {
            diags.push(d);
            continue;
        }
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push((rel, e.path().to_path_buf()));
        }
    }
    out
}

fn sorted_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
}
