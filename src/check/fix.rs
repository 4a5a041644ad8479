//! Check stage: `digest check --fix`, the typography corrections applied to the files.
//!
//! Only prose changes (the corrections of [`super::typography`]); every other byte of a file is
//! kept. Each changed file is written to a temporary file in its folder and renamed over the
//! original, so a file is never left half-written. A file whose front matter would no longer
//! parse after the fix is left as it was (and reported), as is any file when `dry_run` is set:
//! then the changes are only given as a unified diff.

use std::path::{Path, PathBuf};

use super::typography::{self, Rules};
use super::{ContentFile, read_files};
use crate::error::Diagnostic;
use crate::site::config::Config;

/// One change made (or, with `dry_run`, that would be made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Relative to the site root.
    pub path: PathBuf,
    /// Where the change starts in the file as it was.
    pub line: usize,
    pub column: usize,
    /// The changed text with the words next to it, before and after.
    pub old: String,
    pub new: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: fixed: “{}” → “{}”", self.path.display(), self.line, self.column, self.old, self.new)
    }
}

/// What `fix` did.
#[derive(Debug, Default)]
pub struct FixReport {
    /// In file order, then position.
    pub changes: Vec<Change>,
    /// The files changed (or that would be).
    pub files: Vec<PathBuf>,
    /// A unified diff of every change (`--- a/path`, `+++ b/path`), whether written or not.
    pub diff: String,
    /// Files that could not be fixed: a write failure, or a fix that would break the front matter.
    pub problems: Vec<Diagnostic>,
}

/// Applies the typography corrections to the Chinese files of the site at `root` (with
/// `dry_run`, writes nothing). A site whose `config.toml` does not load is left alone; the check
/// reports why.
pub fn fix(root: &Path, dry_run: bool) -> FixReport {
    let mut report = FixReport::default();
    let Ok(config) = Config::load(root) else { return report };
    let rules = Rules::new(&config);
    for file in read_files(root, &config).into_values() {
        fix_file(root, &file, &rules, dry_run, &mut report);
    }
    report
}

fn fix_file(root: &Path, file: &ContentFile, rules: &Rules, dry_run: bool, report: &mut FixReport) {
    let corrections = typography::corrections(file, rules);
    if corrections.is_empty() {
        return;
    }
    let fixed = typography::apply(&file.text, &corrections);
    if fixed == file.text {
        return;
    }
    if breaks_front_matter(file, &fixed) {
        let (line, column) = file.front.as_ref().map_or((1, 1), |f| file.line_col(f.start));
        report.problems.push(
            Diagnostic::error(&file.path, line, column, "the typography fixes would break the front matter")
                .with_hint("the file was left as it was; make the changes the warnings suggest by hand"),
        );
        return;
    }
    if !dry_run {
        let path = root.join(&file.path);
        // A fix changes punctuation and spacing, never words: the file keeps its modification
        // time, which says when its text last changed (translations are compared by it).
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if let Err(e) = crate::write::replace(&path, &fixed) {
            report.problems.push(Diagnostic::io(&file.path, &e));
            return;
        }
        if let Some(t) = modified {
            let _ = std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(t));
        }
    }
    for c in &corrections {
        let (line, column) = file.line_col(c.at);
        report.changes.push(Change { path: file.path.clone(), line, column, old: c.old.clone(), new: c.new.clone() });
    }
    let path = file.path.to_string_lossy().replace('\\', "/");
    let diff = similar::TextDiff::from_lines(&file.text, &fixed);
    report.diff.push_str(
        &diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")).to_string(),
    );
    report.files.push(file.path.clone());
}

/// Whether the front matter parsed before the fix and would not after it (a fix never adds a
/// quote or a backslash, but a TOML string is no place to find out).
fn breaks_front_matter(file: &ContentFile, fixed: &str) -> bool {
    let parses = |text: &str| {
        let f = ContentFile::new(file.path.clone(), text.to_string(), file.lang.clone());
        f.front.is_some_and(|front| toml::from_str::<toml::Table>(&f.text[front]).is_ok())
    };
    parses(&file.text) && !parses(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_as_before_and_after() {
        let c = Change {
            path: PathBuf::from("content/a.md"),
            line: 3,
            column: 2,
            old: "在Kubernetes中".into(),
            new: "在 Kubernetes 中".into(),
        };
        assert_eq!(c.to_string(), "content/a.md:3:2: fixed: “在Kubernetes中” → “在 Kubernetes 中”");
    }
}
