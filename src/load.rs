//! Load stage: walks `content/`, parses every file in parallel and assembles the [`Site`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

use crate::config::{Config, topic_hint};
use crate::error::{Diagnostic, Diagnostics, line_col};
use crate::frontmatter::{
    self, EntryFront, IssueFront, IssueTranslationFront, Link, Split, TranslationFront, clean_text,
};
use crate::markdown;
use crate::site::{Asset, Entry, EntryText, FurtherReading, Issue, IssueText, Site, Tag};

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep draft entries and issues (they are dropped otherwise).
    pub drafts: bool,
    /// Replaces `base_url` of the configuration.
    pub base_url: Option<String>,
}

/// Loads the site at `root`: configuration and content. Reports every problem found.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<Site, Diagnostics> {
    let mut config = Config::load(root).map_err(|d| relative(d, root))?;
    if let Some(url) = &opts.base_url {
        config.set_base_url(url).map_err(|m| Diagnostic::file("config.toml", m))?;
    }
    load_with_config(root, config, opts)
}

fn relative(d: Diagnostics, root: &Path) -> Diagnostics {
    Diagnostics(d.0.into_iter().map(|d| d.relative_to(root)).collect())
}

/// Loads the content of the site at `root` with an already loaded configuration.
pub fn load_with_config(root: &Path, mut config: Config, opts: &LoadOptions) -> Result<Site, Diagnostics> {
    if let Ok(rel) = config.path.strip_prefix(root) {
        config.path = rel.to_path_buf();
    }
    let mut diags = Diagnostics::new();
    let files = walk(root, &config, &mut diags);

    // Parse and render every file in parallel; assemble in a fixed order afterwards.
    let parsed: Vec<Result<Parsed, Diagnostic>> =
        files.entries.par_iter().map(|f| parse_file(root, &config, f)).collect();

    let mut issue_files: BTreeMap<String, BTreeMap<String, ParsedIssue>> = BTreeMap::new();
    let mut entry_files: BTreeMap<(String, usize, String), BTreeMap<String, ParsedEntry>> = BTreeMap::new();
    for (file, result) in files.entries.iter().zip(parsed) {
        match result {
            Ok(Parsed::Issue(p)) => {
                issue_files.entry(file.issue.clone()).or_default().insert(file.lang.clone(), *p);
            }
            Ok(Parsed::Entry(p)) => {
                let key = (file.issue.clone(), file.topic.unwrap_or(0), file.slug.clone());
                entry_files.entry(key).or_default().insert(file.lang.clone(), *p);
            }
            Err(d) => diags.push(d),
        }
    }

    let site = assemble(root, config, opts, issue_files, entry_files, files.assets, &mut diags);
    match site {
        Some(site) if !diags.has_errors() => Ok(site),
        _ => Err(diags.sorted()),
    }
}

/// A content file found by the walk.
#[derive(Debug)]
pub(crate) struct FoundFile {
    pub(crate) path: PathBuf,
    pub(crate) issue: String,
    /// `None` for the issue's `_index` files.
    pub(crate) topic: Option<usize>,
    pub(crate) slug: String,
    pub(crate) lang: String,
}

#[derive(Default)]
struct Found {
    entries: Vec<FoundFile>,
    assets: Vec<Asset>,
}

/// Lists issue folders, topic folders and their files, reporting misplaced ones.
fn walk(root: &Path, config: &Config, diags: &mut Diagnostics) -> Found {
    let mut found = Found::default();
    let content = root.join("content");
    let Ok(issues) = sorted_dir(&content) else {
        diags.push(
            Diagnostic::file("content", "the site has no content/ folder")
                .with_hint("create one issue with `digest new issue YYYY-MM`"),
        );
        return found;
    };
    // Issue by issue on every core: a large archive has ten thousand files to look at.
    let parts: Vec<(Found, Diagnostics)> = issues
        .par_iter()
        .map(|issue_dir| {
            let (mut found, mut diags) = (Found::default(), Diagnostics::new());
            walk_issue(config, root, issue_dir, &mut found, &mut diags);
            (found, diags)
        })
        .collect();
    for (part, d) in parts {
        found.entries.extend(part.entries);
        found.assets.extend(part.assets);
        diags.0.extend(d.0);
    }
    found
}

