//! `digest new`: scaffold an issue or an entry, never overwriting a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{Config, topic_hint};
use crate::error::{Diagnostic, Diagnostics};
use crate::frontmatter::{self, EntryFront, IssueFront};
use crate::load::parse_issue_key;
use crate::scaffold::{self, MainContext};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Create content/YYYY-MM/ with the issue's _index file in every language (a draft)
    Issue {
        /// The issue's month, YYYY-MM
        month: String,
    },
    /// Create content/YYYY-MM/TOPIC/SLUG.md, or with --lang its translation SLUG.<lang>.md
    Entry {
        /// The issue's month, YYYY-MM (the issue must exist)
        month: String,
        /// A topic key of config.toml, e.g. releases
        topic: String,
        /// The file name and URL segment: letters, digits and hyphens, e.g. gateway-api-1-4
        slug: String,
        /// Create the translation into this (non-default) language
        #[arg(long)]
        lang: Option<String>,
    },
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let created = match &args.what {
        What::Issue { month } => new_issue(root, month)?,
        What::Entry { month, topic, slug, lang } => vec![new_entry(root, month, topic, slug, lang.as_deref())?],
    };
    for path in created {
        println!("Created {}", path.display());
    }
    Ok(())
}

/// Creates an issue's `_index.md` and `_index.<lang>.md` files; returns their paths relative to `root`.
pub fn new_issue(root: &Path, month: &str) -> Result<Vec<PathBuf>, Diagnostics> {
    let config = Config::load(root).map_err(|d| relative(d, root))?;
    let (y, m) = check_month(month)?;
    let dir = Path::new("content").join(month);
    let date = last_day_of_month(y, m);
    let next_number = next_issue_number(root, month);
    let mut files = Vec::new();
    for lang in &config.languages {
        let (name, text) = if lang.code == config.default_language() {
            ("_index.md".to_string(), scaffold::issue_main(&config, month, &lang.code, date, next_number))
        } else {
            (format!("_index.{}.md", lang.code), scaffold::issue_translation(&config, month, &lang.code))
        };
        files.push((dir.join(name), text));
    }
    // Refuse before writing anything, so a refused command leaves no half-made issue behind.
    if let Some((path, _)) = files.iter().find(|(p, _)| root.join(p).exists()) {
        return Err(exists(path, "the issue").into());
    }
    for (path, text) in &files {
        write_new(root, path, text)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Creates an entry's main file, or with `lang` its translation; returns its path relative to `root`.
pub fn new_entry(
    root: &Path,
    month: &str,
    topic: &str,
    slug: &str,
    lang: Option<&str>,
) -> Result<PathBuf, Diagnostics> {
    let config = Config::load(root).map_err(|d| relative(d, root))?;
    check_month(month)?;
    let issue_dir = Path::new("content").join(month);
    if config.topic_index(topic).is_none() {
        let close = config
            .topics
            .iter()
            .map(|t| (strsim::jaro_winkler(topic, &t.key), &t.key))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score > 0.8);
        let hint = match close {
            Some((_, key)) => format!("did you mean `{key}`? {}", topic_hint(&config.topics)),
            None => topic_hint(&config.topics),
        };
        return Err(Diagnostic::file(issue_dir.join(topic), format!("unknown topic {topic:?}")).with_hint(hint).into());
    }
    let topic_dir = issue_dir.join(topic);
    if slug == "_index" || !crate::slug::is_safe_segment(slug) {
        return Err(Diagnostic::file(topic_dir.join(slug), format!("{slug:?} cannot be used as an entry's name"))
            .with_hint("name entries with letters, digits and hyphens, e.g. gateway-api-1-4")
            .into());
    }
    let has_issue = config.languages.iter().any(|l| root.join(issue_dir.join(index_name(&config, &l.code))).is_file());
    if !has_issue {
        return Err(Diagnostic::file(&issue_dir, format!("the issue {month} does not exist"))
            .with_hint(format!("create it first with `digest new issue {month}`"))
            .into());
    }
    let default = config.default_language().to_string();
    let main_path = topic_dir.join(format!("{slug}.md"));
    let (path, text) = match lang {
        None => (main_path, scaffold::entry_main(month, slug, &default)),
        Some(l) if l == default => (main_path, scaffold::entry_main(month, slug, &default)),
        Some(l) => {
            if config.language(l).is_none() {
                let langs: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                return Err(Diagnostic::file("config.toml", format!("unknown language {l:?}"))
                    .with_hint(format!("the site's languages are: {}", langs.join(", ")))
                    .into());
            }
            let path = topic_dir.join(format!("{slug}.{l}.md"));
            if root.join(&path).exists() {
                return Err(exists(&path, "the translation").into());
            }
            let context = main_context(root, &main_path).map_err(|d| {
                if root.join(&main_path).exists() {
                    d
                } else {
                    Diagnostic::file(&main_path, "the entry to translate does not exist")
                        .with_hint(format!("create it first with `digest new entry {month} {topic} {slug}`"))
                }
            })?;
            (path, scaffold::entry_translation(&context, l))
        }
    };
    if root.join(&path).exists() {
        return Err(exists(&path, "the entry").into());
    }
    write_new(root, &path, &text)?;
    Ok(path)
}

fn index_name(config: &Config, lang: &str) -> String {
    if lang == config.default_language() { "_index.md".into() } else { format!("_index.{lang}.md") }
}

fn check_month(month: &str) -> Result<(i32, u32), Diagnostic> {
    parse_issue_key(month).ok_or_else(|| {
        Diagnostic::file(Path::new("content").join(month), format!("{month:?} is not a month written YYYY-MM"))
            .with_hint("write the year and the month with two digits, e.g. 2025-12")
    })
}

fn exists(path: &Path, what: &str) -> Diagnostic {
    Diagnostic::file(path, format!("{what} already exists; digest never overwrites a file"))
        .with_hint("edit the file, or remove it first to start over")
}

fn relative(d: Diagnostics, root: &Path) -> Diagnostics {
    Diagnostics(d.0.into_iter().map(|d| d.relative_to(root)).collect())
}

/// Writes a file that must not exist yet (checked again at creation, so a race cannot overwrite).
pub fn write_new(root: &Path, rel: &Path, text: &str) -> Result<(), Diagnostic> {
    let full = root.join(rel);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(rel.parent().unwrap_or(rel), &e))?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&full).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists { exists(rel, "the file") } else { Diagnostic::io(rel, &e) }
    })?;
    file.write_all(text.as_bytes()).map_err(|e| Diagnostic::io(rel, &e))
}

