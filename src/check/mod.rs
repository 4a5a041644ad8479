//! Check stage: everything `build` rejects, plus links, sources, translations and typography.
//!
//! File-level checks (typography, link hygiene) read the content files as text, so they run even
//! when the site does not load; site-level checks (links in the rendered pages, duplicate sources,
//! translations, outside links) run on the loaded site, drafts included.

pub mod cache;
pub mod external;
pub mod fix;
pub mod html;
pub mod images;
pub mod links;
mod translations;
pub mod typography;
pub mod urls;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use rayon::prelude::*;

use crate::cache::Cache;
use crate::error::{Diagnostic, Diagnostics, Severity};
use crate::links::http::HttpOptions;
use crate::load::{LeftOut, LoadOptions, load_partial};
use crate::site::config::Config;
use crate::site::naming::language_of;
use crate::site::{IssueId, Site};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Fetch every outside link.
    pub external: bool,
    /// How outside links are asked for: the policy `fetch` uses, with more requests at once.
    pub http: HttpOptions,
    /// Check only this issue's content (`YYYY-MM`); its pages' links still resolve against the
    /// whole site.
    pub issue: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        let timeout = Duration::from_secs(20);
        let http = HttpOptions { timeout, connect_timeout: timeout, concurrency: 8, ..HttpOptions::default() };
        Options { external: false, http, issue: None }
    }
}

/// The findings of a check, and what was looked at.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub files: usize,
    pub pages: usize,
    pub links: usize,
    pub external: external::Stats,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Checks the site at `root` (one issue's content with [`Options::issue`]).
pub fn check(root: &Path, opts: &Options) -> Report {
    let mut report = Report::default();
    // Files that fail to load are reported and left out; everything else is still checked.
    let loaded = load_partial(root, &LoadOptions { drafts: true, base_url: None });
    let in_scope = |path: &Path| match &opts.issue {
        Some(key) => !path.starts_with("content") || path.starts_with(Path::new("content").join(key)),
        None => true,
    };
    let config = loaded.site.as_ref().map(|site| &site.config);
    let paths = config.map(|c| content_paths(root, c)).unwrap_or_default();
    let rules = config.map(typography::Rules::new).unwrap_or_default();
    let found: Vec<Vec<Diagnostic>> = paths
        .par_iter()
        .filter(|(path, _)| in_scope(path))
        .filter_map(|(path, lang)| read_file(root, path, lang))
        .map(|file| [typography::check(&file, &rules), urls::check_links_in_file(&file)].concat())
        .collect();
    // The files read: those that are not UTF-8 are left to the loader.
    report.files = found.len();
    let mut diags: Vec<Diagnostic> = found.into_iter().flatten().collect();
    let files = Files::new(root, paths);
    diags.extend(loaded.diagnostics.0);
    if let Some(site) = &loaded.site {
        diags.extend(site_checks(site, &files, opts, &loaded.left_out, &mut report));
    }
    diags.retain(|d| in_scope(&d.path));
    // A month with no issue, unless its folder's own errors say why.
    if let (Some(key), Some(site)) = (opts.issue.as_deref(), &loaded.site) {
        let folder = Path::new("content").join(key);
        if !site.issues.iter().any(|i| i.key == key) && !diags.iter().any(|d| d.path.starts_with(&folder)) {
            diags.push(
                Diagnostic::file(folder, format!("there is no issue {key}"))
                    .with_hint(format!("create it with `digest new issue {key}`, or check the whole site")),
            );
        }
    }
    let mut diags = Diagnostics(diags).sorted().0;
    diags.dedup();
    report.diagnostics = diags;
    report
}

/// The checks of the loaded site: dates, sources, translations, and the links of the rendered
/// pages (of one issue's pages, with [`Options::issue`]).
fn site_checks(
    site: &Site,
    files: &Files,
    opts: &Options,
    left_out: &[LeftOut],
    report: &mut Report,
) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = site.warnings.iter().map(|w| relocate_date_warning(w.clone(), files)).collect();
    diags.extend(urls::duplicate_sources(site, files));
    diags.extend(translations::check(site));
    diags.extend(images::check(site, files));
    let in_scope = |path: &Path| opts.issue.as_ref().is_none_or(|key| path.starts_with(Path::new("content").join(key)));
    if let Err(found) = crate::images::process_where(site, &Cache::open(&site.root), &in_scope) {
        diags.extend(found.0);
    }
    let rendered = match opts.issue.as_deref() {
        None => links::RenderedSite::render(site),
        Some(key) => match site.issues.iter().position(|i| i.key == key) {
            Some(i) => links::RenderedSite::render_issue(site, IssueId(i)),
            None => return diags,
        },
    };
    match rendered {
        Err(d) => diags.extend(d.0),
        Ok(rendered) => {
            let origins = links::Origins::build(site);
            let (internal, outside) = links::check_internal(site, &rendered, &origins, files, opts.external, left_out);
            diags.extend(links::other_language_links(site, &rendered, &origins, files));
            report.pages = rendered.pages.len();
            report.links = rendered.links;
            diags.extend(internal);
            if opts.external {
                let (found, stats) = external::check(&site.root, &outside, opts);
                diags.extend(found);
                report.external = stats;
            }
        }
    }
    diags
}