/// Lists one issue folder's files (see [`walk`]).
fn walk_issue(config: &Config, root: &Path, issue_dir: &Path, found: &mut Found, diags: &mut Diagnostics) {
    let name = file_name(issue_dir);
    let rel = Path::new("content").join(&name);
    if name.starts_with('.') {
        return;
    }
    if !issue_dir.is_dir() {
        diags.push(
            Diagnostic::file(&rel, "unexpected file in content/")
                .with_hint("content/ holds one folder per issue, named YYYY-MM"),
        );
        return;
    }
    if parse_issue_key(&name).is_none() {
        diags.push(
            Diagnostic::file(&rel, format!("issue folder {name:?} is not named YYYY-MM"))
                .with_hint("name issue folders by year and month, e.g. content/2025-11"),
        );
        return;
    }
    for item in sorted_dir(issue_dir).unwrap_or_default() {
        let item_name = file_name(&item);
        let item_rel = rel.join(&item_name);
        if item_name.starts_with('.') {
            continue;
        }
        if item.is_dir() {
            let Some(topic) = config.topic_index(&item_name) else {
                let close = config
                    .topics
                    .iter()
                    .map(|t| (strsim::jaro_winkler(&item_name, &t.key), &t.key))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score > 0.8);
                let hint = match close {
                    Some((_, key)) => format!("did you mean `{key}`? {}", topic_hint(&config.topics)),
                    None => topic_hint(&config.topics),
                };
                diags.push(Diagnostic::file(&item_rel, format!("unknown topic folder {item_name:?}")).with_hint(hint));
                continue;
            };
            for file in walkdir::WalkDir::new(&item).min_depth(1).sort_by_file_name() {
                let Ok(file) = file else { continue };
                let file_rel = file.path().strip_prefix(root).unwrap_or(file.path()).to_path_buf();
                let fname = file.file_name().to_string_lossy().to_string();
                if fname.starts_with('.') || file.file_type().is_dir() {
                    continue;
                }
                if file.depth() > 1 || !fname.ends_with(".md") {
                    found.assets.push(Asset { output: asset_output(&file_rel), path: file_rel });
                    continue;
                }
                if let Some((slug, lang)) = split_name(&fname, config, &file_rel, diags) {
                    found.entries.push(FoundFile {
                        path: file_rel,
                        issue: name.clone(),
                        topic: Some(topic),
                        slug,
                        lang,
                    });
                }
            }
        } else if item_name.ends_with(".md") {
            if let Some((slug, lang)) = split_name(&item_name, config, &item_rel, diags) {
                if slug != "_index" {
                    diags.push(Diagnostic::file(&item_rel, "entries belong in a topic folder").with_hint(format!(
                        "move it to {}/<topic>/; {}",
                        rel.display(),
                        topic_hint(&config.topics)
                    )));
                    continue;
                }
                found.entries.push(FoundFile { path: item_rel, issue: name.clone(), topic: None, slug, lang });
            }
        } else {
            found.assets.push(Asset { output: asset_output(&item_rel), path: item_rel });
        }
    }
}

fn asset_output(rel: &Path) -> String {
    let inside = rel.strip_prefix("content").unwrap_or(rel);
    inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn sorted_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
}

