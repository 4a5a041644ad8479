//! Load stage: the parsed files assembled into the [`Site`]: translations resolved, entries
//! ordered and numbered, tags indexed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::Datelike;

use super::LoadOptions;
use super::parse::{ParsedEntry, ParsedIssue};
use crate::error::{Diagnostic, Diagnostics};
use crate::site::config::Config;
use crate::site::month::{last_day_of_month, parse_issue_key};
use crate::site::text::clean_text;
use crate::site::{
    Asset, DraftsLeftOut, Entry, EntryId, EntryText, FurtherReading, IdVec, Issue, IssueId, Site, Tag, TagId, TopicId,
    reading_order,
};

/// Parsed issue files: issue key → language → file.
pub(crate) type IssueFiles = BTreeMap<String, BTreeMap<String, ParsedIssue>>;
/// Parsed entry files: (issue key, topic, slug) → language → file. Boxed: a map node holds room
/// for eleven values, and most entries have one or two files (unboxed, a large archive's load
/// peaked at 3.6 KB a file in half-empty nodes).
pub(crate) type EntryFiles = BTreeMap<(String, TopicId, String), BTreeMap<String, Box<ParsedEntry>>>;

/// Builds the site from the parsed files: resolves translations, orders, indexes.
pub(crate) fn assemble(
    root: &Path,
    config: Config,
    opts: &LoadOptions,
    issue_files: IssueFiles,
    entry_files: EntryFiles,
    assets: Vec<Asset>,
    diags: &mut Diagnostics,
) -> Site {
    report_missing_index(&issue_files, &entry_files, diags);
    let drafts_left_out = if opts.drafts { DraftsLeftOut::default() } else { drafts(&issue_files, &entry_files) };
    let mut issues = issues_from(issue_files, &config, opts);
    let (mut entries, written_tags) = entries_from(entry_files, &issues, opts);
    for (id, e) in entries.iter_enumerated() {
        issues[e.issue].topics[e.topic].push(id);
    }
    for issue in &mut issues {
        for list in &mut issue.topics {
            sort_topic(list, &mut entries);
        }
    }
    let tags = index_tags(&issues, &mut entries, &written_tags, diags);
    let warnings = entries.iter().filter_map(|e| date_warning(e, &issues[e.issue])).collect();
    // Files beside the entries of an issue left out (a draft) are left out with it.
    let mut assets = assets;
    assets.retain(|a| issues.iter().any(|i| a.output.strip_prefix(i.key.as_str()).is_some_and(|r| r.starts_with('/'))));
    Site {
        config,
        root: root.to_path_buf(),
        issues,
        entries,
        tags,
        assets,
        warnings,
        drafts_left_out,
        pictures: Default::default(),
    }
}

/// The draft issues, and the draft entries of the issues that are not drafts.
fn drafts(issue_files: &IssueFiles, entry_files: &EntryFiles) -> DraftsLeftOut {
    let draft_issue = |key: &str| {
        issue_files.get(key).is_some_and(|files| files.values().find_map(|p| p.main.as_ref()).is_some_and(|m| m.draft))
    };
    let issues = issue_files.keys().filter(|k| draft_issue(k)).count();
    let entries = entry_files
        .iter()
        .filter(|((key, _, _), files)| {
            !draft_issue(key) && files.values().find_map(|p| p.main.as_ref()).is_some_and(|m| m.draft)
        })
        .count();
    DraftsLeftOut { issues, entries }
}

/// The published issues, newest first, with their texts.
fn issues_from(issue_files: IssueFiles, config: &Config, opts: &LoadOptions) -> IdVec<IssueId, Issue> {
    let mut issues = Vec::new();
    for (key, files) in issue_files.into_iter().rev() {
        let Some((primary, main)) = files.iter().find_map(|(l, p)| p.main.as_ref().map(|m| (l.clone(), m))) else {
            continue;
        };
        if main.draft && !opts.drafts {
            continue;
        }
        let date = main.date.or_else(|| parse_issue_key(&key).and_then(|(y, m)| last_day_of_month(y, m)));
        let issue = Issue {
            key,
            date: date.unwrap_or_default(),
            number: main.number,
            editors: main.editors.iter().map(|e| clean_text(e)).collect(),
            draft: main.draft,
            cover: main.cover.clone(),
            primary,
            texts: BTreeMap::new(),
            topics: vec![Vec::new(); config.topics.len()].into(),
        };
        issues.push((issue, files));
    }
    issues
        .into_iter()
        .map(|(mut issue, files)| {
            issue.texts = files.into_iter().map(|(l, p)| (l, p.text)).collect();
            issue
        })
        .collect()
}

/// An error for each issue folder holding entries but no `_index.md`.
fn report_missing_index(issue_files: &IssueFiles, entry_files: &EntryFiles, diags: &mut Diagnostics) {
    let mut missing: Vec<&String> = entry_files.keys().map(|(i, _, _)| i).collect();
    missing.dedup();
    for key in missing.into_iter().filter(|k| !issue_files.contains_key(*k)) {
        diags.push(
            Diagnostic::file(Path::new("content").join(key), "the issue has no _index.md")
                .with_hint(format!("create it with `digest new issue {key}`")),
        );
    }
}

