//! Render stage: `&Site` → every output file, rendered in parallel into a [`Sink`]; no disk access.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::error::{Diagnostic, Diagnostics};
use crate::site::Site;
use crate::theme::Theme;
use crate::view::{Alternate, FeedLink, LangViews, PageMeta, Views, map};
use crate::{feed, sitemap};

/// Where rendered files go: a folder for `build`, memory for `serve` and tests.
pub trait Sink: Sync {
    /// Stores one output file; `path` is relative to the output root, with `/` separators.
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic>;

    /// Stores one output file that `write` produces piece by piece. Sinks that can stream (to
    /// disk) override this, so that a large feed never sits in memory whole.
    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        self.put(path, bytes)
    }
}

/// Produces the contents of one output file into a writer (see [`Sink::put_with`]).
pub type Writing<'a> = dyn FnMut(&mut dyn std::io::Write) -> Result<(), Diagnostic> + 'a;

/// A sink keeping every output in memory, sorted by path.
#[derive(Default)]
pub struct MemorySink(pub Mutex<BTreeMap<String, Vec<u8>>>);

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.0.lock().expect("sink lock").insert(path.to_string(), bytes);
        Ok(())
    }
}

impl MemorySink {
    pub fn into_inner(self) -> BTreeMap<String, Vec<u8>> {
        self.0.into_inner().expect("sink lock")
    }
}

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
    Issue(usize, usize),
    Entry(usize, usize),
    Sitemap,
    Robots,
    /// The theme's static files.
    Static,
    /// Files found beside entries.
    Assets,
}

/// Every output of the site, the larger first so that the parallel render ends evenly.
pub fn pages(site: &Site) -> Vec<Page> {
    let langs = 0..site.config.languages.len();
    let (topics, tags) = (site.config.topics.len(), site.tags.len());
    let mut pages: Vec<Page> = langs.clone().map(Page::Feeds).collect();
    // One long job on one thread, so early.
    pages.push(Page::Sitemap);
    pages.extend(langs.clone().flat_map(|l| (0..topics).map(move |t| Page::TopicFeed(l, t))));
    pages.extend(langs.clone().flat_map(|l| (0..tags).map(move |t| Page::Tag(l, t))));
    pages.extend(langs.clone().flat_map(|l| (0..topics).map(move |t| Page::Topic(l, t))));
    for l in langs {
        pages.extend([Page::Home(l), Page::Archive(l), Page::Tags(l), Page::NotFound(l)]);
        pages.extend((0..site.issues.len()).map(|i| Page::Issue(l, i)));
        pages.extend((0..site.entries.len()).map(|e| Page::Entry(l, e)));
    }
    pages.extend([Page::Robots, Page::Static, Page::Assets]);
    pages
}

impl Page {
    /// The language of the page; `None` for files shared by all languages.
    pub fn lang(self) -> Option<usize> {
        match self {
            Page::Feeds(l) | Page::Home(l) | Page::Archive(l) | Page::Tags(l) | Page::NotFound(l) => Some(l),
            Page::TopicFeed(l, _) | Page::Tag(l, _) | Page::Topic(l, _) | Page::Issue(l, _) | Page::Entry(l, _) => {
                Some(l)
            }
            Page::Sitemap | Page::Robots | Page::Static | Page::Assets => None,
        }
    }

    /// Whether the output is a feed, which no open page shows: `serve` renders these last.
    pub fn is_feed(self) -> bool {
        matches!(self, Page::Feeds(_) | Page::TopicFeed(..))
    }
}