/// The language-neutral context of an entry's main file, shown as comments in a new translation.
fn main_context(root: &Path, main: &Path) -> Result<MainContext, Diagnostic> {
    let text = std::fs::read_to_string(root.join(main)).map_err(|e| Diagnostic::io(main, &e))?;
    let split = frontmatter::split(main, &text)?;
    let fm: EntryFront = frontmatter::parse(main, &text, &split)?;
    let date = fm.date.as_ref().map(|d| frontmatter::date(main, &text, &split, d)).transpose()?;
    Ok(MainContext {
        file: main.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        title: fm.title,
        original_title: fm.original_title,
        source: fm.source.map(|s| s.into_inner()),
        date: date.map(|d| d.to_string()),
        tags: fm.tags,
        further_reading: fm.further_reading.into_iter().map(|l| (l.title, l.url.into_inner())).collect(),
    })
}

/// One more than the highest issue number before `month`, when earlier issues are numbered.
fn next_issue_number(root: &Path, month: &str) -> Option<u32> {
    let dirs = std::fs::read_dir(root.join("content")).ok()?;
    dirs.filter_map(Result::ok)
        .filter(|d| {
            let name = d.file_name().to_string_lossy().to_string();
            parse_issue_key(&name).is_some() && name.as_str() < month
        })
        .filter_map(|d| {
            let path = d.path().join("_index.md");
            let text = std::fs::read_to_string(&path).ok()?;
            let split = frontmatter::split(&path, &text).ok()?;
            frontmatter::parse::<IssueFront>(&path, &text, &split).ok()?.number
        })
        .max()
        .map(|n| n + 1)
}

/// The last day of a month, the default publication date of its issue.
pub fn last_day_of_month(y: i32, m: u32) -> chrono::NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    chrono::NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or_default()
}
