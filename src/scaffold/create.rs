//! Scaffolding: the files `digest new` and `digest init` create, checked before anything is
//! written and never overwriting one.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use super::MainContext;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::frontmatter::{self, EntryFront, IssueFront};
use crate::site::config::{BUILT_IN_THEMES, Config, unknown_topic_hint};
use crate::site::month::{last_day_of_month, parse_issue_key};
use crate::site::naming::{INDEX, file_name};

/// Creates an issue's `_index.md` and `_index.<lang>.md` files; returns their paths relative to `root`.
pub fn new_issue(root: &Path, month: &str) -> Result<Vec<PathBuf>, Diagnostics> {
    let config = Config::load(root).map_err(|d| d.relative_to(root))?;
    let (y, m) = check_month(month)?;
    let dir = Path::new("content").join(month);
    let date = last_day_of_month(y, m).ok_or_else(|| out_of_range(month))?;
    let next_number = next_issue_number(root, month)?;
    let mut files = Vec::new();
    for lang in &config.languages {
        let text = if lang.code == config.default_language() {
            super::issue_main(&config, month, &lang.code, date, next_number)
        } else {
            super::issue_translation(&config, month, &lang.code)
        };
        files.push((dir.join(file_name(&config, INDEX, &lang.code)), text));
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
    let config = Config::load(root).map_err(|d| d.relative_to(root))?;
    check_month(month)?;
    let issue_dir = Path::new("content").join(month);
    if config.topic_index(topic).is_none() {
        let hint = unknown_topic_hint(&config.topics, topic);
        return Err(Diagnostic::file(issue_dir.join(topic), format!("unknown topic {topic:?}")).with_hint(hint).into());
    }
    let topic_dir = issue_dir.join(topic);
    if slug == INDEX || !crate::site::slug::is_safe_segment(slug) {
        return Err(Diagnostic::file(topic_dir.join(slug), format!("{slug:?} cannot be used as an entry's name"))
            .with_hint("name entries with letters, digits and hyphens, e.g. gateway-api-1-4")
            .into());
    }
    let has_issue =
        config.languages.iter().any(|l| root.join(issue_dir.join(file_name(&config, INDEX, &l.code))).is_file());
    if !has_issue {
        return Err(Diagnostic::file(&issue_dir, format!("the issue {month} does not exist"))
            .with_hint(format!("create it first with `digest new issue {month}`"))
            .into());
    }
    let default = config.default_language().to_string();
    let main_path = topic_dir.join(file_name(&config, slug, &default));
    let (path, text) = match lang {
        None => (main_path, super::entry_main(month, slug, &default)),
        Some(l) if l == default => (main_path, super::entry_main(month, slug, &default)),
        Some(l) => {
            if config.language(l).is_none() {
                let langs: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                return Err(Diagnostic::file("config.toml", format!("unknown language {l:?}"))
                    .with_hint(format!("the site's languages are: {}", langs.join(", ")))
                    .into());
            }
            let path = topic_dir.join(file_name(&config, slug, l));
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
            (path, super::entry_translation(&context, l))
        }
    };
    if root.join(&path).exists() {
        return Err(exists(&path, "the entry").into());
    }
    write_new(root, &path, &text)?;
    Ok(path)
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

/// Writes a new file below `root` (see [`crate::write::write_new`]), reporting it against `rel`.
fn write_new(root: &Path, rel: &Path, text: &str) -> Result<(), Diagnostic> {
    crate::write::write_new(&root.join(rel), text).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists { exists(rel, "the file") } else { Diagnostic::io(rel, &e) }
    })
}

