//! `digest check`: validate content, links and typography; exit 1 on any error. With `--fix`,
//! the typography fixes are applied first (`--dry-run`: shown as a diff).

use std::path::Path;
use std::time::{Duration, Instant};

use digest::check::fix::fix;
use digest::check::{Options, check, summary};
use digest::error::{Diagnostic, Diagnostics, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:column: severity: message`, one finding per line, with hints
    Text,
    /// A JSON array of findings on standard output, for CI
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check one issue's content only (YYYY-MM); its pages' links still resolve against the
    /// whole site
    #[arg(value_parser = super::month)]
    pub month: Option<String>,
    /// Also fetch every outside link (results are cached in .digest/link-cache.json)
    #[arg(long)]
    pub external: bool,
    /// How to print the findings
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Seconds to wait for one outside link
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    pub timeout: u64,
    /// List every warning, instead of one line for a warning repeated in an issue
    #[arg(long)]
    pub verbose: bool,
    /// Apply the Chinese typography fixes in place (prose only), print each, then check
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the fixes as a unified diff and write nothing
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let start = Instant::now();
    let mut fix_problems = Vec::new();
    if args.fix {
        let fixed = fix(root, args.dry_run);
        if args.dry_run {
            // The diff is the output (for `git apply`), unless standard output carries JSON.
            match args.format {
                Format::Text => print!("{}", fixed.diff),
                Format::Json => eprint!("{}", fixed.diff),
            }
        } else {
            for change in &fixed.changes {
                eprintln!("{change}");
            }
        }
        let (changes, files) = (fixed.changes.len(), fixed.files.len());
        let would = if args.dry_run { "Would fix" } else { "Fixed" };
        eprintln!("{would} {changes} typography finding{} in {files} file{}", plural(changes), plural(files));
        fix_problems = fixed.problems;
    }
    let mut opts = Options { external: args.external, issue: args.month.clone(), ..Options::default() };
    opts.http.timeout = Duration::from_secs(args.timeout.max(1));
    opts.http.connect_timeout = opts.http.timeout;
    let mut report = check(root, &opts);
    report.diagnostics.extend(fix_problems);
    let (errors, warnings) = (report.errors(), report.warnings());
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report.diagnostics).unwrap_or_default()),
        Format::Text => {
            let warnings: Vec<&Diagnostic> =
                report.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
            let lines =
                if args.verbose { warnings.iter().map(ToString::to_string).collect() } else { summary(&warnings) };
            for line in lines {
                eprintln!("{line}");
            }
        }
    }
    let external = if args.external {
        let e = &report.external;
        format!(", {} outside links ({} from the cache)", e.links, e.cached)
    } else {
        String::new()
    };
    eprintln!(
        "Checked {} files, {} pages and {} links{external} in {} ms: {errors} error{}, {warnings} warning{}",
        report.files,
        report.pages,
        report.links,
        start.elapsed().as_millis(),
        plural(errors),
        plural(warnings),
    );
    if errors == 0 {
        return Ok(());
    }
    // `main` prints the errors (after the warnings, where they are seen) and exits with 1.
    let errors = report.diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect();
    Err(Diagnostics(errors))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
