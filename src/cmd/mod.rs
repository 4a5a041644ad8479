//! The command line: one file per command.

pub mod build;
pub mod check;
pub mod export;
pub mod fetch;
pub mod init;
pub mod new;
pub mod serve;

/// A month argument, `YYYY-MM`, as issue folders are named.
pub fn month(s: &str) -> Result<String, String> {
    digest::site::month::parse_issue_key(s)
        .map(|_| s.to_string())
        .ok_or_else(|| format!("{s:?} is not a month written YYYY-MM"))
}