/// More findings than this of one kind in one issue are shown as one line.
const SUMMARY_AFTER: usize = 3;

/// Findings of one message by issue folder (`None`: outside the issue folders).
type ByFolder<'d> = BTreeMap<Option<PathBuf>, Vec<&'d Diagnostic>>;

/// The findings as lines to show: each on its own, but a message repeated in more than
/// [`SUMMARY_AFTER`] files of one issue folder becomes one line with the count, and a message
/// found in more than [`SUMMARY_AFTER`] issue folders one line for the whole site (a large
/// archive without translations, or with recurring items, would otherwise print tens of
/// thousands of lines). When a line stands for several findings, a last line says how to list
/// them.
pub fn summary(findings: &[&Diagnostic]) -> Vec<String> {
    let folder = |d: &Diagnostic| -> Option<PathBuf> {
        let mut parts = d.path.components();
        let content = parts.next()?;
        let issue = parts.next()?;
        let name = issue.as_os_str().to_str()?;
        (content.as_os_str() == "content" && crate::site::month::parse_issue_key(name).is_some())
            .then(|| Path::new("content").join(name))
    };
    let mut groups: BTreeMap<(Severity, &str), ByFolder> = BTreeMap::new();
    for d in findings {
        groups.entry((d.severity, d.message.as_str())).or_default().entry(folder(d)).or_default().push(d);
    }
    let severity = |s: Severity| if s == Severity::Error { "error" } else { "warning" };
    let mut lines: Vec<(&Diagnostic, String)> = Vec::new();
    for ((sev, message), folders) in groups {
        let issues = folders.keys().filter(|f| f.is_some()).count();
        if issues > SUMMARY_AFTER {
            let files: usize = folders.iter().filter(|(f, _)| f.is_some()).map(|(_, l)| l.len()).sum();
            let first = folders.values().flatten().next().copied();
            let line = format!("content/: {}: {message} ({files} files in {issues} issues)", severity(sev));
            lines.extend(first.map(|d| (d, line)));
            let outside = folders.into_iter().filter(|(f, _)| f.is_none()).flat_map(|(_, l)| l);
            lines.extend(outside.map(|d| (d, d.to_string())));
            continue;
        }
        for (folder, list) in folders {
            match folder {
                Some(folder) if list.len() > SUMMARY_AFTER => {
                    let line = format!("{}/: {}: {message} ({} files)", folder.display(), severity(sev), list.len());
                    lines.push((list[0], line));
                }
                _ => lines.extend(list.iter().map(|d| (*d, d.to_string()))),
            }
        }
    }
    // In the order of the findings, so the report still reads file by file.
    lines.sort_by(|a, b| (&a.0.path, a.0.line, a.0.column).cmp(&(&b.0.path, b.0.line, b.0.column)));
    let summarised = lines.len() < findings.len();
    let mut lines: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
    if summarised {
        lines.push(
            "hint: lines ending in a count stand for several findings; `digest check --verbose` lists each one".into(),
        );
    }
    lines
}

