//! Render stage: `&Site` → every output file, rendered in parallel into a [`Sink`]; no disk
//! access but the assets it copies.
//!
//! [`Output`] names each output and where it goes; [`pages`] renders the HTML pages through the
//! theme with typed contexts ([`context`]) built from shared views ([`view`]); [`feed`] and
//! [`sitemap`] write XML; [`deps`] says which pages show an entry, for the incremental
//! rebuilds of [`session`].

pub mod absolute;
pub mod batch;
pub mod context;
pub mod deps;
pub mod feed;
pub mod lists;
pub mod outputs;
mod pages;
pub mod picture;
pub mod session;
pub mod sitemap;
pub mod view;

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::theme::Theme;
use crate::site::layout::Address;
use crate::site::{EntryId, IssueId, LangId, Site, TagId, TopicId};
use crate::write::Sink;
pub use deps::pages_showing_entry;
use view::Views;

/// One output of the site (a page, a feed, or a group of files), the unit of rendering work, in
/// a language ([`LangId`]) for all but the files every language shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Output {
    /// `rss.xml` and `atom.xml` of a language.
    Feeds(LangId),
    TopicFeed(LangId, TopicId),
    /// A tag's page: its newest entries ([`lists`]).
    Tag(LangId, TagId),
    /// A full page of a tag's entries, by its number from the oldest.
    TagPart(LangId, TagId, usize),
    /// A topic's page: its newest entries.
    Topic(LangId, TopicId),
    /// A full page of a topic's entries, by its number from the oldest.
    TopicPart(LangId, TopicId, usize),
    Home(LangId),
    Archive(LangId),
    Tags(LangId),
    NotFound(LangId),
    /// The search page of a language; its index is written by [`crate::search`].
    Search(LangId),
    Issue(LangId, IssueId),
    /// One topic of one issue: only for topics with entries there.
    IssueTopic(LangId, IssueId, TopicId),
    Entry(LangId, EntryId),
    Sitemap,
    Robots,
    /// The theme's static files.
    Static,
    /// Files found beside entries.
    Assets,
}

/// Every output of the site, the larger first so that the parallel render ends evenly.
pub fn all_pages(site: &Site) -> Vec<Output> {
    let langs = LangId::all(site.config.languages.len());
    let (topics, tags) = (site.config.topics.len(), site.tags.len());
    let mut pages: Vec<Output> = langs.clone().map(Output::Feeds).collect();
    // One long job on one thread, so early.
    pages.push(Output::Sitemap);
    pages.extend(langs.clone().flat_map(|l| TopicId::all(topics).map(move |t| Output::TopicFeed(l, t))));
    pages.extend(langs.clone().flat_map(|l| TagId::all(tags).map(move |t| Output::Tag(l, t))));
    pages.extend(langs.clone().flat_map(|l| TopicId::all(topics).map(move |t| Output::Topic(l, t))));
    pages.extend(langs.clone().flat_map(|l| lists::part_pages(site, l)));
    for l in langs {
        pages.extend([Output::Home(l), Output::Archive(l), Output::Tags(l), Output::NotFound(l), Output::Search(l)]);
        pages.extend(IssueId::all(site.issues.len()).map(|i| Output::Issue(l, i)));
        pages.extend(issue_topics(site).map(|(i, t)| Output::IssueTopic(l, i, t)));
        pages.extend(EntryId::all(site.entries.len()).map(|e| Output::Entry(l, e)));
    }
    pages.extend([Output::Robots, Output::Static, Output::Assets]);
    pages
}

/// Every (issue, topic) with entries in that issue: the issue topic pages of each language.
pub fn issue_topics(site: &Site) -> impl Iterator<Item = (IssueId, TopicId)> + '_ {
    let issues = site.issues.iter_enumerated();
    issues.flat_map(|(i, issue)| issue.topics_with_entries().map(move |(t, _)| (i, t)))
}

impl Output {
    /// The language of the page; `None` for files shared by all languages.
    pub fn lang(self) -> Option<LangId> {
        match self {
            Output::Feeds(l)
            | Output::Home(l)
            | Output::Archive(l)
            | Output::Tags(l)
            | Output::NotFound(l)
            | Output::Search(l) => Some(l),
            Output::TopicFeed(l, _)
            | Output::Tag(l, _)
            | Output::Topic(l, _)
            | Output::Issue(l, _)
            | Output::Entry(l, _) => Some(l),
            Output::TopicPart(l, ..) | Output::TagPart(l, ..) => Some(l),
            Output::IssueTopic(l, ..) => Some(l),
            Output::Sitemap | Output::Robots | Output::Static | Output::Assets => None,
        }
    }

    /// Whether the output is a feed, which no open page shows: `serve` renders these last.
    pub fn is_feed(self) -> bool {
        matches!(self, Output::Feeds(_) | Output::TopicFeed(..))
    }

    /// Whether the page lists entries across the whole archive (topics, tags, feeds): the
    /// slowest to render again after a save, as they grow with the archive.
    pub fn spans_archive(self) -> bool {
        matches!(
            self,
            Output::Feeds(_)
                | Output::TopicFeed(..)
                | Output::Topic(..)
                | Output::Tag(..)
                | Output::Tags(_)
                | Output::Archive(_)
                | Output::Sitemap
        )
    }