/// The published entries of the published issues, and the tags each wrote.
fn entries_from(
    entry_files: EntryFiles,
    issues: &IdVec<IssueId, Issue>,
    opts: &LoadOptions,
) -> (IdVec<EntryId, Entry>, IdVec<EntryId, Vec<String>>) {
    let issue_ids: HashMap<&str, IssueId> =
        issues.iter_enumerated().map(|(i, issue)| (issue.key.as_str(), i)).collect();
    // Sized up front: grown by doubling, the vector of a large archive's entries kept up to
    // twice the room it needs for the whole build.
    let mut entries = Vec::with_capacity(entry_files.len());
    let mut written_tags = Vec::with_capacity(entry_files.len());
    for ((issue_key, topic, slug), files) in entry_files {
        let Some(&issue) = issue_ids.get(issue_key.as_str()) else { continue };
        if let Some((entry, tags)) = build_entry(files, issue, topic, slug, opts) {
            written_tags.push(tags);
            entries.push(entry);
        }
    }
    (entries.into(), written_tags.into())
}

/// Tags in the order entries appear (newest issue first, topics in config order), then sorted
/// by slug; each entry's tags become ids.
fn index_tags(
    issues: &IdVec<IssueId, Issue>,
    entries: &mut IdVec<EntryId, Entry>,
    written: &IdVec<EntryId, Vec<String>>,
    diags: &mut Diagnostics,
) -> IdVec<TagId, Tag> {
    let mut tags: IdVec<TagId, Tag> = IdVec::default();
    let mut tag_ids: HashMap<String, TagId> = HashMap::new();
    for id in reading_order(issues) {
        let mut ids = Vec::new();
        for name in &written[id] {
            let Some((name, slug)) = tag_name(name) else {
                diags.push(empty_tag(&entries[id], name));
                continue;
            };
            let tid =
                *tag_ids.entry(slug.clone()).or_insert_with(|| tags.push(Tag { slug, name, entries: Vec::new() }));
            if !ids.contains(&tid) {
                ids.push(tid);
                tags[tid].entries.push(id);
            }
        }
        entries[id].tags = ids;
    }
    // Sorted by slug: every tag gets a new id.
    let mut order: Vec<TagId> = tags.ids().collect();
    order.sort_by(|&a, &b| tags[a].slug.cmp(&tags[b].slug));
    let mut new_id: IdVec<TagId, TagId> = vec![TagId(0); tags.len()].into();
    for (new, &old) in order.iter().enumerate() {
        new_id[old] = TagId(new);
    }
    for e in entries.iter_mut() {
        for t in &mut e.tags {
            *t = new_id[*t];
        }
    }
    let mut slots: IdVec<TagId, Option<Tag>> = tags.into_iter().map(Some).collect();
    order.iter().filter_map(|&old| slots[old].take()).collect()
}

/// An entry from its parsed files (one per language); `None` without a main file, or for a draft
/// when drafts are left out. Also returns the tags as written.
pub(crate) fn build_entry(
    files: BTreeMap<String, Box<ParsedEntry>>,
    issue: IssueId,
    topic: TopicId,
    slug: String,
    opts: &LoadOptions,
) -> Option<(Entry, Vec<String>)> {
    let (primary, main) = files.iter().find_map(|(l, p)| p.main.as_ref().map(|m| (l.clone(), m)))?;
    if main.draft && !opts.drafts {
        return None;
    }
    let (source, date, weight, tags, draft, via) =
        (main.source.clone(), main.date, main.weight, main.tags.clone(), main.draft, main.via.clone());
    let mut texts: BTreeMap<String, Box<EntryText>> = files.into_iter().map(|(l, p)| (l, Box::new(p.text))).collect();
    inherit_further_reading(&mut texts, &primary);
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

/// Gives a translation without further reading of its own the main file's list, its titles
/// marked as written in the main file's language (a reader still wants the links).
fn inherit_further_reading(texts: &mut BTreeMap<String, Box<EntryText>>, primary: &str) {
    let Some(main) = texts.get(primary).filter(|t| !t.further_reading.is_empty()) else { return };
    let inherited: Vec<FurtherReading> =
        main.further_reading.iter().map(|l| FurtherReading { lang: Some(primary.to_string()), ..l.clone() }).collect();
    for (_, t) in texts.iter_mut().filter(|(l, t)| *l != primary && t.further_reading.is_empty()) {
        t.further_reading = inherited.clone();
    }
}

/// Orders the entries of one issue's topic (weight, date, title, slug) and numbers them from 1.
pub(crate) fn sort_topic(list: &mut [EntryId], entries: &mut IdVec<EntryId, Entry>) {
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
    let slug = crate::site::slug::slugify(&name);
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