/// The pages of language `l` that show entry `e`'s view: its own page, the pages of its
/// neighbours in the issue (their previous/next links), its issue's page (and the home page when
/// that issue is the latest), its topic's page and feed, its tags' pages and the language feeds.
///
/// This is the dependency list incremental rebuilds ([`crate::session`]) rely on: a template
/// change that shows entries on another page must add that page here.
pub fn pages_showing_entry(site: &Site, l: usize, e: usize) -> Vec<Page> {
    let entry = &site.entries[e];
    let mut pages = vec![Page::Entry(l, e), Page::Issue(l, entry.issue), Page::Feeds(l)];
    if entry.issue == 0 {
        pages.push(Page::Home(l));
    }
    pages.extend([Page::Topic(l, entry.topic), Page::TopicFeed(l, entry.topic)]);
    pages.extend(entry.tags.iter().map(|&t| Page::Tag(l, t)));
    let order: Vec<usize> = site.issues[entry.issue].topics.iter().flatten().copied().collect();
    if let Some(pos) = order.iter().position(|&x| x == e) {
        let neighbours = [pos.checked_sub(1), Some(pos + 1)];
        pages.extend(neighbours.into_iter().flatten().filter_map(|p| order.get(p)).map(|&n| Page::Entry(l, n)));
    }
    pages
}

/// Renders the whole site into `sink`. All problems are reported together.
///
/// One language at a time, each with only its own entries' views: the pages of a language are
/// plenty to keep every core busy, and a build never holds all languages' views at once.
pub fn render(site: &Site, theme: &Theme, sink: &dyn Sink) -> Result<(), Diagnostics> {
    let all = pages(site);
    let mut diags = Diagnostics::new();
    for l in 0..site.config.languages.len() {
        // The first pass also renders the files shared by all languages.
        let these: Vec<Page> = all
            .iter()
            .copied()
            .filter(|p| p.lang().is_none_or(|pl| pl == l) && (l == 0 || p.lang().is_some()))
            .collect();
        let views = Views::build_for(site, Some(l));
        if let Err(d) = render_pages(site, theme, &views, &these, sink) {
            diags.0.extend(d.0);
        }
        views.drop_in_parallel();
    }
    diags.0.dedup();
    diags.into_result(())
}

/// Renders `pages` of the site, in parallel, with views already built by [`Views::build`].
pub fn render_pages(
    site: &Site,
    theme: &Theme,
    views: &Views,
    pages: &[Page],
    sink: &dyn Sink,
) -> Result<(), Diagnostics> {
    let r = Renderer { site, theme, views };
    let errors: Vec<Diagnostic> = pages.par_iter().filter_map(|page| r.run(*page, sink).err()).collect();
    let mut diags = Diagnostics(errors);
    diags.0.dedup();
    diags.into_result(())
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    views: &'a Views,
}

