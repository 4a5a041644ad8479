//! Check stage: where a link of a rendered page was written, a content file (found through
//! [`Origins`]) or a template, for the place a finding is reported at.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::pages::{LinkedPage, RenderedSite};
use super::target::decode;
use crate::check::Files;
use crate::check::html::{Link, extract};
use crate::site::config::Config;
use crate::site::layout::Address;
use crate::site::{Rendered, Site};

/// Which content files hold a link: built from each file's rendered Markdown and its link fields.
#[derive(Default)]
pub struct Origins {
    by_value: HashMap<String, Vec<Origin>>,
    /// Each content file's language and the address of its own page, so that a finding in a
    /// file names a page in the file's language.
    files: HashMap<PathBuf, (String, String)>,
}

/// A content file holding a link, and the link as written there when it differs (a relative
/// link, resolved by the loader).
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: PathBuf,
    pub written: Option<String>,
}

impl Origins {
    pub fn build(site: &Site) -> Origins {
        let mut o = Origins::default();
        let config = &site.config;
        for e in &site.entries {
            for (lang, t) in &e.texts {
                o.files.insert(t.path.clone(), (lang.clone(), config.href(lang, Address::entry(site, e))));
                o.add_text(&t.path, &t.body);
                if let Some(note) = &t.editor_note {
                    o.add_html(&t.path, note, &[]);
                }
                for link in &t.further_reading {
                    o.add(&t.path, &link.url, None);
                }
                if *lang == e.primary {
                    if let Some(source) = &e.source {
                        o.add(&t.path, source, None);
                    }
                }
            }
        }
        for i in &site.issues {
            for (lang, t) in &i.texts {
                o.files.insert(t.path.clone(), (lang.clone(), config.href(lang, Address::Issue(&i.key))));
                o.add_text(&t.path, &t.intro);
            }
        }
        o
    }

    fn add(&mut self, path: &Path, value: &str, written: Option<&str>) {
        let list = self.by_value.entry(value.to_string()).or_default();
        if !list.iter().any(|o| o.path == path) {
            list.push(Origin { path: path.to_path_buf(), written: written.map(str::to_string) });
        }
    }

    fn add_text(&mut self, path: &Path, text: &Rendered) {
        self.add_html(path, &text.html, &text.relative_links);
    }

    fn add_html(&mut self, path: &Path, html: &str, relative: &[(String, String)]) {
        if !html.contains("href") && !html.contains("src") {
            return;
        }
        for link in extract(html).links {
            // The published value is the resolved one, HTML-escaped as the page writes it.
            let written = relative.iter().find(|(r, _)| *r == link.value || escaped(r) == link.value);
            self.add(path, &link.value, written.map(|(_, w)| w.as_str()));
        }
    }

    /// Every link value with the files that hold it.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[Origin])> {
        self.by_value.iter().map(|(v, o)| (v.as_str(), o.as_slice()))
    }

    pub fn get(&self, value: &str) -> &[Origin] {
        self.by_value.get(value).map_or(&[], Vec::as_slice)
    }

    /// The language of content file `path` and the address of its own page.
    pub fn file(&self, path: &Path) -> Option<&(String, String)> {
        self.files.get(path)
    }
}

/// A link as `href` writes it (pulldown-cmark's escaping), to match the resolved form.
fn escaped(link: &str) -> String {
    let mut s = String::new();
    pulldown_cmark_escape::escape_href(&mut s, link).ok();
    s
}

/// Where a link was written: a content file, or a page made by a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Located {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The template of the page, when the link does not come from a content file.
    pub template: Option<PathBuf>,
    /// The address of the page the link was seen on, base path included.
    pub page: String,
    /// The link as it is written there.
    pub written: String,
}

/// Outside links: absolute URL (without fragment) → where it is written, each place with the
/// number of pages that show the link from there.
pub type Outside = BTreeMap<String, Vec<(Located, usize)>>;

/// Explains where a link comes from and on how many pages it appears.
pub fn place_hint(place: &Located, pages: usize) -> String {
    let more = match pages {
        0 | 1 => String::new(),
        2 => " and 1 other page".to_string(),
        n => format!(" and {} other pages", n - 1),
    };
    match &place.template {
        Some(t) => format!(
            "the link is made by the theme's {} (or a template it includes); seen on {}{more}",
            t.display(),
            place.page
        ),
        None => format!("seen on {}{more}", place.page),
    }
}

/// Where a link on `page` was written: the content files holding it, else the page itself.
pub fn locate(
    rendered: &RenderedSite,
    origins: &Origins,
    files: &Files,
    config: &Config,
    page: &LinkedPage,
    link: &Link,
) -> Vec<Located> {
    let address = config.href_of_file(&page.output);
    let sources = origins.get(&link.value);
    if !sources.is_empty() {
        let needles = source_needles(&link.value, &config.base_path);
        let page_lang = config.lang_of_output(&page.output);
        return sources
            .iter()
            .map(|origin| {
                let file = files.get(&origin.path);
                let mut needles: Vec<&str> = needles.iter().map(String::as_str).collect();
                if let Some(w) = &origin.written {
                    needles.insert(0, w);
                }
                let found = file.as_deref().and_then(|f| f.find(&needles));
                let ((line, column), written) = found.unwrap_or(((1, 1), link.value.as_str()));
                // Seen on a page of another language (an entry's text shown where it is not
                // translated): name the file's own page instead.
                let page = match origins.file(&origin.path) {
                    Some((lang, own)) if lang != page_lang => own.clone(),
                    _ => address.clone(),
                };
                Located { path: origin.path.clone(), line, column, template: None, page, written: written.to_string() }
            })
            .collect();
    }
    vec![Located {
        path: PathBuf::from(&*page.output),
        line: link.line,
        column: link.column,
        template: rendered.template_of(page).cloned(),
        page: address,
        written: link.value.clone(),
    }]
}

/// How a rendered link may be written in a content file.
fn source_needles(value: &str, base_path: &str) -> Vec<String> {
    let mut v = vec![value.to_string()];
    if !base_path.is_empty() {
        if let Some(rest) = value.strip_prefix(base_path).filter(|r| r.starts_with('/')) {
            v.push(rest.to_string());
        }
    }
    let decoded: Vec<String> = v.iter().map(|s| decode(s)).filter(|d| !v.contains(d)).collect();
    v.extend(decoded);
    v.push(value.replace('&', "&amp;"));
    v
}
