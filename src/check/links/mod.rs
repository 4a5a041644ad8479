//! Check stage: links and `#anchors` of the rendered pages, templates included.
//!
//! The site is rendered into memory exactly as `build` would, every HTML page is parsed, and
//! every `href` and `src` is resolved against the outputs. A finding is reported against the
//! content file whose Markdown or front matter holds the link, else against the page, naming
//! the template that made it.
//!
//! [`pages`] renders and reads the pages, [`target`] classifies each link, [`origins`] finds
//! where it was written; this module checks them.

mod origins;
mod pages;
mod target;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use super::Files;
pub use super::html::Link;
use crate::error::Diagnostic;
use crate::load::LeftOut;
use crate::site::Site;
use crate::site::config::Config;
use crate::site::layout::{Address, Served, has_scheme, served_file};
pub use origins::{Located, Origins, Outside, locate, place_hint};
pub use pages::{LinkedPage, RenderedSite, Shared};
pub use target::{Target, classify};
use target::{classify_at, page_base};

/// Checks every internal link and anchor; returns the findings and, when `outside` asks for
/// them (`check --external`), the outside links with where each is written (locating every
/// outside link costs memory that a check without `--external` need not spend).
pub fn check_internal(
    site: &Site,
    rendered: &RenderedSite,
    origins: &Origins,
    files: &Files,
    outside: bool,
    left_out: &[LeftOut],
) -> (Vec<Diagnostic>, Outside) {
    let config = &site.config;
    let left_out = left_out_paths(site, left_out);
    let settled = |target: &Target| settled(rendered, outside, target) || leads_into(&left_out, target);
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
    let unsettled: Vec<(&LinkedPage, &Link, Target)> = rendered
        .pages
        .par_iter()
        .flat_map_iter(|page| {
            let Some(base) = page_base(config, &page.url()) else { return Vec::new() };
            let targets = page.links.iter().map(|link| (page, link, classify_at(config, &base, &link.value)));
            targets.filter(|(_, _, target)| !settled(target)).collect()
        })
        .collect();
    for (page, link, target) in unsettled {
        checker.visit(page, link, &target, 1);
    }
    // Each shared link once, from the first page that shows it: it resolves alike from all.
    let unsettled: Vec<(&LinkedPage, Link, Target, usize)> = rendered
        .shared
        .par_iter()
        .filter_map(|(value, shared)| {
            let page = rendered.page(&shared.first)?;
            let target = classify_at(config, &page_base(config, &page.url())?, value);
            (!settled(&target)).then(|| (page, shared.link(value), target, shared.pages))
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
fn settled(rendered: &RenderedSite, gather_outside: bool, target: &Target) -> bool {
    match target {
        Target::Skip => true,
        Target::Outside(_) => !gather_outside,
        Target::Malformed | Target::OutsideBase(_) => false,
        Target::Internal { path, fragment } => broken(rendered, path, fragment.as_deref()).is_none(),
    }
}

/// A warning for each link from a text to a page in another language (`/en/…` written in a
/// Chinese file): relative links resolve in their file's language, root-relative ones are taken
/// as written. Pages of the site only, not its shared files.
pub fn other_language_links(site: &Site, rendered: &RenderedSite, origins: &Origins, files: &Files) -> Vec<Diagnostic> {
    let config = &site.config;
    let mut out = Vec::new();
    for (value, holders) in origins.iter().filter(|(v, _)| target::resolves_alike(v) && !has_scheme(v)) {
        let Target::Internal { path, .. } = classify(config, "/", value) else { continue };
        let Some(Served::File(file) | Served::Folder(file)) = served_file(&path, |o| rendered.exists(o)) else {
            continue;
        };
        if !file.ends_with(".html") {
            continue;
        }
        let page_lang = config.lang_of_output(&file);
        for origin in holders {
            let Some((lang, _)) = origins.file(&origin.path).filter(|(l, _)| l != page_lang) else { continue };
            let needles = [origin.written.as_deref().unwrap_or(value), value];
            let found = files.get(&origin.path).and_then(|f| f.find(&needles).map(|(at, w)| (at, w.to_string())));
            let ((line, column), written) = found.unwrap_or(((1, 1), value.to_string()));
            out.push(
                Diagnostic::warning(
                    &origin.path,
                    line,
                    column,
                    format!("link `{written}` in a `{lang}` text leads to a `{page_lang}` page"),
                )
                .with_hint(
                    "write it relative to the file (`../news/x/`): it then leads to the page in the file's language",
                ),
            );
        }
    }
    out
}

/// The paths (decoded, below the base path, without a trailing `/`) of the pages that files
/// left out of the site would have made: links to them are not reported, their files' own
/// errors are.
fn left_out_paths(site: &Site, left_out: &[LeftOut]) -> Vec<String> {
    let config = &site.config;
    let mut paths = Vec::new();
    for l in left_out {
        let address = match &l.entry {
            Some((topic, slug)) => Address::Entry { issue: &l.issue, topic, slug },
            None => Address::Issue(&l.issue),
        };
        let loaded = match &l.entry {
            Some((topic, slug)) => site.entries.iter().any(|e| {
                e.slug == *slug && site.issues[e.issue].key == l.issue && config.topics[e.topic].key == *topic
            }),
            None => site.issues.iter().any(|i| i.key == l.issue),
        };
        if loaded {
            continue;
        }
        for lang in &config.languages {
            let href = config.href(&lang.code, address);
            let below = href.strip_prefix(config.base_path.as_str()).unwrap_or(&href);
            paths.push(target::decode(below.trim_end_matches('/')));
        }
    }
    paths
}

/// Whether `target` is a page of `left_out` ([`left_out_paths`]) or below one.
fn leads_into(left_out: &[String], target: &Target) -> bool {
    let Target::Internal { path, .. } = target else { return false };
    left_out.iter().any(|p| path.strip_prefix(p.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

/// How an internal link fails.
enum Broken<'r, 't> {
    /// Nothing is published at its path.
    Path,
    /// Its page has no element with this id.
    Anchor(&'r LinkedPage, &'t str),
}

/// How a link to `path` (and `#fragment`) fails, if it does.
fn broken<'r, 't>(rendered: &'r RenderedSite, path: &str, fragment: Option<&'t str>) -> Option<Broken<'r, 't>> {
    let target = match served_file(path, |o| rendered.exists(o)) {
        Some(Served::File(target) | Served::Folder(target)) => target,
        None => return Some(Broken::Path),
    };
    // An empty fragment and `#top` lead to the top of any page; a file that is not a page has
    // no ids to check.
    let f = fragment.filter(|f| !f.is_empty() && *f != "top")?;
    let page = rendered.page(&target)?;
    (!page.has_id(f)).then_some(Broken::Anchor(page, f))
}

/// The state of [`check_internal`] while it visits the links.
struct Checker<'r> {
    rendered: &'r RenderedSite,
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
    fn visit(&mut self, page: &'r LinkedPage, link: &Link, target: &Target, pages: usize) {
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
/// the id a broken anchor probably meant, the first in order when several end alike; else, on a
/// page of at most [`Suffixes::NEAR_IDS`] ids, the id nearest in spelling (`upgrade-note` for
/// `upgrade-notes`). Only a hint: ids longer than [`Suffixes::LONGEST`] bytes are left out, so
/// one heading of a hundred thousand hyphens costs nothing.
struct Suffixes<'p>(HashMap<&'p str, &'p str>, &'p LinkedPage);

impl<'p> Suffixes<'p> {
    const LONGEST: usize = 256;
    /// The most ids a page may have for the nearest spelling to be looked for among them.
    const NEAR_IDS: usize = 2000;
    /// How alike (normalised Levenshtein) an id must be to be suggested.
    const NEAR: f64 = 0.85;

    fn of(page: &'p LinkedPage) -> Suffixes<'p> {
        let mut map: HashMap<&str, &str> = HashMap::new();
        for id in page.ids.iter().filter(|id| id.len() <= Self::LONGEST) {
            for (i, _) in id.match_indices('-') {
                let slot = map.entry(&id[i + 1..]).or_insert(id);
                if **id < **slot {
                    *slot = id;
                }
            }
        }
        Suffixes(map, page)
    }

    fn get(&self, fragment: &str) -> Option<&'p str> {
        if let Some(id) = self.0.get(fragment) {
            return Some(id);
        }
        let ids = &self.1.ids;
        if ids.len() > Self::NEAR_IDS || fragment.len() > Self::LONGEST {
            return None;
        }
        let near = ids.iter().filter(|id| id.len() <= Self::LONGEST);
        let scored = near.map(|id| (strsim::normalized_levenshtein(fragment, id), &**id));
        scored.filter(|(s, _)| *s >= Self::NEAR).max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1))).map(|(_, id)| id)
    }
}