/// A content file's text, for locating findings and for the text-level checks.
#[derive(Debug)]
pub struct ContentFile {
    /// Relative to the site root.
    pub path: PathBuf,
    pub text: String,
    /// The language of the file, from its name.
    pub lang: String,
    /// Byte range of the front matter (between the `+++` lines), when it has one.
    pub front: Option<std::ops::Range<usize>>,
    /// Byte offset where the Markdown body starts.
    pub body: usize,
    /// Where each line starts, and the first offset of each link destination of the body, made
    /// on first use: a file of 30,000 broken links is then located in one pass, not 30,000.
    index: std::sync::OnceLock<(Vec<usize>, HashMap<String, usize>)>,
}

impl ContentFile {
    pub fn new(path: PathBuf, text: String, lang: String) -> ContentFile {
        let (front, body) = match crate::load::frontmatter::split(&path, &text) {
            Ok(s) => {
                let body = text.len() - s.body.len();
                (Some(s.front_offset..s.front_offset + s.front.len()), body)
            }
            Err(_) => (None, 0),
        };
        ContentFile { path, text, lang, front, body, index: std::sync::OnceLock::new() }
    }

    fn index(&self) -> &(Vec<usize>, HashMap<String, usize>) {
        self.index.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            let mut dests = HashMap::new();
            let body = &self.text[self.body..];
            let events = pulldown_cmark::Parser::new_ext(body, crate::load::markdown::parser_options());
            for (event, range) in events.into_offset_iter() {
                use pulldown_cmark::{Event, Tag};
                let (Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. })) = event
                else {
                    continue;
                };
                if let Some(i) = body[range.clone()].find(dest_url.as_ref()) {
                    dests.entry(dest_url.to_string()).or_insert(self.body + range.start + i);
                }
            }
            (starts, dests)
        })
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = &self.index().0;
        let offset = offset.min(self.text.len());
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let end = (start..=offset).rev().find(|&i| self.text.is_char_boundary(i)).unwrap_or(start);
        (line, self.text[start..end].chars().count() + 1)
    }

    /// The line and column of the first of `needles` found in the file, and that needle: a
    /// link destination of the body as written, else anywhere in the text.
    pub fn find<'n>(&self, needles: &[&'n str]) -> Option<((usize, usize), &'n str)> {
        let needles = || needles.iter().filter(|n| !n.is_empty());
        let written = needles().find_map(|n| self.index().1.get(*n).map(|&i| (i, *n)));
        let (at, n) = written.or_else(|| needles().find_map(|n| self.text.find(n).map(|i| (i, *n))))?;
        // A mention in the front matter comes first (the body's is its rendering, or a repeat).
        let front = self.front.clone().filter(|f| f.start < at);
        let earlier = front.and_then(|f| self.text[f.clone()].find(n).map(|i| f.start + i)).unwrap_or(at);
        Some((self.line_col(earlier), n))
    }

    /// The position of a top-level front matter key (`date = …`), at the key.
    pub fn key(&self, key: &str) -> Option<(usize, usize)> {
        let front = self.front.clone()?;
        let mut offset = front.start;
        for line in self.text[front].split_inclusive('\n') {
            let trimmed = line.trim_start();
            if trimmed.starts_with('[') {
                return None; // keys after a table header belong to the table
            }
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return Some(self.line_col(offset + line.len() - trimmed.len()));
                }
            }
            offset += line.len();
        }
        None
    }
}

/// Reads every Markdown file under `content/` (those that are not UTF-8 or too large are left to
/// the loader).
pub fn read_files(root: &Path, config: &Config) -> BTreeMap<PathBuf, ContentFile> {
    let paths = content_paths(root, config);
    paths.into_iter().filter_map(|(path, lang)| Some((path.clone(), read_file(root, &path, &lang)?))).collect()
}

