//! Render stage: `&Site` → every output file, rendered in parallel into a [`Sink`]; no disk
//! access but the assets it copies.
//!
//! [`Page`] names each output and where it goes; [`pages`] renders the HTML pages through the
//! theme with typed contexts ([`context`]) built from shared views ([`view`]); [`feed`] and
//! [`sitemap`] write XML; [`deps`] says which pages show an entry, for the incremental
//! rebuilds of [`session`].

pub mod absolute;
pub mod batch;
pub mod context;
pub mod deps;
pub mod feed;
pub mod outputs;
mod pages;
pub mod session;
pub mod sitemap;
pub mod view;

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::theme::Theme;
use crate::site::Site;
use crate::site::layout::Address;
use crate::write::Sink;
pub use deps::pages_showing_entry;
use view::Views;

/// One output of the site (a page, a feed, or a group of files), the unit of rendering work.
/// Languages, issues, entries, topics and tags are indexes into the configuration and the [`Site`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Page {
    /// `rss.xml` and `atom.xml` of a language.
    Feeds(usize),
    TopicFeed(usize, usize),
    Tag(usize, usize),
    Topic(usize, usize),
    Home(usize),
    Archive(usize),
    Tags(usize),
    NotFound(usize),
    /// The search page of a language; its index is written by [`crate::search`].
    Search(usize),
    Issue(usize, usize),
    /// One topic of one issue (language, issue, topic): only for topics with entries there.
    IssueTopic(usize, usize, usize),
    Entry(usize, usize),
    Sitemap,
    Robots,
    /// The theme's static files.
    Static,
    /// Files found beside entries.
    Assets,
}

/// Every output of the site, the larger first so that the parallel render ends evenly.
pub fn all_pages(site: &Site) -> Vec<Page> {
    let langs = 0..site.config.languages.len();
    let (topics, tags) = (site.config.topics.len(), site.tags.len());
    let mut pages: Vec<Page> = langs.clone().map(Page::Feeds).collect();
    // One long job on one thread, so early.
    pages.push(Page::Sitemap);
    pages.extend(langs.clone().flat_map(|l| (0..topics).map(move |t| Page::TopicFeed(l, t))));
    pages.extend(langs.clone().flat_map(|l| (0..tags).map(move |t| Page::Tag(l, t))));
    pages.extend(langs.clone().flat_map(|l| (0..topics).map(move |t| Page::Topic(l, t))));
    for l in langs {
        pages.extend([Page::Home(l), Page::Archive(l), Page::Tags(l), Page::NotFound(l), Page::Search(l)]);
        pages.extend((0..site.issues.len()).map(|i| Page::Issue(l, i)));
        pages.extend(issue_topics(site).map(|(i, t)| Page::IssueTopic(l, i, t)));
        pages.extend((0..site.entries.len()).map(|e| Page::Entry(l, e)));
    }
    pages.extend([Page::Robots, Page::Static, Page::Assets]);
    pages
}

/// Every (issue, topic) with entries in that issue: the issue topic pages of each language.
pub fn issue_topics(site: &Site) -> impl Iterator<Item = (usize, usize)> + '_ {
    site.issues.iter().enumerate().flat_map(|(i, issue)| issue.topics_with_entries().map(move |(t, _)| (i, t)))
}

impl Page {
    /// The language of the page; `None` for files shared by all languages.
    pub fn lang(self) -> Option<usize> {
        match self {
            Page::Feeds(l) | Page::Home(l) | Page::Archive(l) | Page::Tags(l) | Page::NotFound(l) | Page::Search(l) => {
                Some(l)
            }
            Page::TopicFeed(l, _) | Page::Tag(l, _) | Page::Topic(l, _) | Page::Issue(l, _) | Page::Entry(l, _) => {
                Some(l)
            }
            Page::IssueTopic(l, ..) => Some(l),
            Page::Sitemap | Page::Robots | Page::Static | Page::Assets => None,
        }
    }

    /// Whether the output is a feed, which no open page shows: `serve` renders these last.
    pub fn is_feed(self) -> bool {
        matches!(self, Page::Feeds(_) | Page::TopicFeed(..))
    }

    /// Whether the page lists entries across the whole archive (topics, tags, feeds): the
    /// slowest to render again after a save, as they grow with the archive.
    pub fn spans_archive(self) -> bool {
        matches!(
            self,
            Page::Feeds(_)
                | Page::TopicFeed(..)
                | Page::Topic(..)
                | Page::Tag(..)
                | Page::Tags(_)
                | Page::Archive(_)
                | Page::Sitemap
        )
    }

