//! `digest fetch`: pull new items of the `[[sources]]` feeds into draft entries of one issue.

use std::io::IsTerminal;
use std::path::Path;

use chrono::NaiveDate;

use digest::error::{Diagnostic, Diagnostics};
use digest::fetch::{Options, Progress, Status, fetch};
use digest::links::http::HttpOptions;
use digest::site::config::Config;
use digest::site::month::parse_issue_key;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The issue to add drafts to (default: the newest issue folder)
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: Option<String>,
    /// Take items published on or after this day (default: since each source's last fetch, else 30 days)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// Fetch only the source of this name
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
}

fn parse_month(s: &str) -> Result<String, String> {
    parse_issue_key(s).map(|_| s.to_string()).ok_or_else(|| format!("{s:?} is not a month like 2025-11"))
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a day like 2025-11-01"))
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let progress = if std::io::stderr().is_terminal() { Progress::Bar } else { Progress::Lines };
    let opts = Options { month: args.month.clone(), since: args.since, source: args.source.clone() };
    let report = fetch(root, &opts, &HttpOptions::default(), progress)?;
    print!("{}", report.table());
    let config = Config::load(root).map_err(|d| d.relative_to(root))?;
    let line = |name: &str| config.sources.iter().find(|s| s.name == name).map_or(1, |s| s.line);
    for s in &report.sources {
        if let Status::Read(c) = &s.status {
            for title in &c.no_link {
                let message = format!("source {:?}: skipped an item without a link: {title:?}", s.name);
                eprintln!("{}", Diagnostic::warning("config.toml", line(&s.name), 1, message));
            }
        }
    }
    let mut diags = Diagnostics::new();
    for s in &report.sources {
        if let Status::Read(c) = &s.status {
            for (item, error) in &c.failed {
                let message = format!("source {:?}: the item {item:?} could not be taken: {error}", s.name);
                diags.push(
                    Diagnostic::error("config.toml", line(&s.name), 1, message)
                        .with_hint("the source's other items were taken; this one is tried again by the next fetch"),
                );
            }
        }
    }
    for (name, error) in report.failed() {
        diags.push(
            Diagnostic::error("config.toml", line(name), 1, format!("source {name:?} could not be read: {error}"))
                .with_hint(format!(
                    "check the source's `url`, or retry it later with `digest fetch --source {name}`; \
                     drafts from the other sources were written"
                )),
        );
    }
    diags.into_result(())
}
