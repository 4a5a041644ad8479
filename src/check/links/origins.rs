//! Check stage: where a link of a rendered page was written, a content file (found through
//! [`Origins`]) or a template, for the place a finding is reported at.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::pages::{LinkedPage, RenderedSite};
use super::target::decode;
use crate::check::Files;
use crate::check::html::{Link, extract};
use crate::site::Site;
use crate::site::config::Config;

/// Which content files hold a link: built from each file's rendered Markdown and its link fields.
#[derive(Default)]
pub struct Origins {
    by_value: HashMap<String, Vec<PathBuf>>,
}

impl Origins {
    pub fn build(site: &Site) -> Origins {
        let mut o = Origins::default();
        for e in &site.entries {
            for (lang, t) in &e.texts {
                o.add_html(&t.path, &t.body.html);
                if let Some(note) = &t.editor_note {
                    o.add_html(&t.path, note);
                }
                for link in &t.further_reading {
                    o.add(&t.path, &link.url);
                }
                if *lang == e.primary {
                    if let Some(source) = &e.source {
                        o.add(&t.path, source);
                    }
                }
            }
        }
        for i in &site.issues {
            for t in i.texts.values() {
                o.add_html(&t.path, &t.intro.html);
            }
        }
        o
    }

    fn add(&mut self, path: &Path, value: &str) {
        let list = self.by_value.entry(value.to_string()).or_default();
        if !list.iter().any(|p| p == path) {
            list.push(path.to_path_buf());
        }
    }

    fn add_html(&mut self, path: &Path, html: &str) {
        if !html.contains("href") && !html.contains("src") {
            return;
        }
        for link in extract(html).links {
            self.add(path, &link.value);
        }
    }

    pub fn get(&self, value: &str) -> &[PathBuf] {
        self.by_value.get(value).map_or(&[], Vec::as_slice)
    }
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
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        return sources
            .iter()
            .map(|path| {
                let file = files.get(path);
                let found = file.as_deref().and_then(|f| f.find(&needles));
                let ((line, column), written) = found.unwrap_or(((1, 1), link.value.as_str()));
                Located {
                    path: path.clone(),
                    line,
                    column,
                    template: None,
                    page: address.clone(),
                    written: written.to_string(),
                }
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
