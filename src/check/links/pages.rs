//! Check stage: the site rendered into memory as `build` renders it, keeping of each HTML page
//! only its ids and links ([`LinkedPage`]).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::target::{Target, classify, resolves_alike};
use crate::check::html::{Extract, Link, extract};
use crate::error::{Diagnostic, Diagnostics};
use crate::load::theme::Theme;
use crate::render::batch::issue_pages;
use crate::render::{Output, all_pages, render, render_only};
use crate::site::layout::{Served, served_file, url_of_output};
use crate::site::{IssueId, LangId, Site};
use crate::write::Sink;

/// A link that resolves alike from every page, kept once for the whole site.
#[derive(Debug)]
pub struct Shared {
    /// Output path of the first page (in output order) that shows it, and where it is
    /// written there.
    pub first: Arc<str>,
    pub attr: &'static str,
    pub line: usize,
    pub column: usize,
    /// Pages that show it.
    pub pages: usize,
}

impl Shared {
    pub(super) fn link(&self, value: &str) -> Link {
        Link { attr: self.attr, value: value.to_string(), line: self.line, column: self.column }
    }
}

/// One HTML page of the rendered site: only what links are checked against. Kept compact (boxed
/// slices, no copies of its path): a large archive has a hundred thousand pages.
#[derive(Debug)]
pub struct LinkedPage {
    /// Output path, e.g. `en/2025-11/index.html`.
    pub output: Box<str>,
    /// Every id (and `<a name>`), sorted.
    pub ids: Box<[Box<str>]>,
    /// The links that depend on the page (the others are [`RenderedSite::shared`]).
    pub links: Box<[Link]>,
    /// The template that rendered it, an index into [`RenderedSite::templates`].
    template: Option<u16>,
}

impl LinkedPage {
    /// Its address below the base path, e.g. `/en/2025-11/`.
    pub fn url(&self) -> String {
        crate::site::layout::url_of_output(&self.output)
    }

    pub fn has_id(&self, id: &str) -> bool {
        self.ids.binary_search_by(|x| (**x).cmp(id)).is_ok()
    }
}

/// The site rendered in memory.
pub struct RenderedSite {
    /// Every output path but the HTML pages'.
    pub files: BTreeSet<String>,
    /// The HTML pages, sorted by output path.
    pub pages: Vec<LinkedPage>,
    /// The links that resolve alike from every page ([`resolves_alike`]), once each, sorted by
    /// value: most of a site's links are the same navigation links on every page.
    pub shared: Vec<(String, Shared)>,
    /// Links on every page, the shared ones counted on each page that shows them.
    pub links: usize,
    /// The theme's template files that rendered pages.
    pub templates: Vec<PathBuf>,
    /// The outputs of the site that were not rendered (a check of one issue renders its own
    /// pages only): links to them resolve, and their ids are not known.
    pub known: HashSet<String>,
}

impl RenderedSite {
    /// The HTML page at output path `output`.
    pub fn page(&self, output: &str) -> Option<&LinkedPage> {
        Some(&self.pages[self.index_of(output)?])
    }

    /// Where the page at `output` is in [`RenderedSite::pages`].
    fn index_of(&self, output: &str) -> Option<usize> {
        self.pages.binary_search_by(|p| (*p.output).cmp(output)).ok()
    }

    /// Whether anything is published at output path `output`.
    pub fn exists(&self, output: &str) -> bool {
        self.page(output).is_some() || self.files.contains(output) || self.known.contains(output)
    }

    /// The template file that rendered `page`.
    pub fn template_of(&self, page: &LinkedPage) -> Option<&PathBuf> {
        page.template.map(|t| &self.templates[usize::from(t)])
    }
}

impl RenderedSite {
    /// Renders the site as `build` does, reading each HTML page as it is rendered (on the
    /// rendering threads) and keeping only its ids and links: the pages themselves are never
    /// held all at once.
    pub fn render(site: &Site) -> Result<RenderedSite, Diagnostics> {
        let theme = Theme::for_site(&site.root, &site.config)?;
        let sink = ReadingSink::default();
        render(site, &theme, &sink)?;
        Ok(sink.into_rendered(site, &theme, &all_pages(site), HashSet::new()))
    }

