//! Fetch stage: what became of each source, and the closing table `digest fetch` prints.

use std::path::PathBuf;

/// What became of one source's items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Drafts written, relative to the site root.
    pub new: Vec<PathBuf>,
    /// Items whose link is already an entry's `source` or in the ledger.
    pub duplicates: usize,
    /// Titles of items skipped for having no http(s) link.
    pub no_link: Vec<String>,
    /// Items left out by the source's `include`/`exclude` words.
    pub filtered: usize,
    /// Items published before the window.
    pub older: usize,
    /// Items that could not be converted or written: (the item's title or id, why). They are
    /// not recorded in the ledger, so the next fetch tries them again.
    pub failed: Vec<(String, String)>,
    /// Items not looked at once the most drafts one run writes for a source were written; the
    /// source's fetch time is then kept, so the next fetch takes them.
    pub left: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Read(Counts),
    NotModified,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceReport {
    pub name: String,
    pub status: Status,
}

/// The outcome of a run, one line per source in config order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The issue drafts went to (`2025-11`).
    pub month: String,
    /// Whether `content/<month>/_index.md` was created.
    pub created_issue: bool,
    pub sources: Vec<SourceReport>,
}

impl Report {
    pub fn new_drafts(&self) -> impl Iterator<Item = &PathBuf> {
        self.sources
            .iter()
            .filter_map(|s| match &s.status {
                Status::Read(c) => Some(c.new.iter()),
                _ => None,
            })
            .flatten()
    }

    pub fn failed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.iter().filter_map(|s| match &s.status {
            Status::Failed(e) => Some((s.name.as_str(), e.as_str())),
            _ => None,
        })
    }

    /// The closing table: per source, new drafts, duplicates skipped, items without a link, result.
    pub fn table(&self) -> String {
        let width = self.sources.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(6);
        let mut out = format!("{:<width$}  {:>3}  {:>10}  {:>7}  result\n", "source", "new", "duplicates", "no link");
        for s in &self.sources {
            let (new, dup, no_link, result) = match &s.status {
                Status::Read(c) => {
                    let mut notes = Vec::new();
                    if c.filtered > 0 {
                        notes.push(format!("{} filtered out", c.filtered));
                    }
                    if c.older > 0 {
                        notes.push(format!("{} older", c.older));
                    }
                    if c.left > 0 {
                        notes.push(format!("{} left for the next fetch", c.left));
                    }
                    if !c.failed.is_empty() {
                        notes.push(format!("{} failed", c.failed.len()));
                    }
                    let result = if notes.is_empty() { "ok".to_string() } else { format!("ok ({})", notes.join(", ")) };
                    (c.new.len().to_string(), c.duplicates.to_string(), c.no_link.len().to_string(), result)
                }
                Status::NotModified => ("-".into(), "-".into(), "-".into(), "not modified".into()),
                Status::Failed(e) => ("-".into(), "-".into(), "-".into(), format!("error: {e}")),
            };
            let name = &s.name;
            out.push_str(&format!("{name:<width$}  {new:>3}  {dup:>10}  {no_link:>7}  {result}\n"));
        }
        let n = self.new_drafts().count();
        out.push_str(&format!("\n{n} new draft{} in content/{}/", if n == 1 { "" } else { "s" }, self.month));
        if self.created_issue {
            out.push_str(&format!(" (created content/{}/_index.md as a draft)", self.month));
        }
        out.push('\n');
        for path in self.new_drafts() {
            out.push_str(&format!("  {}\n", path.display()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_source() {
        let report = Report {
            month: "2025-11".into(),
            created_issue: true,
            sources: vec![
                SourceReport {
                    name: "kubernetes-blog".into(),
                    status: Status::Read(Counts {
                        new: vec![PathBuf::from("content/2025-11/news/a.md")],
                        duplicates: 2,
                        filtered: 1,
                        ..Default::default()
                    }),
                },
                SourceReport { name: "cncf".into(), status: Status::NotModified },
                SourceReport { name: "bad".into(), status: Status::Failed("HTTP 500".into()) },
            ],
        };
        let table = report.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "source           new  duplicates  no link  result");
        assert_eq!(lines[1], "kubernetes-blog    1           2        0  ok (1 filtered out)");
        assert_eq!(lines[2], "cncf               -           -        -  not modified");
        assert_eq!(lines[3], "bad                -           -        -  error: HTTP 500");
        assert!(table.contains("1 new draft in content/2025-11/ (created content/2025-11/_index.md"), "{table}");
        assert!(table.contains("  content/2025-11/news/a.md"), "{table}");
    }
}
