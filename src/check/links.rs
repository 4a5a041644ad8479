//! Check stage: links and `#anchors` of the rendered pages, templates included.
//!
//! The site is rendered into memory exactly as `build` would, every HTML page is parsed, and
//! every `href` and `src` is resolved against the outputs. A finding is reported against the
//! content file whose Markdown or front matter holds the link, else against the page, naming
//! the template that made it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use percent_encoding::percent_decode_str;
use rayon::prelude::*;
use url::Url;

use super::Files;
pub use super::html::Link;
use super::html::{Extract, extract};
use crate::error::{Diagnostic, Diagnostics};
use crate::load::theme::Theme;
use crate::render::render;
use crate::site::Site;
use crate::site::config::Config;
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
    fn link(&self, value: &str) -> Link {
        Link { attr: self.attr, value: value.to_string(), line: self.line, column: self.column }
    }
}

/// One HTML page of the rendered site: only what links are checked against. Kept compact (boxed
/// slices, no copies of its path): a large archive has a hundred thousand pages.
#[derive(Debug)]
pub struct Page {
    /// Output path, e.g. `en/2025-11/index.html`.
    pub output: Box<str>,
    /// Every id (and `<a name>`), sorted.
    pub ids: Box<[Box<str>]>,
    /// The links that depend on the page (the others are [`Rendered::shared`]).
    pub links: Box<[Link]>,
    /// The template that rendered it, an index into [`Rendered::templates`].
    template: Option<u16>,
}

impl Page {
    /// Its address below the base path, e.g. `/en/2025-11/`.
    pub fn url(&self) -> String {
        crate::render::output_url(&self.output)
    }

    pub fn has_id(&self, id: &str) -> bool {
        self.ids.binary_search_by(|x| (**x).cmp(id)).is_ok()
    }
}

/// The site rendered in memory.
pub struct Rendered {
    /// Every output path but the HTML pages'.
    pub files: BTreeSet<String>,
    /// The HTML pages, sorted by output path.
    pub pages: Vec<Page>,
    /// The links that resolve alike from every page ([`resolves_alike`]), once each, sorted by
    /// value: most of a site's links are the same navigation links on every page.
    pub shared: Vec<(String, Shared)>,
    /// Links on every page, the shared ones counted on each page that shows them.
    pub links: usize,
    /// The theme's template files that rendered pages.
    pub templates: Vec<PathBuf>,
}

impl Rendered {
    /// The HTML page at output path `output`.
    pub fn page(&self, output: &str) -> Option<&Page> {
        Some(&self.pages[self.index_of(output)?])
    }

    /// Where the page at `output` is in [`Rendered::pages`].
    fn index_of(&self, output: &str) -> Option<usize> {
        self.pages.binary_search_by(|p| (*p.output).cmp(output)).ok()
    }

    /// Whether anything is published at output path `output`.
    pub fn exists(&self, output: &str) -> bool {
        self.page(output).is_some() || self.files.contains(output)
    }

    /// The template file that rendered `page`.
    pub fn template_of(&self, page: &Page) -> Option<&PathBuf> {
        page.template.map(|t| &self.templates[usize::from(t)])
    }
}

impl Rendered {
    /// Renders the site as `build` does, reading each HTML page as it is rendered (on the
    /// rendering threads) and keeping only its ids and links: the pages themselves are never
    /// held all at once.
    pub fn render(site: &Site) -> Result<Rendered, Diagnostics> {
        let theme = Theme::load(&site.root, site.config.theme.as_deref())?;
        let sink = ReadingSink::default();
        render(site, &theme, &sink)?;
        let files = sink.files.into_inner().expect("sink lock");
        let mut pages = sink.pages.into_inner().expect("sink lock");
        pages.sort_unstable_by(|a, b| a.output.cmp(&b.output));
        let links = sink.links.into_inner();
        let mut shared: Vec<(String, Shared)> = sink.shared.into_inner().expect("sink lock").into_iter().collect();
        shared.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut rendered = Rendered { files, pages, shared, links, templates: Vec::new() };
        for page in crate::render::all_pages(site) {
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
        Ok(rendered)
    }
}

/// A sink that reads HTML pages as they arrive and forgets every output's bytes.
#[derive(Default)]
struct ReadingSink {
    files: Mutex<BTreeSet<String>>,
    pages: Mutex<Vec<Page>>,
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
        // one walks every character, 5 % of a check), replaced only if that ever fails.
        let html = std::str::from_utf8(&bytes).map_or_else(|_| String::from_utf8_lossy(&bytes), Cow::Borrowed);
        let Extract { ids, links } = extract(&html);
        self.links.fetch_add(links.len(), Ordering::Relaxed);
        let (shared, own): (Vec<Link>, Vec<Link>) = links.into_iter().partition(|l| resolves_alike(&l.value));
        self.share(path, shared);
        let mut ids: Vec<Box<str>> = ids.into_iter().map(String::into_boxed_str).collect();
        ids.sort_unstable();
        let page = Page { output: path.into(), ids: ids.into(), links: own.into(), template: None };
        self.pages.lock().expect("sink lock").push(page);
        Ok(())
    }
}