    /// Renders the pages of issue `i` in every language (and the files every page uses); every
    /// other output of the site is [`RenderedSite::known`]. The pages of other issues that its
    /// links point into with a `#fragment` are rendered too, so that their ids are checked.
    pub fn render_issue(site: &Site, i: IssueId) -> Result<RenderedSite, Diagnostics> {
        let theme = Theme::for_site(&site.root, &site.config)?;
        let langs = LangId::all(site.config.languages.len());
        let mut pages: Vec<Output> = langs.flat_map(|l| issue_pages(site, l, i)).collect();
        pages.extend([Output::Static, Output::Assets]);
        let sink = ReadingSink::default();
        render_only(site, &theme, &pages, &sink)?;
        let rendered: HashSet<Output> = pages.iter().copied().collect();
        let mut others: HashMap<String, Output> = HashMap::new();
        for page in all_pages(site).into_iter().filter(|p| !rendered.contains(p)) {
            others.extend(page.outputs(site).into_iter().map(|o| (o, page)));
        }
        // The pages of other issues that a link of these pages names an id of.
        let mut linked: Vec<Output> = Vec::new();
        {
            let read = sink.pages.lock().expect("sink lock");
            let shared = sink.shared.lock().expect("sink lock");
            let links = read.iter().flat_map(|p| p.links.iter().map(move |l| (p.url(), l.value.as_str())));
            for (url, value) in links.chain(shared.iter().map(|(v, s)| (url_of_output(&s.first), v.as_str()))) {
                if let Target::Internal { path, fragment: Some(_) } = classify(&site.config, &url, value) {
                    if let Some(Served::File(f) | Served::Folder(f)) = served_file(&path, |o| others.contains_key(o)) {
                        linked.extend(others.get(&f).copied());
                    }
                }
            }
        }
        linked.sort_unstable();
        linked.dedup();
        render_only(site, &theme, &linked, &sink)?;
        pages.extend(&linked);
        let known: HashSet<String> = others.into_iter().filter(|(_, p)| !linked.contains(p)).map(|(o, _)| o).collect();
        Ok(sink.into_rendered(site, &theme, &pages, known))
    }
}

/// A sink that reads HTML pages as they arrive and forgets every output's bytes.
#[derive(Default)]
struct ReadingSink {
    files: Mutex<BTreeSet<String>>,
    pages: Mutex<Vec<LinkedPage>>,
    shared: Mutex<HashMap<String, Shared>>,
    links: AtomicUsize,
}

impl Sink for ReadingSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        if !path.ends_with(".html") {
            self.files.lock().expect("sink lock").insert(path.to_string());
            return Ok(());
        }
        // Pages are rendered from UTF-8 templates: validated with the fast check (the lossy
        // one walks every character), replaced only if that ever fails.
        let html = std::str::from_utf8(&bytes).map_or_else(|_| String::from_utf8_lossy(&bytes), Cow::Borrowed);
        let Extract { ids, links } = extract(&html);
        self.links.fetch_add(links.len(), Ordering::Relaxed);
        let (shared, own): (Vec<Link>, Vec<Link>) = links.into_iter().partition(|l| resolves_alike(&l.value));
        self.share(path, shared);
        let mut ids: Vec<Box<str>> = ids.into_iter().map(String::into_boxed_str).collect();
        ids.sort_unstable();
        let page = LinkedPage { output: path.into(), ids: ids.into(), links: own.into(), template: None };
        self.pages.lock().expect("sink lock").push(page);
        Ok(())
    }
}

impl ReadingSink {
    /// What was read, with the template of each of `pages` that rendered one.
    fn into_rendered(self, site: &Site, theme: &Theme, pages: &[Output], known: HashSet<String>) -> RenderedSite {
        let files = self.files.into_inner().expect("sink lock");
        let mut read = self.pages.into_inner().expect("sink lock");
        read.sort_unstable_by(|a, b| a.output.cmp(&b.output));
        let links = self.links.into_inner();
        let mut shared: Vec<(String, Shared)> = self.shared.into_inner().expect("sink lock").into_iter().collect();
        shared.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut rendered = RenderedSite { files, pages: read, shared, links, templates: Vec::new(), known };
        for page in pages {
            let Some(file) = page.template().and_then(|t| theme.template_paths.get(t)) else { continue };
            let t = match rendered.templates.iter().position(|f| f == file) {
                Some(t) => t,
                None => {
                    rendered.templates.push(file.clone());
                    rendered.templates.len() - 1
                }
            };
            for output in page.outputs(site) {
                if let Some(i) = rendered.index_of(&output) {
                    rendered.pages[i].template = u16::try_from(t).ok();
                }
            }
        }
        rendered
    }

    /// Adds the shared links of the page at `output`, each counted once per page and placed
    /// where the first page in output order writes it first.
    fn share(&self, output: &str, links: Vec<Link>) {
        if links.is_empty() {
            return;
        }
        let first: Arc<str> = Arc::from(output);
        let mut seen: HashSet<&str> = HashSet::with_capacity(links.len());
        let mut shared = self.shared.lock().expect("sink lock");
        for link in &links {
            if !seen.insert(&link.value) {
                continue;
            }
            let place =
                Shared { first: first.clone(), attr: link.attr, line: link.line, column: link.column, pages: 1 };
            match shared.get_mut(link.value.as_str()) {
                None => {
                    shared.insert(link.value.clone(), place);
                }
                Some(s) => {
                    let pages = s.pages + 1;
                    if *first < *s.first {
                        *s = place;
                    }
                    s.pages = pages;
                }
            }
        }
    }
}