    /// The template an HTML page is rendered with; `None` for the other outputs.
    pub fn template(self) -> Option<&'static str> {
        Some(match self {
            Output::Home(_) => "index.html",
            Output::Archive(_) => "archive.html",
            Output::Tags(_) => "tags.html",
            Output::NotFound(_) => "404.html",
            Output::Search(_) => "search.html",
            Output::Issue(..) => "issue.html",
            Output::IssueTopic(..) => "issue_topic.html",
            Output::Entry(..) => "entry.html",
            Output::Topic(..) | Output::TopicPart(..) => "topic.html",
            Output::Tag(..) | Output::TagPart(..) => "tag.html",
            _ => return None,
        })
    }

    /// The address of the page (for the feeds of a language, its RSS feed); `None` for the
    /// theme's files and the assets, which are listed by the theme and the site.
    pub fn address(self, site: &Site) -> Option<Address<'_>> {
        let c = &site.config;
        Some(match self {
            Output::Home(_) => Address::Home,
            Output::Archive(_) => Address::Archive,
            Output::Tags(_) => Address::Tags,
            Output::NotFound(_) => Address::NotFound,
            Output::Search(_) => Address::Search,
            Output::Issue(_, i) => Address::Issue(&site.issues[i].key),
            Output::IssueTopic(_, i, t) => Address::issue_topic(site, &site.issues[i], t),
            Output::Entry(_, e) => Address::entry(site, &site.entries[e]),
            Output::Topic(_, t) => Address::Topic(&c.topics[t].key),
            Output::Tag(_, t) => Address::Tag(&site.tags[t].slug),
            Output::TopicPart(..) | Output::TagPart(..) => {
                let (list, part) = self.list()?;
                lists::ListPages::of(site, list).address(site, list, part)
            }
            Output::Feeds(_) => Address::Rss,
            Output::TopicFeed(_, t) => Address::TopicFeed(&c.topics[t].key),
            Output::Sitemap => Address::Sitemap,
            Output::Robots => Address::Robots,
            Output::Static | Output::Assets => return None,
        })
    }

    /// The output files of the page, relative to the output folder with `/` separators, from
    /// the site's layout ([`crate::site::layout`]). Static files and assets are listed by the
    /// theme and the site.
    pub fn outputs(self, site: &Site) -> Vec<String> {
        let c = &site.config;
        let lang = c.languages[self.lang().unwrap_or(LangId::DEFAULT)].code.as_str();
        match (self, self.address(site)) {
            (Output::Feeds(_), _) => vec![c.output(lang, Address::Rss), c.output(lang, Address::Atom)],
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
    let mut languages = LanguageRenderer::new(site, theme)?;
    let mut diags = Diagnostics::new();
    for l in LangId::all(site.config.languages.len()) {
        if let Err(d) = languages.render(l, sink) {
            diags.extend(d);
        }
    }
    diags.0.dedup();
    diags.into_result(())
}

/// A site rendered one language at a time, so that a caller can act between languages (the
/// search stage builds each language's index before the next is rendered).
pub struct LanguageRenderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    views: Views,
    /// The entry values a batch may hold, given the most entries one page shows.
    budget: fn(usize) -> usize,
}

impl<'a> LanguageRenderer<'a> {
    /// Checks that no two pages write the same output, and builds the views shared by all.
    pub fn new(site: &'a Site, theme: &'a Theme) -> Result<LanguageRenderer<'a>, Diagnostics> {
        outputs::check_outputs(site, theme)?;
        Ok(LanguageRenderer { site, theme, views: Views::without_entries(site), budget: batch::budget })
    }

    /// Renders every page of language `l` into `sink`; the first language also renders the
    /// files shared by all.
    pub fn render(&mut self, l: LangId, sink: &dyn Sink) -> Result<(), Diagnostics> {
        let site = self.site;
        let pages = batch::language_pages(site, l, l == LangId::DEFAULT);
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

/// Renders only `pages` of the site, each language's with the entry values they show: a check of
/// one issue renders that issue's pages, not the archive.
pub fn render_only(site: &Site, theme: &Theme, pages: &[Output], sink: &dyn Sink) -> Result<(), Diagnostics> {
    let mut views = Views::without_entries(site);
    let mut diags = Diagnostics::new();
    for l in LangId::all(site.config.languages.len()) {
        let mine: Vec<Output> = pages.iter().copied().filter(|p| p.lang().unwrap_or(LangId::DEFAULT) == l).collect();
        let mut entries: Vec<EntryId> = mine.iter().flat_map(|&p| deps::entries_shown(site, p)).collect();
        entries.sort_unstable();
        entries.dedup();
        views.langs[l].fill_entries(site, &entries);
        if let Err(d) = render_pages(site, theme, &views, &mine, sink) {
            diags.extend(d);
        }
        views.langs[l].clear_entries();
    }
    diags.into_result(())
}

/// Renders `pages` of the site, in parallel, with views already built by [`Views::build`].
pub fn render_pages(
    site: &Site,
    theme: &Theme,
    views: &Views,
    pages: &[Output],
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
        let mut languages = LanguageRenderer::new(&site, &theme).expect("no collisions");
        languages.budget = |_| 3;
        for l in LangId::all(site.config.languages.len()) {
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
