//! Export stage: one issue as a single file that leaves the website — the email (HTML and its
//! plain-text alternative), the WeChat article and a Markdown document.
//!
//! A further renderer over the loaded [`Site`], beside [`crate::render`]: the same shared views
//! ([`crate::render::view`]) give the same entries, fallbacks, numbering and order as the site;
//! each edition is a template of the theme (`templates/export/…`), overridable like every
//! template, with a typed context ([`context`]); each edition's module then finishes what the
//! template wrote: [`email`] inlines the CSS, [`wechat`] makes every style inline and every
//! outside link a numbered reference, [`text`] wraps at 72 columns, [`markdown`] tidies.

pub mod context;
pub mod email;
pub mod html;
pub mod markdown;
pub mod refs;
pub mod text;
pub mod wechat;
pub mod wrap;

use std::path::PathBuf;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::theme::Theme;
use crate::render::context::to_context;
use crate::render::view::{LangViews, Links};
use crate::site::{IssueId, LangId, Site};

/// An edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A self-contained HTML email.
    Email,
    /// The plain-text alternative of the email.
    Text,
    /// HTML for the WeChat official-account editor, as a standalone page.
    Wechat,
    /// One Markdown document.
    Markdown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Email => "email",
            Format::Text => "text",
            Format::Wechat => "wechat",
            Format::Markdown => "markdown",
        }
    }

    /// The theme's template of the edition.
    pub fn template(self) -> &'static str {
        match self {
            Format::Email => "export/email.html",
            Format::Text => "export/email.txt",
            Format::Wechat => "export/wechat.html",
            Format::Markdown => "export/issue.md",
        }
    }

    /// Whether entries carry their whole text: with `--full` only. By default each entry shows
    /// its summary and links to its page, since Gmail clips messages over about 102 KB and the
    /// WeChat editor takes at most 20,000 characters; the same rule holds in every edition.
    pub fn whole_text(self, full: bool) -> bool {
        let _ = self;
        full
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct Options {
    /// The issue, `YYYY-MM`.
    pub month: String,
    pub format: Format,
    /// The edition's language; the default language when `None`.
    pub lang: Option<String>,
    /// Every entry's whole text, not only its summary.
    pub full: bool,
}

/// An exported edition.
#[derive(Debug)]
pub struct Edition {
    pub text: String,
    /// Findings that do not stop the export (a document too large for its medium).
    pub warnings: Vec<Diagnostic>,
}

/// Renders one edition of one issue of the loaded site.
pub fn export(site: &Site, theme: &Theme, opts: &Options) -> Result<Edition, Diagnostics> {
    let i = find_issue(site, &opts.month)?;
    let l = find_language(site, opts.lang.as_deref())?;
    let lv = LangViews::build(site, &site.config.languages[l].code, Links::Absolute);
    let ctx = context::build(site, &lv, i, opts.format, opts.format.whole_text(opts.full))?;
    let rendered = theme.render(opts.format.template(), &to_context(&ctx)?)?;
    let issue_dir = issue_folder(&site.issues[i].key);
    let mut warnings = Vec::new();
    let text = match opts.format {
        Format::Email => {
            let html = email::finish(&rendered, &ctx.issue.permalink)?;
            if html.len() > email::LIMIT {
                warnings.push(
                    Diagnostic::warning(
                        &issue_dir,
                        1,
                        1,
                        format!(
                            "the email is {} KB, over 100 KB: Gmail clips messages over about 102 KB",
                            html.len().div_ceil(1024)
                        ),
                    )
                    .with_hint(if opts.full {
                        "leave out --full: entries then show their summaries"
                    } else {
                        "shorten the summaries and editor's notes, or split the issue"
                    }),
                );
            }
            html
        }
        Format::Text => text::finish(&rendered),
        Format::Wechat => {
            let page = wechat::finish(&rendered, theme, &ctx)?;
            if page.characters > wechat::LIMIT {
                warnings.push(
                    Diagnostic::warning(
                        &issue_dir,
                        1,
                        1,
                        format!(
                            "the WeChat article has {} characters, over the editor's limit of 20,000",
                            page.characters
                        ),
                    )
                    .with_hint(if opts.full {
                        "leave out --full: entries then show their summaries"
                    } else {
                        "publish the issue as two articles, or paste only part of it"
                    }),
                );
            }
            page.html
        }
        Format::Markdown => markdown::finish(&rendered),
    };
    Ok(Edition { text, warnings })
}

fn issue_folder(key: &str) -> PathBuf {
    PathBuf::from("content").join(key)
}

/// The index of the published issue `month`, or an error naming the issues there are.
fn find_issue(site: &Site, month: &str) -> Result<IssueId, Diagnostic> {
    if let Some(i) = site.issues.position(|i| i.key == month) {
        return Ok(i);
    }
    let folder = issue_folder(month);
    let keys: Vec<&str> = site.issues.iter().map(|i| i.key.as_str()).collect();
    let hint = if site.root.join(&folder).is_dir() {
        "the issue is a draft (or all its entries are): add --drafts to export it anyway".to_string()
    } else if keys.is_empty() {
        format!("there is no published issue yet; create one with `digest new issue {month}`")
    } else {
        format!("issues are: {}", keys.join(", "))
    };
    Err(Diagnostic::file(folder, format!("no published issue {month}")).with_hint(hint))
}

/// The index of the language `code` (the default when `None`), or an error at the
/// configuration's languages.
fn find_language(site: &Site, code: Option<&str>) -> Result<LangId, Diagnostic> {
    let c = &site.config;
    let Some(code) = code else { return Ok(LangId::DEFAULT) };
    if let Some(l) = c.language_index(code) {
        return Ok(l);
    }
    let text = std::fs::read_to_string(site.root.join(&c.path)).unwrap_or_default();
    let (line, column) =
        text.lines().position(|l| l.trim_start().starts_with("[languages")).map_or((1, 1), |n| (n + 1, 1));
    let codes: Vec<&str> = c.languages.iter().map(|l| l.code.as_str()).collect();
    Err(Diagnostic::error(&c.path, line, column, format!("language {code:?} is not configured"))
        .with_hint(format!("languages are: {}; add [languages.{code}] to translate into it", codes.join(", "))))
}

/// A rendered edition tidied: trailing spaces removed, runs of blank lines made one, no blank
/// line at either end. With `fences`, lines inside Markdown code fences are kept as written.
fn tidy(rendered: &str, fences: bool) -> String {
    let mut out = String::with_capacity(rendered.len());
    let (mut blank, mut fence) = (0, false);
    for line in rendered.trim().lines() {
        if fences && line.trim_start().starts_with("```") {
            fence = !fence;
        }
        let line = if fence { line } else { line.trim_end() };
        if line.is_empty() && !fence {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}
