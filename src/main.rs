//! The `digest` binary: parses the command line and reports problems with exit status 1.

/// jemalloc rather than the system's: see `docs/performance.md` ("Build memory").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// A static-site generator for a bilingual monthly cloud-native newsletter.
#[derive(Debug, Parser)]
// `--version`: the version, and the commit when built from a git checkout (see `build.rs`).
#[command(name = "digest", version = env!("DIGEST_VERSION"), about)]
struct Cli {
    /// The site folder (holding config.toml)
    #[arg(long, default_value = ".", global = true)]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Publish the site into a folder (default public/)
    Build(cmd::build::Args),
    /// Preview the site at http://127.0.0.1:1111/ with live reload
    Serve(cmd::serve::Args),
    /// Pull new items of the [[sources]] feeds into draft entries of one issue
    Fetch(cmd::fetch::Args),
    /// Validate content, links and typography; exit 1 on errors
    Check(cmd::check::Args),
    /// Scaffold an issue or an entry
    New(cmd::new::Args),
    /// One issue as an email, its plain text, a WeChat article or Markdown
    Export(cmd::export::Args),
    /// Create a new site folder
    Init(cmd::init::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(args) => cmd::build::run(&cli.root, args),
        Command::Serve(args) => cmd::serve::run(&cli.root, args),
        Command::Fetch(args) => cmd::fetch::run(&cli.root, args),
        Command::Check(args) => cmd::check::run(&cli.root, args),
        Command::New(args) => cmd::new::run(&cli.root, args),
        Command::Export(args) => cmd::export::run(&cli.root, args),
        Command::Init(args) => cmd::init::run(&cli.root, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(diags) => {
            eprintln!("{diags}");
            let n = diags.0.iter().filter(|d| d.severity == digest::error::Severity::Error).count();
            eprintln!("error: {n} problem{} found", if n == 1 { "" } else { "s" });
            ExitCode::from(1)
        }
    }
}
