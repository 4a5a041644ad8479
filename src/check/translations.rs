//! Check stage: translation status — entries and issues missing a language, and translations
//! older than the file they translate.
//!
//! A file's age is its last commit (`git log`) when the site is in a git repository and the
//! file has no uncommitted changes, else its modification time. With git, a main file whose
//! later changes touch only whitespace and punctuation (a typography fix, committed or not)
//! does not make its translations outdated; `check --fix` keeps a file's modification time.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::DateTime;

use crate::error::Diagnostic;
use crate::site::Site;

/// Warnings for missing and outdated translations. Draft entries are not expected to be
/// translated yet, so only their outdated translations are reported.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let times = Times::new(&site.root);
    let langs: Vec<&str> = site.config.languages.iter().map(|l| l.code.as_str()).collect();
    for issue in &site.issues {
        let main = &issue.texts[&issue.primary].path;
        for lang in langs.iter().filter(|l| !issue.texts.contains_key(**l)) {
            out.push(
                Diagnostic::warning(main, 1, 1, format!("missing translation: the issue has no `{lang}` version"))
                    .with_hint(format!("add {}", sibling(main, crate::site::naming::INDEX, lang, site).display())),
            );
        }
        out.extend(outdated(
            &times,
            main,
            issue.texts.iter().filter(|(l, _)| **l != issue.primary).map(|(_, t)| &t.path),
        ));
    }
    for e in &site.entries {
        let main = &e.texts[&e.primary].path;
        if !e.draft {
            let issue = &site.issues[e.issue].key;
            let topic = &site.config.topics[e.topic].key;
            for lang in langs.iter().filter(|l| !e.texts.contains_key(**l)) {
                let command = if *lang == site.config.default_language() {
                    format!("digest new entry {issue} {topic} {}", e.slug)
                } else {
                    format!("digest new entry {issue} {topic} {} --lang {lang}", e.slug)
                };
                out.push(
                    Diagnostic::warning(main, 1, 1, format!("missing translation: the entry has no `{lang}` version"))
                        .with_hint(format!("create {} with `{command}`", sibling(main, &e.slug, lang, site).display())),
                );
            }
        }
        out.extend(outdated(&times, main, e.texts.iter().filter(|(l, _)| **l != e.primary).map(|(_, t)| &t.path)));
    }
    out
}

/// The file of `stem` in `lang` beside `main`.
fn sibling(main: &Path, stem: &str, lang: &str, site: &Site) -> PathBuf {
    main.with_file_name(crate::site::naming::file_name(&site.config, stem, lang))
}

fn outdated<'a>(times: &Times, main: &Path, translations: impl Iterator<Item = &'a PathBuf>) -> Vec<Diagnostic> {
    let Some(main_time) = times.words_changed(main) else { return Vec::new() };
    translations
        .filter_map(|t| {
            let time = times.get(t)?;
            (time < main_time && !times.same_words_since(main, t)).then(|| {
                Diagnostic::warning(
                    t,
                    1,
                    1,
                    format!(
                        "outdated translation: {} changed on {}, this translation last on {}",
                        main.display(),
                        show(main_time),
                        show(time)
                    ),
                )
                .with_hint(format!("bring it up to date with {}", main.display()))
            })
        })
        .collect()
}

fn show(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// When each file last changed, in seconds since 1970.
struct Times {
    root: PathBuf,
    /// Last commit time and commit of every committed file (empty without git).
    committed: HashMap<PathBuf, (i64, String)>,
    /// Files with uncommitted changes.
    changed: HashSet<PathBuf>,
}

impl Times {
    fn new(root: &Path) -> Times {
        let (committed, changed) = git_times(root).unwrap_or_default();
        Times { root: root.to_path_buf(), committed, changed }
    }

    fn get(&self, path: &Path) -> Option<i64> {
        if let (Some((t, _)), false) = (self.committed.get(path), self.changed.contains(path)) {
            return Some(*t);
        }
        let modified = std::fs::metadata(self.root.join(path)).and_then(|m| m.modified()).ok()?;
        let secs = modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        i64::try_from(secs).ok()
    }

    /// When the words of `path` last changed: its last commit when its uncommitted changes touch
    /// only whitespace and punctuation, else [`Times::get`].
    fn words_changed(&self, path: &Path) -> Option<i64> {
        if let (Some((t, commit)), true) = (self.committed.get(path), self.changed.contains(path)) {
            if self.same_words(path, commit) {
                return Some(*t);
            }
        }
        self.get(path)
    }

    /// Whether `path` as committed in `commit` has the same words as now.
    fn same_words(&self, path: &Path, commit: &str) -> bool {
        let spec = format!("{commit}:./{}", path.to_string_lossy().replace('\\', "/"));
        let Some(then) = git(&self.root, &["show", &spec]) else { return false };
        let Ok(now) = std::fs::read_to_string(self.root.join(path)) else { return false };
        words(&then) == words(&now)
    }

    /// Whether `main`, as committed when `translation` was last committed, had the same words
    /// as now: only whitespace and punctuation changed since.
    fn same_words_since(&self, main: &Path, translation: &Path) -> bool {
        let (Some(_), Some((_, commit))) = (self.committed.get(main), self.committed.get(translation)) else {
            return false;
        };
        self.same_words(main, commit)
    }
}

/// The text with whitespace removed and full-width punctuation folded to ASCII.
fn words(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff0c}' => ',',
            '\u{ff1a}' => ':',
            '\u{ff1b}' => ';',
            '\u{ff08}' => '(',
            '\u{ff09}' => ')',
            '\u{ff1f}' => '?',
            '\u{ff01}' => '!',
            c => c,
        })
        .collect()
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(root).args(["-c", "core.quotePath=false"]).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Last commit time and commit of every committed file under `content/`, and the files with
/// uncommitted changes.
type GitTimes = (HashMap<PathBuf, (i64, String)>, HashSet<PathBuf>);

fn git_times(root: &Path) -> Option<GitTimes> {
    let git = |args: &[&str]| git(root, args);
    let log = git(&["log", "--format=%x00%ct %H", "--name-only", "--relative", "--no-renames", "--", "content"])?;
    let changed: HashSet<PathBuf> =
        git(&["ls-files", "--modified", "--others", "--exclude-standard", "--", "content"])?
            .lines()
            .map(PathBuf::from)
            .collect();
    let mut times = HashMap::new();
    let mut current = None;
    for line in log.lines() {
        if let Some(t) = line.strip_prefix('\0') {
            current = t.trim().split_once(' ').and_then(|(t, h)| Some((t.parse::<i64>().ok()?, h.to_string())));
        } else if let (Some(t), false) = (&current, line.trim().is_empty()) {
            // The log is newest first: keep the first time seen.
            times.entry(PathBuf::from(line.trim())).or_insert_with(|| t.clone());
        }
    }
    Some((times, changed))
}