fn out_of_range(month: &str) -> Diagnostic {
    Diagnostic::file(Path::new("content").join(month), format!("{month:?} is out of range"))
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

/// One more than the highest issue number before `month`, when earlier issues are numbered; an
/// error at that issue when the next number does not fit (it would wrap to 1 and repeat one).
fn next_issue_number(root: &Path, month: &str) -> Result<Option<u32>, Diagnostic> {
    let Ok(dirs) = std::fs::read_dir(root.join("content")) else {
        return Ok(None);
    };
    let highest = dirs
        .filter_map(Result::ok)
        .filter(|d| {
            let name = d.file_name().to_string_lossy().to_string();
            parse_issue_key(&name).is_some() && name.as_str() < month
        })
        .filter_map(|d| {
            let path = d.path().join("_index.md");
            let text = std::fs::read_to_string(&path).ok()?;
            let split = frontmatter::split(&path, &text).ok()?;
            let number = frontmatter::parse::<IssueFront>(&path, &text, &split).ok()?.number?;
            let line = text.lines().position(|l| l.trim_start().starts_with("number")).map_or(1, |i| i + 1);
            Some((number, path, line))
        })
        .max();
    let Some((number, path, line)) = highest else {
        return Ok(None);
    };
    number.checked_add(1).map(Some).ok_or_else(|| {
        let rel = path.strip_prefix(root).unwrap_or(&path);
        Diagnostic::error(
            rel,
            line,
            1,
            format!("issue number {number} is the highest there is: the next issue cannot be numbered"),
        )
        .with_hint("renumber the issues from 1, or leave `number` out of this issue and the next")
    })
}

/// What `init` writes besides the site itself.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The GitHub Pages workflow, `.github/workflows/pages.yml` (`digest init --no-workflow`
    /// leaves it out).
    pub workflow: bool,
    /// A built-in theme (`None`: the default), written as `theme` in `config.toml`.
    pub theme: Option<String>,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions { workflow: true, theme: None }
    }
}

/// Creates a site in `dir` whose example issue is the month before `today`'s (this month is left
/// for the editor's first issue: `digest new issue` with this month then works in any month);
/// returns the files written, relative to `dir`.
pub fn init(dir: &Path, today: NaiveDate, options: InitOptions) -> Result<Vec<PathBuf>, Diagnostics> {
    let theme = options.theme.as_deref();
    if let Some(name) = theme.filter(|t| !BUILT_IN_THEMES.contains(t)) {
        let hint = format!("the built-in themes are {}", BUILT_IN_THEMES.join(", "));
        return Err(Diagnostic::file(dir, format!("unknown theme {name:?}")).with_hint(hint).into());
    }
    if dir.is_file() {
        return Err(Diagnostic::file(dir, "a file of this name exists").with_hint("choose a new folder name").into());
    }
    if dir.is_dir() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Diagnostic::io(dir, &e))?;
        if entries.next().is_some() {
            return Err(Diagnostic::file(dir, "the folder is not empty; digest init only fills an empty folder")
                .with_hint("choose a new folder name, or empty the folder first")
                .into());
        }
    }
    let config_text = super::config_text(theme);
    let config = Config::parse(Path::new("config.toml"), &config_text)?;
    let (year, month) = if today.month() == 1 { (today.year() - 1, 12) } else { (today.year(), today.month() - 1) };
    let key = format!("{year:04}-{month:02}");
    let issue = Path::new("content").join(&key);
    let entry = issue.join("news");
    let default = config.default_language().to_string();
    let date = last_day_of_month(year, month).unwrap_or(today);

    let mut files: Vec<(PathBuf, String)> =
        vec![("config.toml".into(), config_text.clone()), (".gitignore".into(), super::GITIGNORE.to_string())];
    if options.workflow {
        files.push((super::WORKFLOW_PATH.into(), super::pages_workflow()));
    }
    files.extend([
        (issue.join("_index.md"), super::example_issue(&config, &key, &default, date)),
        (entry.join("hello-digest.md"), super::example_entry(&default, date)),
    ]);
    for lang in config.languages.iter().filter(|l| l.code != default) {
        let code = &lang.code;
        let (index, hello) = (file_name(&config, INDEX, code), file_name(&config, "hello-digest", code));
        files.push((issue.join(index), super::example_issue_translation(&config, &key, code)));
        files.push((entry.join(hello), super::example_entry_translation(code)));
    }
    for (path, text) in &files {
        write_new(dir, path, text).map_err(|mut d| {
            d.path = dir.join(&d.path);
            d
        })?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