/// The Markdown files under `content/` (relative to `root`, sorted) within the size limit (the
/// loader reports larger ones), each with its language.
fn content_paths(root: &Path, config: &Config) -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    let walk = walkdir::WalkDir::new(root.join("content")).sort_by_file_name().into_iter();
    for entry in walk.filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.')).filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().to_string();
        if !entry.file_type().is_file() || !name.ends_with(".md") {
            continue;
        }
        if entry.metadata().is_ok_and(|m| m.len() > crate::site::limits::MAX_SOURCE_BYTES) {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
        paths.push((rel, language_of(config, &name).to_string()));
    }
    // Walked in this order already; sorted here because `Files` searches it.
    paths.sort();
    paths
}

/// The content file at `path` (relative to `root`), if it is UTF-8 text.
fn read_file(root: &Path, path: &Path, lang: &str) -> Option<ContentFile> {
    let text = std::fs::read_to_string(root.join(path)).ok()?;
    Some(ContentFile::new(path.to_path_buf(), text, lang.to_string()))
}

/// The content files of a check, read again when a finding is placed in one: holding every
/// file's text for the whole check was a tenth of its memory on a large archive. A file read
/// is kept, with its index of lines and links, for the next finding in it.
pub struct Files {
    root: PathBuf,
    /// Every content file (sorted) with its language.
    paths: Vec<(PathBuf, String)>,
    read: RefCell<HashMap<PathBuf, Option<Rc<ContentFile>>>>,
}

impl Files {
    pub fn new(root: &Path, paths: Vec<(PathBuf, String)>) -> Files {
        Files { root: root.to_path_buf(), paths, read: RefCell::default() }
    }

    /// The content file at `path` (relative to the site root), if the check read it.
    pub fn get(&self, path: &Path) -> Option<Rc<ContentFile>> {
        if let Some(file) = self.read.borrow().get(path) {
            return file.clone();
        }
        let i = self.paths.binary_search_by(|(p, _)| p.as_path().cmp(path)).ok()?;
        let file = read_file(&self.root, path, &self.paths[i].1).map(Rc::new);
        self.read.borrow_mut().insert(path.to_path_buf(), file.clone());
        file
    }
}

/// Moves the loader's "date outside the issue's month" warning from 1:1 to the `date =` line.
fn relocate_date_warning(mut w: Diagnostic, files: &Files) -> Diagnostic {
    if w.message.starts_with("the entry's date") {
        if let Some((line, column)) = files.get(&w.path).and_then(|f| f.key("date")) {
            w.line = line;
            w.column = column;
        }
        if w.hint.is_none() {
            w.hint = Some("check the date, or move the entry to the issue of its month".into());
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_when_asked_for_and_only_if_listed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/2025-11/news")).unwrap();
        std::fs::write(root.join("content/2025-11/news/a.md"), "+++\ntitle = \"A\"\n+++\nBody\n").unwrap();
        std::fs::write(root.join("content/2025-11/news/b.md"), [0xff, 0xfe]).unwrap();
        let paths = vec![
            (PathBuf::from("content/2025-11/news/a.md"), "en".to_string()),
            (PathBuf::from("content/2025-11/news/b.md"), "en".to_string()),
        ];
        let files = Files::new(root, paths);
        let a = files.get(Path::new("content/2025-11/news/a.md")).expect("listed and UTF-8");
        assert_eq!(
            (a.text.as_str(), a.lang.as_str(), a.key("title")),
            ("+++\ntitle = \"A\"\n+++\nBody\n", "en", Some((2, 1)))
        );
        // Kept once read: edits on disk after the check read a file do not move its findings.
        std::fs::write(root.join("content/2025-11/news/a.md"), "changed").unwrap();
        assert!(Rc::ptr_eq(&a, &files.get(Path::new("content/2025-11/news/a.md")).unwrap()));
        assert!(files.get(Path::new("content/2025-11/news/b.md")).is_none(), "not UTF-8");
        assert!(files.get(Path::new("content/2025-11/news/c.md")).is_none(), "not listed");
    }
}