/// `2025-11` → (2025, 11).
pub fn parse_issue_key(name: &str) -> Option<(i32, u32)> {
    let (y, m) = name.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// `slug.md` → (slug, default language); `slug.en.md` → (slug, "en").
fn split_name(fname: &str, config: &Config, rel: &Path, diags: &mut Diagnostics) -> Option<(String, String)> {
    let stem = fname.strip_suffix(".md")?;
    let (slug, lang) = match stem.rsplit_once('.') {
        Some((slug, lang)) => (slug, lang),
        None => (stem, config.default_language()),
    };
    if config.language(lang).is_none() {
        let langs: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        diags.push(Diagnostic::file(rel, format!("unknown language {lang:?} in the file name")).with_hint(format!(
            "name translations <slug>.<lang>.md with a language of config.toml: {}",
            langs.join(", ")
        )));
        return None;
    }
    if slug != "_index" && !crate::slug::is_safe_segment(slug) {
        diags.push(
            Diagnostic::file(rel, format!("{slug:?} cannot be used in a URL"))
                .with_hint("name entries with letters, digits and hyphens, e.g. gateway-api-1-4.md"),
        );
        return None;
    }
    Some((slug.to_string(), lang.to_string()))
}

pub(crate) enum Parsed {
    Issue(Box<ParsedIssue>),
    Entry(Box<ParsedEntry>),
}

pub(crate) struct ParsedIssue {
    /// Present in the main file only.
    main: Option<IssueMain>,
    text: IssueText,
}

struct IssueMain {
    date: Option<NaiveDate>,
    number: Option<u32>,
    editors: Vec<String>,
    draft: bool,
}

pub(crate) struct ParsedEntry {
    /// Present in the main file only.
    main: Option<EntryMain>,
    text: EntryText,
}

struct EntryMain {
    source: Option<String>,
    date: Option<NaiveDate>,
    weight: i64,
    tags: Vec<String>,
    draft: bool,
    via: Option<String>,
}

/// Whether `lang`'s file is the main one of its group: the default language, or the only file.
fn is_main(root: &Path, config: &Config, f: &FoundFile) -> bool {
    if f.lang == config.default_language() {
        return true;
    }
    // Without a default-language file, the first language (in config order) that has one is main.
    let dir = root.join(f.path.parent().unwrap_or(Path::new("")));
    for l in &config.languages {
        let name = if l.code == config.default_language() {
            format!("{}.md", f.slug)
        } else {
            format!("{}.{}.md", f.slug, l.code)
        };
        if dir.join(name).is_file() {
            return l.code == f.lang;
        }
    }
    true
}

pub(crate) fn parse_file(root: &Path, config: &Config, f: &FoundFile) -> Result<Parsed, Diagnostic> {
    let raw = std::fs::read(root.join(&f.path)).map_err(|e| Diagnostic::io(&f.path, &e))?;
    let text = String::from_utf8(raw).map_err(|e| {
        let (l, c) = line_col(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to());
        Diagnostic::error(&f.path, l, c, "the file is not valid UTF-8").with_hint("save it as UTF-8")
    })?;
    let split = frontmatter::split(&f.path, &text)?;
    let main = is_main(root, config, f);
    let path = &f.path;
    let dir = match f.topic {
        Some(t) => format!("/{}/{}/", f.issue, config.topics[t].key),
        None => format!("/{}/", f.issue),
    };
    let md = |body: &str, prefix: &str| {
        let opts = markdown::Options {
            id_prefix: prefix,
            base_path: &config.base_path,
            dir: &dir,
            allow_html: config.allow_html,
        };
        markdown::render(&frontmatter::clean(body), &opts)
    };

    if f.topic.is_none() {
        let parsed = if main {
            let fm: IssueFront = frontmatter::parse(path, &text, &split)?;
            let date = fm.date.as_ref().map(|d| frontmatter::date(path, &text, &split, d)).transpose()?;
            ParsedIssue {
                main: Some(IssueMain { date, number: fm.number, editors: fm.editors, draft: fm.draft }),
                text: IssueText {
                    title: clean_text(&fm.title),
                    summary: fm.summary.as_deref().map(clean_text),
                    intro: md(split.body, ""),
                    path: path.clone(),
                },
            }
        } else {
            let fm: IssueTranslationFront = frontmatter::parse(path, &text, &split)?;
            if let Some((field, span)) = fm.inherited_fields().into_iter().next() {
                return Err(inherited_error(path, &text, &split, field, span, "_index.md"));
            }
            ParsedIssue {
                main: None,
                text: IssueText {
                    title: clean_text(&fm.title),
                    summary: fm.summary.as_deref().map(clean_text),
                    intro: md(split.body, ""),
                    path: path.clone(),
                },
            }
        };
        return Ok(Parsed::Issue(Box::new(parsed)));
    }

    let topic_key = &config.topics[f.topic.unwrap_or(0)].key;
    let prefix = format!("{topic_key}-{}-", f.slug);
    let note = |n: &Option<String>| n.as_deref().map(|n| md(n, &format!("{prefix}note-")).html);
    let (main_fields, title, original_title, editor_note, further) = if main {
        let fm: EntryFront = frontmatter::parse(path, &text, &split)?;
        let date = fm.date.as_ref().map(|d| frontmatter::date(path, &text, &split, d)).transpose()?;
        let source = fm.source.as_ref().map(|s| http_url(path, &text, &split, s)).transpose()?;
        let main = EntryMain { source, date, weight: fm.weight, tags: fm.tags, draft: fm.draft, via: fm.via };
        (Some(main), fm.title, fm.original_title, note(&fm.editor_note), fm.further_reading)
    } else {
        let fm: TranslationFront = frontmatter::parse(path, &text, &split)?;
        if let Some((field, span)) = fm.inherited_fields().into_iter().next() {
            return Err(inherited_error(path, &text, &split, field, span, &format!("{}.md", f.slug)));
        }
        (None, fm.title, fm.original_title, note(&fm.editor_note), fm.further_reading)
    };
    let further_reading = further
        .iter()
        .map(|l: &Link| Ok(FurtherReading { title: clean_text(&l.title), url: http_url(path, &text, &split, &l.url)? }))
        .collect::<Result<Vec<_>, Diagnostic>>()?;
    if title.trim().is_empty() {
        let (l, c) = line_col(&text, split.front_offset);
        return Err(
            Diagnostic::error(path, l, c, "the title is empty").with_hint("write the entry's headline in `title`")
        );
    }
    Ok(Parsed::Entry(Box::new(ParsedEntry {
        main: main_fields,
        text: EntryText {
            title: clean_text(&title),
            original_title: original_title.as_deref().map(clean_text),
            editor_note,
            further_reading,
            body: md(split.body, &prefix),
            path: path.clone(),
        },
    })))
}

fn inherited_error(
    path: &Path,
    text: &str,
    split: &Split,
    field: &str,
    span: std::ops::Range<usize>,
    main: &str,
) -> Diagnostic {
    // The span covers the value; point at the start of its line, where the key is.
    let start = text[..split.front_offset + span.start].rfind('\n').map_or(0, |i| i + 1);
    let (l, c) = line_col(text, start);
    Diagnostic::error(path, l, c, format!("a translation cannot set `{field}`; it is inherited from {main}"))
        .with_hint(format!("remove `{field}` here and set it in {main}"))
}

fn http_url(path: &Path, text: &str, split: &Split, url: &toml::Spanned<String>) -> Result<String, Diagnostic> {
    let value = clean_text(url.get_ref().trim());
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(value),
        _ => {
            let (l, c) = line_col(text, split.front_offset + url.span().start);
            Err(Diagnostic::error(path, l, c, format!("{value:?} is not an http(s) URL"))
                .with_hint("links must be absolute, e.g. \"https://kubernetes.io/blog/\""))
        }
    }
}

