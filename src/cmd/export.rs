//! `digest export`: one issue as an email, its plain text, a WeChat article or Markdown.

use std::io::Write;
use std::path::{Path, PathBuf};

use digest::error::{Diagnostic, Diagnostics};
use digest::export::{Format as Edition, Options, export};
use digest::load::theme::Theme;
use digest::load::{LoadOptions, load};
use digest::site::sources::{Output, check_output};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A self-contained HTML email, CSS inlined
    Email,
    /// The plain-text alternative of the email
    Text,
    /// HTML to paste into the WeChat official-account editor
    Wechat,
    /// The whole issue as one Markdown document
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The month, YYYY-MM
    #[arg(value_parser = super::month)]
    pub month: String,
    /// The edition
    #[arg(long, value_enum)]
    pub format: Format,
    /// The edition's language (default: the site's default language)
    #[arg(long)]
    pub lang: Option<String>,
    /// Write the edition to this file (replaced atomically) instead of standard output
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Put every entry's whole text in, not only its summary
    #[arg(long)]
    pub full: bool,
    /// Include draft issues and entries
    #[arg(long)]
    pub drafts: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    if let Some(path) = &args.output {
        check_output(root, "--output", Output::File, path, path)?;
    }
    let mut site = load(root, &LoadOptions { drafts: args.drafts, base_url: None })?;
    site.pictures = digest::images::process(&site, &digest::cache::Cache::open(root))?;
    let theme = Theme::for_site(root, &site.config)?;
    let format = match args.format {
        Format::Email => Edition::Email,
        Format::Text => Edition::Text,
        Format::Wechat => Edition::Wechat,
        Format::Markdown => Edition::Markdown,
    };
    let opts = Options { month: args.month.clone(), format, lang: args.lang.clone(), full: args.full };
    let edition = export(&site, &theme, &opts)?;
    for w in site.warnings.iter().chain(&edition.warnings) {
        eprintln!("{w}");
    }
    match &args.output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(edition.text.as_bytes()).and_then(|()| out.flush()).map_err(|e| {
                Diagnostics::from(Diagnostic::file("<stdout>", format!("cannot write the edition: {e}")))
            })?;
        }
        Some(path) => {
            digest::write::replace_file(path, edition.text.as_bytes()).map_err(|e| Diagnostic::io(path, &e))?;
            eprintln!(
                "Exported the {} edition of {} to {} ({} KB)",
                format.name(),
                args.month,
                path.display(),
                edition.text.len().div_ceil(1024)
            );
        }
    }
    Ok(())
}
