//! Diagnostics: every problem in a site, reported as `path:line:column: severity: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a finding is: errors fail the command, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located in a file of the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based line in the file (1 for problems with a whole file or folder).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: line.max(1),
            column: column.max(1),
            severity: Severity::Error,
            message: message.into(),
            hint: None,
        }
    }

    /// An error about a whole file or folder rather than a place in it.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::error(path, 1, 1, message)
    }

    pub fn warning(path: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(path, line, column, message) }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An I/O failure on a path.
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        Self::file(path, format!("cannot access: {err}"))
    }

    /// Shows the path relative to `root` when it lies inside it.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}:{}: {}: {}", self.path.display(), self.line, self.column, severity, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A set of diagnostics: the error type of loading, rendering and writing a site.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// `Ok(value)` when no error was recorded, else all recorded diagnostics.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.has_errors() { Err(self) } else { Ok(value) }
    }

    /// Shows every path relative to `root` where it lies inside it.
    pub fn relative_to(self, root: &Path) -> Self {
        Diagnostics(self.0.into_iter().map(|d| d.relative_to(root)).collect())
    }

    /// Sorts by file, then position, so reports are stable between runs.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message)));
        self
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column) pair; columns count characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Turns a TOML error into a diagnostic at its place in the file, suggesting the key meant.
pub fn toml_error(path: &Path, text: &str, offset: usize, err: &toml::de::Error) -> Diagnostic {
    let (line, column) = err.span().map_or((1, 1), |s| line_col(text, offset + s.start));
    let message = err.message().trim().replace('\n', " ");
    let hint = unknown_field_hint(&message).or_else(|| {
        message
            .contains("invalid")
            .then(|| "check the TOML syntax: strings in double quotes, dates as 2025-11-06".to_string())
    });
    let d = Diagnostic::error(path, line, column, message);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`", suggests the closest known field.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    let best = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    if best.0 > 0.8 {
        Some(format!("did you mean `{}`?", best.1))
    } else {
        Some("remove the field, or check its spelling".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\n云原生 x";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'x' follows three 3-byte characters and a space
        assert_eq!(line_col(text, 3 + 9 + 1), (2, 5));
    }

    #[test]
    fn display_has_location_severity_and_hint() {
        let d = Diagnostic::error("content/a.md", 3, 7, "bad").with_hint("fix it");
        assert_eq!(d.to_string(), "content/a.md:3:7: error: bad\n  hint: fix it");
    }
}