type EntryFiles = BTreeMap<(String, usize, String), BTreeMap<String, ParsedEntry>>;

/// Builds the site from the parsed files: resolves translations, orders, indexes.
fn assemble(
    root: &Path,
    config: Config,
    opts: &LoadOptions,
    issue_files: BTreeMap<String, BTreeMap<String, ParsedIssue>>,
    entry_files: EntryFiles,
    assets: Vec<Asset>,
    diags: &mut Diagnostics,
) -> Option<Site> {
    let mut issues: Vec<Issue> = Vec::new();
    let mut issue_ids: HashMap<String, usize> = HashMap::new();
    let mut issue_keys: Vec<&String> = issue_files.keys().collect();
    issue_keys.sort_by(|a, b| b.cmp(a));
    for key in issue_keys {
        let texts_in = &issue_files[key];
        let Some((primary, main)) = texts_in.iter().find_map(|(l, p)| p.main.as_ref().map(|m| (l.clone(), m))) else {
            continue;
        };
        if main.draft && !opts.drafts {
            continue;
        }
        let (y, m) = parse_issue_key(key).unwrap_or((1970, 1));
        let date = main.date.unwrap_or_else(|| last_day_of_month(y, m));
        issue_ids.insert(key.clone(), issues.len());
        issues.push(Issue {
            key: key.clone(),
            date,
            number: main.number,
            editors: main.editors.iter().map(|e| clean_text(e)).collect(),
            draft: main.draft,
            primary,
            texts: BTreeMap::new(),
            topics: vec![Vec::new(); config.topics.len()],
        });
    }
    // Issue folders with entries but no _index.md.
    let mut missing: Vec<&String> = entry_files.keys().map(|(i, _, _)| i).collect();
    missing.dedup();
    for key in missing {
        if !issue_files.contains_key(key) {
            diags.push(
                Diagnostic::file(Path::new("content").join(key), "the issue has no _index.md")
                    .with_hint(format!("create it with `digest new issue {key}`")),
            );
        }
    }
    let mut issue_files = issue_files;
    for issue in &mut issues {
        if let Some(files) = issue_files.remove(&issue.key) {
            issue.texts = files.into_iter().map(|(l, p)| (l, p.text)).collect();
        }
    }

    let mut entries: Vec<Entry> = Vec::new();
    let mut raw_tags: Vec<Vec<String>> = Vec::new();
    for ((issue_key, topic, slug), files) in entry_files {
        let Some(&issue) = issue_ids.get(&issue_key) else { continue };
        if let Some((entry, tags)) = build_entry(files, issue, topic, slug, opts) {
            raw_tags.push(tags);
            entries.push(entry);
        }
    }

    // Order entries within each issue's topic: weight, date, title.
    for (id, e) in entries.iter().enumerate() {
        issues[e.issue].topics[e.topic].push(id);
    }
    for issue in &mut issues {
        for list in &mut issue.topics {
            sort_topic(list, &mut entries);
        }
    }

    // Tags, in the order entries appear: newest issue first, topics in config order.
    let mut tags: Vec<Tag> = Vec::new();
    let mut tag_ids: HashMap<String, usize> = HashMap::new();
    let order: Vec<usize> = issues.iter().flat_map(|i| i.topics.iter().flatten().copied()).collect();
    for id in order {
        let mut ids = Vec::new();
        for name in &raw_tags[id] {
            let Some((name, slug)) = tag_name(name) else {
                diags.push(empty_tag(&entries[id], name));
                continue;
            };
            let tid = *tag_ids.entry(slug.clone()).or_insert_with(|| {
                tags.push(Tag { slug, name, entries: Vec::new() });
                tags.len() - 1
            });
            if !ids.contains(&tid) {
                ids.push(tid);
                tags[tid].entries.push(id);
            }
        }
        entries[id].tags = ids;
    }
    // Sort tags by slug and remap ids.
    let mut perm: Vec<usize> = (0..tags.len()).collect();
    perm.sort_by(|&a, &b| tags[a].slug.cmp(&tags[b].slug));
    let mut new_index = vec![0; tags.len()];
    for (new, &old) in perm.iter().enumerate() {
        new_index[old] = new;
    }
    for e in &mut entries {
        for t in &mut e.tags {
            *t = new_index[*t];
        }
    }
    let mut slots: Vec<Option<Tag>> = tags.into_iter().map(Some).collect();
    let tags: Vec<Tag> = perm.iter().filter_map(|&old| slots[old].take()).collect();

    let warnings = entries.iter().filter_map(|e| date_warning(e, &issues[e.issue])).collect();

    Some(Site { config, root: root.to_path_buf(), issues, entries, tags, assets, warnings })
}