    /// The template an HTML page is rendered with; `None` for the other outputs.
    pub fn template(self) -> Option<&'static str> {
        Some(match self {
            Page::Home(_) => "index.html",
            Page::Archive(_) => "archive.html",
            Page::Tags(_) => "tags.html",
            Page::NotFound(_) => "404.html",
            Page::Search(_) => "search.html",
            Page::Issue(..) => "issue.html",
            Page::IssueTopic(..) => "issue_topic.html",
            Page::Entry(..) => "entry.html",
            Page::Topic(..) => "topic.html",
            Page::Tag(..) => "tag.html",
            _ => return None,
        })
    }

    /// The address of the page (for the feeds of a language, its RSS feed); `None` for the
    /// theme's files and the assets, which are listed by the theme and the site.
    pub fn address(self, site: &Site) -> Option<Address<'_>> {
        let c = &site.config;
        Some(match self {
            Page::Home(_) => Address::Home,
            Page::Archive(_) => Address::Archive,
            Page::Tags(_) => Address::Tags,
            Page::NotFound(_) => Address::NotFound,
            Page::Search(_) => Address::Search,
            Page::Issue(_, i) => Address::Issue(&site.issues[i].key),
            Page::IssueTopic(_, i, t) => Address::issue_topic(site, &site.issues[i], t),
            Page::Entry(_, e) => Address::entry(site, &site.entries[e]),
            Page::Topic(_, t) => Address::Topic(&c.topics[t].key),
            Page::Tag(_, t) => Address::Tag(&site.tags[t].slug),
            Page::Feeds(_) => Address::Rss,
            Page::TopicFeed(_, t) => Address::TopicFeed(&c.topics[t].key),
            Page::Sitemap => Address::Sitemap,
            Page::Robots => Address::Robots,
            Page::Static | Page::Assets => return None,
        })
    }

    /// The output files of the page, relative to the output folder with `/` separators, from
    /// the site's layout ([`crate::site::layout`]). Static files and assets are listed by the
    /// theme and the site.
    pub fn outputs(self, site: &Site) -> Vec<String> {
        let c = &site.config;
        let lang = c.languages[self.lang().unwrap_or(0)].code.as_str();
        match (self, self.address(site)) {
            (Page::Feeds(_), _) => vec![c.output(lang, Address::Rss), c.output(lang, Address::Atom)],
            (_, Some(address)) => vec![c.output(lang, address)],
            (_, None) => Vec::new(),
        }
    }
}

/// Renders the whole site into `sink`. All problems are reported together.
///
/// One language at a time, in [`batch`]es: each batch's entry values are built, its pages
/// rendered in parallel, and the values freed, so a build never holds more than a batch's
/// values (a bounded share of one language's entries).
pub fn render(site: &Site, theme: &Theme, sink: &dyn Sink) -> Result<(), Diagnostics> {
    let mut languages = Languages::new(site, theme)?;
    let mut diags = Diagnostics::new();
    for l in 0..site.config.languages.len() {
        if let Err(d) = languages.render(l, sink) {
            diags.extend(d);
        }
    }
    diags.0.dedup();
    diags.into_result(())
}

/// A site rendered one language at a time, so that a caller can act between languages (the
/// search stage builds each language's index before the next is rendered).
pub struct Languages<'a> {
    site: &'a Site,
    theme: &'a Theme,
    views: Views,
    /// The entry values a batch may hold, given the most entries one page shows.
    budget: fn(usize) -> usize,
}

impl<'a> Languages<'a> {
    /// Checks that no two pages write the same output, and builds the views shared by all.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Result<Languages<'a>, Diagnostics> {
        outputs::check_outputs(site, theme)?;
        Ok(Languages { site, theme, views: Views::without_entries(site), budget: batch::budget })
    }

    /// Renders every page of language `l` into `sink`; the first language also renders the
    /// files shared by all.
    pub fn render(&mut self, l: usize, sink: &dyn Sink) -> Result<(), Diagnostics> {
        let site = self.site;
        let pages = batch::language_pages(site, l, l == 0);
        let mut diags = Diagnostics::new();
        for b in batch::batches(site, &pages, self.budget) {
            self.views.langs[l].fill_entries(site, &b.entries);
            if let Err(d) = render_pages(site, self.theme, &self.views, &b.pages, sink) {
                diags.extend(d);
            }
            self.views.langs[l].clear_entries();
        }
        diags.0.dedup();
        diags.into_result(())
    }
}

/// Renders `pages` of the site, in parallel, with views already built by [`Views::build`].
pub fn render_pages(
    site: &Site,
    theme: &Theme,
    views: &Views,
    pages: &[Page],
    sink: &dyn Sink,
) -> Result<(), Diagnostics> {
    let r = pages::Renderer { site, theme, views };
    let errors: Vec<Diagnostic> = pages.par_iter().filter_map(|page| r.run(*page, sink).err()).collect();
    let mut diags = Diagnostics(errors);
    diags.0.dedup();
    diags.into_result(())
}

/// Shortens text to at most `max` characters, at a word boundary when there is one.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > cut.len() / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::MemorySink;

    #[test]
    fn small_batches_render_the_same_site_as_one_render_of_every_page() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::load::load(root, &crate::load::LoadOptions::default()).expect("the sample loads");
        let theme = Theme::load(root, None).expect("the theme loads");
        let batched = MemorySink::default();
        let mut languages = Languages::new(&site, &theme).expect("no collisions");
        languages.budget = |_| 3;
        for l in 0..site.config.languages.len() {
            languages.render(l, &batched).expect("renders");
        }
        let whole = MemorySink::default();
        render_pages(&site, &theme, &Views::build(&site), &all_pages(&site), &whole).expect("renders");
        let (batched, whole) = (batched.into_inner(), whole.into_inner());
        assert!(whole.len() > 200, "{} outputs", whole.len());
        assert_eq!(batched.keys().collect::<Vec<_>>(), whole.keys().collect::<Vec<_>>());
        for (path, bytes) in &whole {
            assert!(batched[path] == *bytes, "{path} differs");
        }
    }
}