impl ReadingSink {
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

/// What a link points at.
#[derive(Debug, PartialEq)]
pub enum Target {
    /// Not a web link (`mailto:`, `#`), or nothing to check.
    Skip,
    /// A page of another site; the URL without its fragment.
    Outside(String),
    /// A path below the base path (decoded, starting with `/`) and a decoded fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// A root-relative path that misses the base path.
    OutsideBase(String),
    Malformed,
}

/// Resolves a link found on the page at `page_url` (below the base path).
pub fn classify(config: &Config, page_url: &str, value: &str) -> Target {
    match page_base(config, page_url) {
        Some(base) => classify_at(config, &base, value),
        None => Target::Skip,
    }
}

/// The absolute address of a page, which its relative links resolve against.
fn page_base(config: &Config, page_url: &str) -> Option<Url> {
    Url::parse(&format!("{}{}", config.base_url, page_url)).ok()
}

/// Whether a link resolves to the same target from every page of the site: a root-relative path
/// or an absolute URL. Relative links, `//host` ones (kept simple) and `#anchors` depend on the page.
fn resolves_alike(value: &str) -> bool {
    let v = value.trim_start();
    (v.starts_with('/') && !v.starts_with("//")) || has_scheme(v)
}

/// Whether a link names its scheme (`https:`, `mailto:`): letters, digits, `+`, `-` or `.` up
/// to a colon, before any `/`, `?` or `#`.
fn has_scheme(v: &str) -> bool {
    let end = v.find([':', '/', '?', '#']);
    end.is_some_and(|i| {
        i > 0
            && v.as_bytes()[i] == b':'
            && v.as_bytes()[0].is_ascii_alphabetic()
            && v[..i].bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    })
}

/// [`classify`] with the page's address already parsed (once per page, not per link).
fn classify_at(config: &Config, base: &Url, value: &str) -> Target {
    let v = value.trim();
    if v.is_empty() || v == "#" {
        return Target::Skip;
    }
    let absolute = v.starts_with("//") || has_scheme(v);
    let Ok(url) = base.join(v) else { return Target::Malformed };
    if !matches!(url.scheme(), "http" | "https") {
        return Target::Skip;
    }
    let bp = config.base_path.as_str();
    let path = url.path();
    let inside = bp.is_empty() || path == bp || (path.starts_with(bp) && path.as_bytes().get(bp.len()) == Some(&b'/'));
    let same_site = url.host_str() == base.host_str() && url.port_or_known_default() == base.port_or_known_default();
    if absolute && !(same_site && inside) {
        return Target::Outside(url[..url::Position::AfterQuery].to_string());
    }
    if !inside {
        return Target::OutsideBase(decode(path));
    }
    let rest = decode(&path[bp.len()..]);
    let path = if rest.is_empty() { "/".to_string() } else { rest };
    Target::Internal { path, fragment: url.fragment().map(decode) }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The output a site path is served from: `/a/` → `a/index.html`; `/a` → `a`, or `a/index.html`.
pub fn resolve(path: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let p = path.trim_start_matches('/');
    // Concatenated by hand: millions of links on a large archive, and `format!` showed.
    let with = |suffix: &str| {
        let mut key = String::with_capacity(p.len() + suffix.len());
        key.push_str(p);
        key.push_str(suffix);
        exists(&key).then_some(key)
    };
    if p.is_empty() || p.ends_with('/') {
        return with("index.html");
    }
    if exists(p) { Some(p.to_string()) } else { with("/index.html") }
}

/// Checks every internal link and anchor; returns the findings and, when `outside` asks for
/// them (`check --external`), the outside links with where each is written (locating every
/// outside link of a large archive was a tenth of its check's memory).
pub fn check_internal(
    site: &Site,
    rendered: &Rendered,
    origins: &Origins,
    files: &Files,
    outside: bool,
) -> (Vec<Diagnostic>, Outside) {
    let config = &site.config;
    let mut checker = Checker {
        rendered,
        origins,
        files,
        config,
        collect_outside: outside,
        found: BTreeMap::new(),
        outside: BTreeMap::new(),
        content_links: HashSet::new(),
        suffixes: HashMap::new(),
    };
    // Most links resolve: that is found on all cores, and only the others are visited, in
    // order (the first place a problem is seen is the one reported).
    let unsettled: Vec<(&Page, &Link, Target)> = rendered
        .pages
        .par_iter()
        .flat_map_iter(|page| {
            let Some(base) = page_base(config, &page.url()) else { return Vec::new() };
            let targets = page.links.iter().map(|link| (page, link, classify_at(config, &base, &link.value)));
            targets.filter(|(_, _, target)| !settled(rendered, outside, target)).collect()
        })
        .collect();
    for (page, link, target) in unsettled {
        checker.visit(page, link, &target, 1);
    }
    // Each shared link once, from the first page that shows it: it resolves alike from all.
    let unsettled: Vec<(&Page, Link, Target, usize)> = rendered
        .shared
        .par_iter()
        .filter_map(|(value, shared)| {
            let page = rendered.page(&shared.first)?;
            let target = classify_at(config, &page_base(config, &page.url())?, value);
            (!settled(rendered, outside, &target)).then(|| (page, shared.link(value), target, shared.pages))
        })
        .collect();
    for (page, link, target, pages) in unsettled {
        checker.visit(page, &link, &target, pages);
    }
    let diags = checker
        .found
        .into_iter()
        .map(|((_, _, _, message), (place, pages))| {
            let mut d = Diagnostic::error(&place.path, place.line, place.column, message);
            d.hint = Some(place_hint(&place, pages));
            d
        })
        .collect();
    (diags, checker.outside)
}

/// Whether a link to `target` needs no visit: nothing to check, an outside link not gathered,
/// or an internal one whose page (and anchor, if it has one) exists. What
/// [`Checker::visit`] finds no problem with and records nothing for.
fn settled(rendered: &Rendered, gather_outside: bool, target: &Target) -> bool {
    match target {
        Target::Skip => true,
        Target::Outside(_) => !gather_outside,
        Target::Malformed | Target::OutsideBase(_) => false,
        Target::Internal { path, fragment } => broken(rendered, path, fragment.as_deref()).is_none(),
    }
}

/// How an internal link fails.
enum Broken<'r, 't> {
    /// Nothing is published at its path.
    Path,
    /// Its page has no element with this id.
    Anchor(&'r Page, &'t str),
}

/// How a link to `path` (and `#fragment`) fails, if it does.
fn broken<'r, 't>(rendered: &'r Rendered, path: &str, fragment: Option<&'t str>) -> Option<Broken<'r, 't>> {
    let Some(target) = resolve(path, |o| rendered.exists(o)) else { return Some(Broken::Path) };
    // An empty fragment and `#top` lead to the top of any page; a file that is not a page has
    // no ids to check.
    let f = fragment.filter(|f| !f.is_empty() && *f != "top")?;
    let page = rendered.page(&target)?;
    (!page.has_id(f)).then_some(Broken::Anchor(page, f))
}

/// The state of [`check_internal`] while it visits the links.
struct Checker<'r> {
    rendered: &'r Rendered,
    origins: &'r Origins,
    files: &'r Files,
    config: &'r Config,
    /// Whether to gather the outside links.
    collect_outside: bool,
    /// (file, line, column, message) → where first seen and on how many pages; reported once.
    /// A template's link is keyed by the template, so it is reported once, not on every page.
    found: BTreeMap<(PathBuf, usize, usize, String), (Located, usize)>,
    outside: Outside,
    /// Outside links from content files already located.
    content_links: HashSet<String>,
    /// The ids of each page with a broken anchor, by what follows each `-` in them: made once
    /// per page, so that 20,000 footnotes never compare every link with every id.
    suffixes: HashMap<&'r str, Suffixes<'r>>,
}

impl<'r> Checker<'r> {
    /// Checks `link`, seen on `page` and on `pages` pages in all, which resolves to `target`.
    fn visit(&mut self, page: &'r Page, link: &Link, target: &Target, pages: usize) {
        let (rendered, origins, files, config) = (self.rendered, self.origins, self.files, self.config);
        let problem = match target {
            Target::Skip => None,
            Target::Outside(_) if !self.collect_outside => None,
            Target::Outside(url) => {
                // A link from a content file is located once, wherever else it is shown
                // (issue, topic and tag pages repeat every entry).
                let from_content = !origins.get(&link.value).is_empty();
                if from_content && !self.content_links.insert(link.value.clone()) {
                    return;
                }
                let places = locate(rendered, origins, files, config, page, link);
                let list = self.outside.entry(url.clone()).or_default();
                for p in places {
                    match list.iter_mut().find(|(l, _)| (&l.path, l.line, l.column) == (&p.path, p.line, p.column)) {
                        Some((_, n)) => *n += pages,
                        None => list.push((p, if from_content { 1 } else { pages })),
                    }
                }
                None
            }
            Target::Malformed => Some("malformed link `{link}`".to_string()),
            Target::OutsideBase(path) => Some(format!(
                "link `{{link}}` leads outside the site: {path} is not below the base path {}/",
                config.base_path
            )),
            Target::Internal { path, fragment } => match broken(rendered, path, fragment.as_deref()) {
                None => None,
                Some(Broken::Path) => Some(format!("broken link `{{link}}`: nothing is published at {path}")),
                Some(Broken::Anchor(page, f)) => {
                    let on = if link.value.starts_with('#') { "the page".to_string() } else { path.clone() };
                    // Headings in entries get ids prefixed with topic and slug: suggest the full id.
                    let near = self.suffixes.entry(&page.output).or_insert_with(|| Suffixes::of(page)).get(f);
                    let near = near.map(|id| format!(" (did you mean `#{id}`?)")).unwrap_or_default();
                    Some(format!("broken anchor `{{link}}`: {on} has no element with id `{f}`{near}"))
                }
            },
        };
        let Some(problem) = problem else { return };
        for place in locate(rendered, origins, files, config, page, link) {
            // Show the link as it is written where it is reported.
            let message = problem.replace("{link}", &place.written);
            let key = match &place.template {
                Some(t) => (t.clone(), 0, 0, message.clone()),
                None => (place.path.clone(), place.line, place.column, message.clone()),
            };
            self.found.entry(key).or_insert((place, 0)).1 += pages;
        }
    }
}

/// The ids of a page by each of their `-`-suffixes (`news-x-intro` under `x-intro` and `intro`):
/// the id a broken anchor probably meant, the first in order when several end alike. Only a
/// hint: ids longer than [`Suffixes::LONGEST`] bytes are left out, so one heading of a
/// hundred thousand hyphens costs nothing.
struct Suffixes<'p>(HashMap<&'p str, &'p str>);

impl<'p> Suffixes<'p> {
    const LONGEST: usize = 256;

    fn of(page: &'p Page) -> Suffixes<'p> {
        let mut map: HashMap<&str, &str> = HashMap::new();
        for id in page.ids.iter().filter(|id| id.len() <= Self::LONGEST) {
            for (i, _) in id.match_indices('-') {
                let slot = map.entry(&id[i + 1..]).or_insert(id);
                if **id < **slot {
                    *slot = id;
                }
            }
        }
        Suffixes(map)
    }

    fn get(&self, fragment: &str) -> Option<&'p str> {
        self.0.get(fragment).copied()
    }
}

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

fn page_address(config: &Config, page: &Page) -> String {
    format!("{}{}", config.base_path, page.url())
}

/// Where a link on `page` was written: the content files holding it, else the page itself.
pub fn locate(
    rendered: &Rendered,
    origins: &Origins,
    files: &Files,
    config: &Config,
    page: &Page,
    link: &Link,
) -> Vec<Located> {
    let address = page_address(config, page);
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