/// An entry from its parsed files (one per language); `None` without a main file, or for a draft
/// when drafts are left out. Also returns the tags as written.
pub(crate) fn build_entry(
    files: BTreeMap<String, ParsedEntry>,
    issue: usize,
    topic: usize,
    slug: String,
    opts: &LoadOptions,
) -> Option<(Entry, Vec<String>)> {
    let (primary, main) = files.iter().find_map(|(l, p)| p.main.as_ref().map(|m| (l.clone(), m)))?;
    if main.draft && !opts.drafts {
        return None;
    }
    let (source, date, weight, tags, draft, via) =
        (main.source.clone(), main.date, main.weight, main.tags.clone(), main.draft, main.via.clone());
    let texts: BTreeMap<String, EntryText> = files.into_iter().map(|(l, p)| (l, p.text)).collect();
    let entry = Entry {
        issue,
        topic,
        slug,
        source,
        date,
        weight,
        tags: Vec::new(),
        draft,
        via: via.map(|v| clean_text(&v)),
        primary,
        texts,
        number: 0,
    };
    Some((entry, tags))
}

/// Orders the entries of one issue's topic (weight, date, title, slug) and numbers them from 1.
pub(crate) fn sort_topic(list: &mut [usize], entries: &mut [Entry]) {
    list.sort_by(|&a, &b| {
        let (ea, eb) = (&entries[a], &entries[b]);
        (ea.weight, ea.date, &ea.texts[&ea.primary].title, &ea.slug).cmp(&(
            eb.weight,
            eb.date,
            &eb.texts[&eb.primary].title,
            &eb.slug,
        ))
    });
    for (n, &id) in list.iter().enumerate() {
        entries[id].number = n + 1;
    }
}

/// A tag as written → (its cleaned name, its slug); `None` when it has no letters or digits.
pub(crate) fn tag_name(written: &str) -> Option<(String, String)> {
    let name = clean_text(written.trim());
    let slug = crate::slug::slugify(&name);
    (!slug.is_empty()).then_some((name, slug))
}

pub(crate) fn empty_tag(e: &Entry, written: &str) -> Diagnostic {
    let name = clean_text(written.trim());
    Diagnostic::file(&e.texts[&e.primary].path, format!("tag {name:?} has no letters or digits"))
        .with_hint("tags are words such as \"gateway-api\"")
}

/// The warning for an entry dated outside its issue's month.
pub(crate) fn date_warning(e: &Entry, issue: &Issue) -> Option<Diagnostic> {
    let d = e.date?;
    (parse_issue_key(&issue.key) != Some((d.year(), d.month()))).then(|| {
        Diagnostic::warning(
            &e.texts[&e.primary].path,
            1,
            1,
            format!("the entry's date {d} lies outside its issue's month {}", issue.key),
        )
    })
}

fn last_day_of_month(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or_default()
}