impl Renderer<'_> {
    fn run(&self, page: Page, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let c = &self.site.config;
        let out = |l: usize, path: &str| format!("{}{}", lang_dir(self.site, l), path);
        match page {
            Page::Home(l) => sink.put(&out(l, "index.html"), self.home(l)?),
            Page::Archive(l) => sink.put(&out(l, "archive/index.html"), self.archive(l)?),
            Page::Tags(l) => sink.put(&out(l, "tags/index.html"), self.tags(l)?),
            Page::NotFound(l) => sink.put(&out(l, "404.html"), self.not_found(l)?),
            Page::Issue(l, i) => {
                sink.put(&out(l, &format!("{}/index.html", self.site.issues[i].key)), self.issue(l, i)?)
            }
            Page::Entry(l, e) => {
                let entry = &self.site.entries[e];
                let path = format!(
                    "{}/{}/{}/index.html",
                    self.site.issues[entry.issue].key, c.topics[entry.topic].key, entry.slug
                );
                sink.put(&out(l, &path), self.entry(l, e)?)
            }
            Page::Topic(l, t) => {
                sink.put(&out(l, &format!("topics/{}/index.html", c.topics[t].key)), self.topic(l, t)?)
            }
            Page::Tag(l, t) => {
                sink.put(&out(l, &format!("tags/{}/index.html", self.site.tags[t].slug)), self.tag(l, t)?)
            }
            Page::Feeds(l) => self.issue_feeds(l, &out(l, "rss.xml"), &out(l, "atom.xml"), sink),
            Page::TopicFeed(l, t) => {
                let path = out(l, &format!("topics/{}/rss.xml", c.topics[t].key));
                sink.put_with(&path, &mut |w| {
                    feed::topic_rss(self.site, self.views.lang(l), t, w).map(drop).map_err(|e| io_error(&path, &e))
                })
            }
            Page::Sitemap => sink.put("sitemap.xml", sitemap::sitemap(self.site)),
            Page::Robots => sink.put("robots.txt", sitemap::robots(self.site)),
            Page::Static => {
                for (path, bytes) in &self.theme.static_files {
                    sink.put(path, bytes.clone())?;
                }
                Ok(())
            }
            Page::Assets => {
                for a in &self.site.assets {
                    let bytes = std::fs::read(self.site.root.join(&a.path)).map_err(|e| Diagnostic::io(&a.path, &e))?;
                    sink.put(&a.output, bytes)?;
                }
                Ok(())
            }
        }
    }

    /// The context every page gets: `lang`, `site`, `t` and `page`.
    fn context(&self, l: usize, page: PageMeta) -> Context {
        let lv = self.views.lang(l);
        let mut ctx = Context::new();
        ctx.insert("lang", &lv.lang);
        ctx.insert_value("site", lv.site.clone());
        ctx.insert_value("t", lv.t.clone());
        ctx.insert("page", &page);
        ctx
    }

    /// Page metadata for a site path that exists in every language.
    fn meta(&self, l: usize, kind: &'static str, path: &str, title: String, description: String) -> PageMeta {
        let c = &self.site.config;
        let lv = self.views.lang(l);
        let alternates = c
            .languages
            .iter()
            .enumerate()
            .map(|(i, lang)| Alternate {
                lang: lang.code.clone(),
                name: self.views.lang(i).strings["language_name"].clone(),
                url: c.href(&lang.code, path),
                permalink: c.permalink(&lang.code, path),
                current: i == l,
            })
            .collect();
        let mut feeds = vec![
            FeedLink {
                kind: "rss".into(),
                mime: "application/rss+xml".into(),
                url: c.href(&lv.lang, "/rss.xml"),
                title: format!("{} (RSS)", site_title(self.site, l)),
            },
            FeedLink {
                kind: "atom".into(),
                mime: "application/atom+xml".into(),
                url: c.href(&lv.lang, "/atom.xml"),
                title: format!("{} (Atom)", site_title(self.site, l)),
            },
        ];
        if kind == "topic" {
            let key = path.trim_matches('/').rsplit('/').next().unwrap_or_default();
            if let Some(t) = c.topic_index(key) {
                feeds.push(FeedLink {
                    kind: "rss".into(),
                    mime: "application/rss+xml".into(),
                    url: lv.topics[t].feed_url.clone(),
                    title: format!("{} · {}", lv.topics[t].name, site_title(self.site, l)),
                });
            }
        }
        let full_title = if kind == "home" { title } else { format!("{title} · {}", site_title(self.site, l)) };
        PageMeta {
            kind,
            title: full_title,
            description,
            url: c.href(&lv.lang, path),
            permalink: c.permalink(&lv.lang, path),
            alternates,
            feeds,
            og_type: if kind == "entry" || kind == "issue" { "article" } else { "website" },
        }
    }

    fn page(&self, template: &str, ctx: &Context) -> Result<Vec<u8>, Diagnostic> {
        self.theme.render_bytes(template, ctx)
    }

    /// The entries of an issue grouped by topic: `[{topic, entries}]`, empty topics left out.
    fn groups(&self, lv: &LangViews, issue: usize) -> Value {
        let groups: Vec<Value> = self.site.issues[issue]
            .topics
            .iter()
            .enumerate()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(t, ids)| {
                map([
                    ("topic", lv.topic_values[t].clone()),
                    ("entries", Value::from(ids.iter().map(|&e| lv.entry_values[e].clone()).collect::<Vec<_>>())),
                ])
            })
            .collect();
        Value::from(groups)
    }

    fn issue_context(&self, l: usize, i: usize, page: PageMeta) -> Context {
        let lv = self.views.lang(l);
        let issue = &self.site.issues[i];
        let (text, _) = issue.text(&lv.lang);
        let mut ctx = self.context(l, page);
        ctx.insert_value("issue", lv.issue_summary_values[i].clone());
        ctx.insert("intro", &text.intro.html);
        ctx.insert_value("groups", self.groups(lv, i));
        let newer = i.checked_sub(1).map(|n| lv.issue_summary_values[n].clone());
        let older = lv.issue_summary_values.get(i + 1).cloned();
        ctx.insert_value("newer", newer.unwrap_or_else(Value::none));
        ctx.insert_value("older", older.unwrap_or_else(Value::none));
        ctx
    }

    fn home(&self, l: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let site_view = &self.site.config.languages[l];
        let page = self.meta(l, "home", "/", site_view.title.clone(), site_view.description.clone());
        let mut ctx = if self.site.issues.is_empty() {
            let mut ctx = self.context(l, page);
            ctx.insert_value("issue", Value::none());
            ctx
        } else {
            self.issue_context(l, 0, page)
        };
        ctx.insert_value("issues", Value::from(lv.issue_summary_values.clone()));
        self.page("index.html", &ctx)
    }

    fn issue(&self, l: usize, i: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let s = &lv.issue_summaries[i];
        let description = s.summary.clone().unwrap_or_else(|| self.site.config.languages[l].description.clone());
        let page = self.meta(l, "issue", &self.site.issues[i].path(), s.title.clone(), description);
        self.page("issue.html", &self.issue_context(l, i, page))
    }

    fn entry(&self, l: usize, e: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let entry = &self.site.entries[e];
        let (text, _) = entry.text(&lv.lang);
        let page =
            self.meta(l, "entry", &entry.path(self.site), text.title.clone(), truncate(&text.body.summary_text, 160));
        let mut ctx = self.context(l, page);
        ctx.insert_value("entry", lv.entry_values[e].clone());
        // Neighbours within the issue, in reading order.
        let order: Vec<usize> = self.site.issues[entry.issue].topics.iter().flatten().copied().collect();
        let pos = order.iter().position(|&x| x == e).unwrap_or(0);
        let prev = pos.checked_sub(1).map(|p| lv.entry_values[order[p]].clone());
        let next = order.get(pos + 1).map(|&n| lv.entry_values[n].clone());
        ctx.insert_value("previous", prev.unwrap_or_else(Value::none));
        ctx.insert_value("next", next.unwrap_or_else(Value::none));
        self.page("entry.html", &ctx)
    }

    fn archive(&self, l: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let mut years: Vec<(String, Vec<Value>)> = Vec::new();
        for (i, issue) in self.site.issues.iter().enumerate() {
            let year = issue.key[..4].to_string();
            match years.last_mut() {
                Some((y, list)) if *y == year => list.push(lv.issue_summary_values[i].clone()),
                _ => years.push((year, vec![lv.issue_summary_values[i].clone()])),
            }
        }
        let years: Vec<Value> =
            years.into_iter().map(|(y, list)| map([("year", Value::from(y)), ("issues", Value::from(list))])).collect();
        let page =
            self.meta(l, "archive", "/archive/", lv.strings["archive"].clone(), lv.strings["all_issues"].clone());
        let mut ctx = self.context(l, page);
        ctx.insert_value("years", Value::from(years));
        self.page("archive.html", &ctx)
    }

    fn topic(&self, l: usize, t: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let topic = &lv.topics[t];
        let groups: Vec<Value> = self
            .site
            .issues
            .iter()
            .enumerate()
            .filter(|(_, issue)| !issue.topics[t].is_empty())
            .map(|(i, issue)| {
                let entries: Vec<Value> = issue.topics[t].iter().map(|&e| lv.entry_values[e].clone()).collect();
                map([("issue", lv.issue_summary_values[i].clone()), ("entries", Value::from(entries))])
            })
            .collect();
        let path = format!("/topics/{}/", topic.key);
        let page = self.meta(l, "topic", &path, format!("{} {}", topic.emoji, topic.name), topic.name.clone());
        let mut ctx = self.context(l, page);
        ctx.insert("topic", topic);
        ctx.insert_value("groups", Value::from(groups));
        self.page("topic.html", &ctx)
    }

    fn tag(&self, l: usize, t: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let tag = &lv.tags[t];
        let entries: Vec<Value> = self.site.tags[t].entries.iter().map(|&e| lv.entry_values[e].clone()).collect();
        let path = format!("/tags/{}/", crate::slug::encode_segment(&tag.slug));
        let page = self.meta(l, "tag", &path, format!("#{}", tag.name), format!("#{}", tag.name));
        let mut ctx = self.context(l, page);
        ctx.insert("tag", tag);
        ctx.insert_value("entries", Value::from(entries));
        self.page("tag.html", &ctx)
    }

    fn tags(&self, l: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let page = self.meta(l, "tags", "/tags/", lv.strings["tags"].clone(), lv.strings["tags"].clone());
        let mut ctx = self.context(l, page);
        ctx.insert("tags", &lv.tags);
        self.page("tags.html", &ctx)
    }

    fn not_found(&self, l: usize) -> Result<Vec<u8>, Diagnostic> {
        let lv = self.views.lang(l);
        let mut page = self.meta(l, "not_found", "/", lv.strings["not_found_title"].clone(), String::new());
        page.url = self.site.config.href(&lv.lang, "/404.html");
        page.permalink = self.site.config.permalink(&lv.lang, "/404.html");
        self.page("404.html", &self.context(l, page))
    }

    /// The language feeds, RSS and Atom, written together: one item per issue, newest first,
    /// each issue's full content rendered once (with absolute links) and passed on to both.
    fn issue_feeds(&self, l: usize, rss_path: &str, atom_path: &str, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let lv = self.views.lang(l);
        let rss_channel = feed::issues_channel(self.site, lv, "rss.xml");
        let atom_channel = feed::issues_channel(self.site, lv, "atom.xml");
        sink.put_with(rss_path, &mut |rss_out| {
            sink.put_with(atom_path, &mut |atom_out| {
                let mut rss = feed::Rss::start(&mut *rss_out, &rss_channel).map_err(|e| io_error(rss_path, &e))?;
                let mut atom = feed::Atom::start(&mut *atom_out, &atom_channel).map_err(|e| io_error(atom_path, &e))?;
                // A few issues at a time in parallel: the feeds are the longest jobs of a build,
                // and holding every issue's content at once is what made them heavy.
                let limit = self.site.config.feed_limit.unwrap_or(usize::MAX);
                let issues: Vec<usize> = (0..self.site.issues.len().min(limit)).collect();
                for chunk in issues.chunks(8) {
                    let contents: Vec<Result<String, Diagnostic>> =
                        chunk.par_iter().map(|&i| self.feed_issue(l, i)).collect();
                    for (&i, content) in chunk.iter().zip(contents) {
                        let content = content?;
                        let item = feed::issue_item(lv, i, &content);
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
    fn feed_issue(&self, l: usize, i: usize) -> Result<String, Diagnostic> {
        let page = self.meta(l, "issue", &self.site.issues[i].path(), String::new(), String::new());
        let html = self.theme.render("feed_issue.html", &self.issue_context(l, i, page))?;
        Ok(crate::markdown::absolutize(&html, self.site.config.origin()))
    }
}

fn io_error(path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::io(std::path::Path::new(path), e)
}

fn site_title(site: &Site, l: usize) -> &str {
    &site.config.languages[l].title
}

/// The output folder of a language: empty for the default, `en/` for others.
pub fn lang_dir(site: &Site, l: usize) -> String {
    if l == 0 { String::new() } else { format!("{}/", site.config.languages[l].code) }
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
