//! Render stage: each output of [`Output`] rendered, the HTML pages through the theme with the
//! typed contexts of [`super::context`].

use rayon::prelude::*;

use super::context::{
    ArchivePage, Base, EntryPage, HomePage, IssueGroup, IssuePage, IssueTopicLink, IssueTopicPage, LangContext,
    ListNav, ListPageLink, NotFoundPage, SearchPage, TagPage, TagsPage, TopicGroup, TopicPage, Year, to_context,
};
use super::lists::{List, ListPages};
use super::picture::{first_image_eager, with_pictures};
use super::view::{Alternate, FeedLink, HrefLang, LangViews, PageMeta, Views};
use super::{Output, feed, sitemap, truncate};
use crate::error::Diagnostic;
use crate::load::theme::Theme;
use crate::site::config::Config;
use crate::site::layout::Address;
use crate::site::{EntryId, IssueId, LangId, Site, TagId, TopicId};
use crate::write::Sink;

pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    pub(super) theme: &'a Theme,
    pub(super) views: &'a Views,
}

impl Renderer<'_> {
    pub(super) fn run(&self, page: Output, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let html = match page {
            Output::Home(l) => self.home(l)?,
            Output::Archive(l) => self.archive(l)?,
            Output::Tags(l) => self.tags(l)?,
            Output::NotFound(l) => self.not_found(l)?,
            Output::Search(l) => self.search(l)?,
            Output::Issue(l, i) => self.issue(l, i)?,
            Output::IssueTopic(l, i, t) => self.issue_topic(l, i, t)?,
            Output::Entry(l, e) => self.entry(l, e)?,
            Output::Topic(l, t) => self.topic(l, t, None)?,
            Output::Tag(l, t) => self.tag(l, t, None)?,
            Output::TopicPart(l, t, p) => self.topic(l, t, Some(p))?,
            Output::TagPart(l, t, p) => self.tag(l, t, Some(p))?,
            Output::Feeds(l) => {
                let paths = page.outputs(self.site);
                return self.issue_feeds(l, &paths[0], &paths[1], sink);
            }
            Output::TopicFeed(l, t) => {
                let path = &page.outputs(self.site)[0];
                return sink.put_with(path, &mut |w| {
                    feed::topic_rss(self.site, self.views.lang(l), t, w).map(drop).map_err(|e| io_error(path, &e))
                });
            }
            Output::Sitemap => return sitemap::write(self.site, sitemap::PROTOCOL, sink),
            Output::Robots => return sink.put("robots.txt", sitemap::robots(self.site)),
            Output::Static => {
                for (path, bytes) in &self.theme.static_files {
                    sink.put(path, bytes.clone())?;
                }
                return Ok(());
            }
            Output::Assets => {
                // Images are the image stage's to publish, as their variants.
                for a in self.site.assets.iter().filter(|a| self.site.pictures.get(&a.output).is_none()) {
                    let bytes = std::fs::read(self.site.root.join(&a.path)).map_err(|e| Diagnostic::io(&a.path, &e))?;
                    sink.put(&a.output, bytes)?;
                }
                return Ok(());
            }
        };
        sink.put(&page.outputs(self.site)[0], first_image_eager(html))
    }

    /// What every page gets: `lang`, `site`, `t` and `page`.
    fn base(&self, l: LangId, page: PageMeta) -> Base<'_> {
        let lv = self.views.lang(l);
        Base { lang: LangContext::of(lv), page }
    }

    /// Page metadata for an address that exists in every language.
    fn meta(&self, l: LangId, kind: &'static str, address: Address, title: String, description: String) -> PageMeta {
        let c = &self.site.config;
        let lv = self.views.lang(l);
        let alternates: Vec<Alternate> = c
            .languages
            .iter_enumerated()
            .map(|(i, lang)| Alternate {
                lang: lang.code.clone(),
                name: self.views.lang(i).strings["language_name"].clone(),
                url: c.href(&lang.code, address),
                permalink: c.permalink(&lang.code, address),
                current: i == l,
                translated: true,
            })
            .collect();
        let site_title = &c.languages[l].title;
        let feed = |kind: &str, mime: &str, url: String, title: String| FeedLink {
            kind: kind.into(),
            mime: mime.into(),
            url,
            title,
        };
        let mut feeds = vec![
            feed("rss", "application/rss+xml", c.href(&lv.lang, Address::Rss), format!("{site_title} (RSS)")),
            feed("atom", "application/atom+xml", c.href(&lv.lang, Address::Atom), format!("{site_title} (Atom)")),
        ];
        if let Address::Topic(key) | Address::IssueTopic { topic: key, .. } = address {
            if let Some(t) = c.topic_index(key) {
                let title = format!("{} · {site_title}", lv.topics[t].name);
                feeds.push(feed("rss", "application/rss+xml", lv.topics[t].feed_url.clone(), title));
            }
        }
        let full_title = if kind == "home" { title } else { format!("{title} · {site_title}") };
        PageMeta {
            kind,
            title: full_title,
            description,
            url: c.href(&lv.lang, address),
            permalink: c.permalink(&lv.lang, address),
            canonical: c.permalink(&lv.lang, address),
            hreflang: hreflang(c, &alternates),
            alternates,
            feeds,
            og_type: if kind == "entry" || kind == "issue" { "article" } else { "website" },
            image: None,
        }
    }

    /// Marks which languages an entry or issue is written in (`written`): a page in another
    /// language shows the text of `shown` and names that page as canonical, and hreflang
    /// alternates link only the pages written in their language.
    fn written_in(&self, page: &mut PageMeta, address: Address, written: impl Fn(&str) -> bool, shown: &str) {
        let c = &self.site.config;
        for alt in &mut page.alternates {
            alt.translated = written(&alt.lang);
        }
        if page.alternates.iter().any(|a| a.current && !a.translated) {
            page.canonical = c.permalink(shown, address);
            page.hreflang.clear();
        } else {
            page.hreflang = hreflang(c, &page.alternates);
        }
    }

    fn page(&self, template: &str, ctx: &impl serde::Serialize) -> Result<Vec<u8>, Diagnostic> {
        self.theme.render_bytes(template, &to_context(ctx)?)
    }

    /// The entries of an issue grouped by topic, empty topics left out.
    fn groups<'v>(&self, lv: &'v LangViews, issue: IssueId) -> Vec<TopicGroup<'v>> {
        (self.site.issues[issue].topics_with_entries())
            .map(|(t, ids)| TopicGroup {
                topic: &lv.topic_values[t],
                url: self.issue_topic_url(&lv.lang, issue, t),
                entries: ids.iter().map(|&e| lv.entry(e)).collect(),
            })
            .collect()
    }

    /// The root-relative link to the page of topic `t` in issue `i`, in language `lang`.
    fn issue_topic_url(&self, lang: &str, i: IssueId, t: TopicId) -> String {
        let c = &self.site.config;
        c.href(lang, Address::issue_topic(self.site, &self.site.issues[i], t))
    }

    fn issue_page(&self, l: LangId, i: IssueId, page: PageMeta) -> IssuePage<'_> {
        let lv = self.views.lang(l);
        let (text, _) = self.site.issues[i].text(&lv.lang);
        IssuePage {
            base: self.base(l, page),
            issue: Some(&lv.issue_summary_values[i]),
            intro: with_pictures(
                &text.intro.html,
                &text.intro.images,
                &self.site.config,
                &self.site.pictures,
                lv.links,
            ),
            groups: self.groups(lv, i),
            newer: i.0.checked_sub(1).map(|n| &lv.issue_summary_values[IssueId(n)]),
            older: lv.issue_summary_values.get(IssueId(i.0 + 1)),
        }
    }

    fn home(&self, l: LangId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let language = &self.site.config.languages[l];
        let page = self.meta(l, "home", Address::Home, language.title.clone(), language.description.clone());
        let latest = if self.site.issues.is_empty() {
            let base = self.base(l, page);
            IssuePage { base, issue: None, intro: "".into(), groups: Vec::new(), newer: None, older: None }
        } else {
            self.issue_page(l, IssueId::NEWEST, page)
        };
        self.page("index.html", &HomePage { latest, issues: &lv.issue_summary_values })
    }

    fn issue(&self, l: LangId, i: IssueId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let s = &lv.issue_summaries[i];
        let description = s.summary.clone().unwrap_or_else(|| self.site.config.languages[l].description.clone());
        let issue = &self.site.issues[i];
        let address = Address::Issue(&issue.key);
        let mut page = self.meta(l, "issue", address, s.title.clone(), description);
        page.image = super::picture::issue_card(self.site, issue, &lv.lang, &s.title);
        let (_, shown) = issue.text(&lv.lang);
        self.written_in(&mut page, address, |lang| issue.texts.contains_key(lang), shown);
        self.page("issue.html", &self.issue_page(l, i, page))
    }

    fn issue_topic(&self, l: LangId, i: IssueId, t: TopicId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let issue = &self.site.issues[i];
        let topic = &lv.topics[t];
        let title = format!("{} {} · {}", topic.emoji, topic.name, lv.issue_summaries[i].title);
        let description = format!("{} · {}", topic.name, lv.issue_summaries[i].title);
        let page = self.meta(l, "issue_topic", Address::issue_topic(self.site, issue, t), title, description);
        let topics = issue
            .topics_with_entries()
            .map(|(other, ids)| IssueTopicLink {
                topic: &lv.topic_values[other],
                url: self.issue_topic_url(&lv.lang, i, other),
                count: ids.len(),
                current: other == t,
            })
            .collect();
        let ctx = IssueTopicPage {
            base: self.base(l, page),
            issue: &lv.issue_summary_values[i],
            topic,
            entries: issue.topics[t].iter().map(|&e| lv.entry(e)).collect(),
            topics,
        };
        self.page("issue_topic.html", &ctx)
    }

    fn entry(&self, l: LangId, e: EntryId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let entry = &self.site.entries[e];
        let (text, shown) = entry.text(&lv.lang);
        let description = truncate(&text.body.summary_text, 160);
        let address = Address::entry(self.site, entry);
        let mut page = self.meta(l, "entry", address, text.title.clone(), description);
        page.image = super::picture::text_card(self.site, &text.body);
        self.written_in(&mut page, address, |lang| entry.texts.contains_key(lang), shown);
        let (previous, next) = super::deps::neighbours(self.site, e);
        let ctx = EntryPage {
            base: self.base(l, page),
            entry: lv.entry(e),
            previous: previous.map(|p| lv.entry(p)),
            next: next.map(|n| lv.entry(n)),
        };
        self.page("entry.html", &ctx)
    }

    fn archive(&self, l: LangId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let mut years: Vec<Year> = Vec::new();
        for (i, issue) in self.site.issues.iter_enumerated() {
            let year = &issue.key[..4];
            match years.last_mut() {
                Some(y) if y.year == year => y.issues.push(&lv.issue_summary_values[i]),
                _ => years.push(Year { year, issues: vec![&lv.issue_summary_values[i]] }),
            }
        }
        let page =
            self.meta(l, "archive", Address::Archive, lv.strings["archive"].clone(), lv.strings["all_issues"].clone());
        self.page("archive.html", &ArchivePage { base: self.base(l, page), years })
    }

    fn topic(&self, l: LangId, t: TopicId, part: Option<usize>) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let topic = &lv.topics[t];
        let list = ListPages::of(self.site, List::Topic(t));
        let groups = list.groups[list.range(part)]
            .iter()
            .map(|(i, entries)| IssueGroup {
                issue: &lv.issue_summary_values[*i],
                entries: entries.iter().map(|&e| lv.entry(e)).collect(),
            })
            .collect();
        let title = self.list_title(format!("{} {}", topic.emoji, topic.name), &list, part);
        let address = list.address(self.site, List::Topic(t), part);
        let page = self.meta(l, "topic", address, title, topic.name.clone());
        let pages = self.list_nav(l, &list, List::Topic(t), part);
        self.page("topic.html", &TopicPage { base: self.base(l, page), topic, groups, pages })
    }

    fn tag(&self, l: LangId, t: TagId, part: Option<usize>) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let tag = &lv.tags[t];
        let list = ListPages::of(self.site, List::Tag(t));
        let entries = list.entries(part).into_iter().map(|e| lv.entry(e)).collect();
        let title = self.list_title(format!("#{}", tag.name), &list, part);
        let address = list.address(self.site, List::Tag(t), part);
        let page = self.meta(l, "tag", address, title, format!("#{}", tag.name));
        let pages = self.list_nav(l, &list, List::Tag(t), part);
        self.page("tag.html", &TagPage { base: self.base(l, page), tag, entries, pages })
    }

    /// The title of a page of a list: a full page's names its months.
    fn list_title(&self, title: String, list: &ListPages, part: Option<usize>) -> String {
        match part {
            Some(_) => format!("{title} ({})", self.months(list, part)),
            None => title,
        }
    }

    /// The months of a page of a list, oldest – newest.
    fn months(&self, list: &ListPages, part: Option<usize>) -> String {
        let range = list.range(part);
        let key = |i: usize| self.site.issues[list.groups[i].0].key.as_str();
        match range.len() {
            0 => String::new(),
            1 => key(range.start).to_string(),
            _ => format!("{} – {}", key(range.end - 1), key(range.start)),
        }
    }

    /// The links between the pages of a list: on the list's own address every page, the newest
    /// first; on a page's own address its neighbours and the list's address, and nothing that a
    /// later issue would change (a full page never changes again).
    fn list_nav(&self, l: LangId, list: &ListPages, which: List, part: Option<usize>) -> ListNav {
        let mut nav = ListNav { list_pages: Vec::new(), newer: None, older: None, all_pages: None };
        if list.pages.len() < 2 {
            return nav;
        }
        let lang = &self.site.config.languages[l].code;
        let newest = list.newest();
        let here = part.unwrap_or(newest);
        let link = |p: usize| ListPageLink {
            url: self.site.config.href(lang, list.address(self.site, which, Some(p))),
            label: self.months(list, Some(p)),
            current: p == here,
        };
        match part {
            None => nav.list_pages = (0..=newest).rev().map(link).collect(),
            Some(_) => {
                nav.newer = (here < newest).then(|| link(here + 1));
                nav.all_pages = Some(self.site.config.href(lang, list.address(self.site, which, None)));
            }
        }
        nav.older = here.checked_sub(1).map(link);
        nav
    }

    fn tags(&self, l: LangId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let page = self.meta(l, "tags", Address::Tags, lv.strings["tags"].clone(), lv.strings["tags"].clone());
        self.page("tags.html", &TagsPage { base: self.base(l, page), tags: &lv.tags })
    }

    fn not_found(&self, l: LangId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        // Its alternates are the home pages: a missing page has no translation.
        let mut page = self.meta(l, "not_found", Address::Home, lv.strings["not_found_title"].clone(), String::new());
        page.url = self.site.config.href(&lv.lang, Address::NotFound);
        page.permalink = self.site.config.permalink(&lv.lang, Address::NotFound);
        page.canonical = page.permalink.clone();
        self.page("404.html", &NotFoundPage { base: self.base(l, page) })
    }

    fn search(&self, l: LangId) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let page = self.meta(
            l,
            "search",
            Address::Search,
            lv.strings["search"].clone(),
            lv.strings["search_description"].clone(),
        );
        let c = &self.site.config;
        let ctx = SearchPage {
            base: self.base(l, page),
            issues: &lv.issue_summary_values,
            bundle_url: c.href(&lv.lang, Address::SearchBundle),
            script_url: c.href(&lv.lang, Address::Static("search.js")),
        };
        self.page("search.html", &ctx)
    }

    /// The language feeds, RSS and Atom, written together: one item per issue, newest first,
    /// each issue's full content rendered once (with absolute links) and passed on to both.
    fn issue_feeds(&self, l: LangId, rss_path: &str, atom_path: &str, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let lv = self.views.lang(l);
        let rss_channel = feed::issues_channel(self.site, lv, Address::Rss);
        let atom_channel = feed::issues_channel(self.site, lv, Address::Atom);
        sink.put_with(rss_path, &mut |rss_out| {
            sink.put_with(atom_path, &mut |atom_out| {
                let mut rss = feed::Rss::start(&mut *rss_out, &rss_channel).map_err(|e| io_error(rss_path, &e))?;
                let mut atom = feed::Atom::start(&mut *atom_out, &atom_channel).map_err(|e| io_error(atom_path, &e))?;
                // A few issues at a time in parallel: the feeds are the longest jobs of a build,
                // and a chunk's contents at a time bound their memory. Both feeds carry the same
                // issues: the newest, then as many as fit the budget.
                let issues: Vec<IssueId> = feed::feed_issues(self.site).collect();
                let budget = feed::budget(self.site);
                'chunks: for chunk in issues.chunks(8) {
                    let contents: Vec<Result<String, Diagnostic>> =
                        chunk.par_iter().map(|&i| self.feed_issue(l, i)).collect();
                    for (&i, content) in chunk.iter().zip(contents) {
                        let content = content?;
                        let item = feed::issue_item(self.site, lv, i, &content);
                        if i.0 > 0 && !(rss.fits(&item, budget) && atom.fits(&item, budget)) {
                            break 'chunks;
                        }
                        rss.item(&item).map_err(|e| io_error(rss_path, &e))?;
                        atom.entry(&item).map_err(|e| io_error(atom_path, &e))?;
                    }
                }
                rss.finish().map_err(|e| io_error(rss_path, &e))?;
                atom.finish().map_err(|e| io_error(atom_path, &e))?;
                Ok(())
            })
        })
    }

    /// An issue's full content as HTML for the feeds, with absolute links.
    fn feed_issue(&self, l: LangId, i: IssueId) -> Result<String, Diagnostic> {
        let page = self.meta(l, "issue", Address::Issue(&self.site.issues[i].key), String::new(), String::new());
        let permalink = page.permalink.clone();
        let ctx = to_context(&self.issue_page(l, i, page))?;
        let html = self.theme.render("feed_issue.html", &ctx)?;
        let html = super::picture::for_feeds(&html);
        Ok(super::absolute::absolutize_at(&html, self.site.config.origin(), &permalink))
    }
}

fn io_error(path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::io(std::path::Path::new(path), e)
}

/// The hreflang links of a page: each language it is written in, and `x-default` for the
/// default language's page when it is one of them.
fn hreflang(c: &Config, alternates: &[Alternate]) -> Vec<HrefLang> {
    let written = alternates.iter().filter(|a| a.translated);
    let mut links: Vec<HrefLang> =
        written.clone().map(|a| HrefLang { lang: a.lang.clone(), permalink: a.permalink.clone() }).collect();
    if let Some(a) = written.clone().find(|a| a.lang == c.default_language()) {
        links.push(HrefLang { lang: "x-default".into(), permalink: a.permalink.clone() });
    }
    links
}
