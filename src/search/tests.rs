//! The records of the search index, read back from the files pagefind writes: their fields,
//! their language, each text once, drafts left out, navigation not indexed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::*;
use crate::cache::Cache;
use crate::load::theme::Theme;
use crate::load::{LoadOptions, load};
use crate::write::MemorySink;

const CONFIG: &str = r#"
base_url = "https://example.org"
default_language = "zh"

[languages.zh]
title = "云原生月报"
description = "每月动态"

[languages.en]
title = "Cloud Native Monthly"
description = "Monthly news"
"#;

const FILES: &[(&str, &str)] = &[
    (
        "content/2025-11/_index.md",
        "+++\ntitle = \"云原生月报 2025 年 11 月\"\ndate = 2025-11-30\n+++\n本期导语提到服务网格。\n",
    ),
    ("content/2025-11/_index.en.md", "+++\ntitle = \"November 2025\"\n+++\nThe introduction mentions meshes.\n"),
    (
        "content/2025-11/releases/gateway.md",
        "+++\ntitle = \"Gateway API 1.4 发布\"\noriginal_title = \"Gateway API v1.4\"\nsource = \"https://kubernetes.io/blog/gw/\"\n\
         date = 2025-11-06\ntags = [\"networking\"]\neditor_note = \"编者认为值得升级。\"\n+++\n\
         默认网关让开发者不必再写父网关。\n",
    ),
    (
        "content/2025-11/releases/gateway.en.md",
        "+++\ntitle = \"Gateway API 1.4 is out\"\n+++\nA default gateway spares developers the parent reference.\n",
    ),
    ("content/2025-11/news/only-zh.md", "+++\ntitle = \"只有中文的新闻\"\n+++\n后量子密钥交换成为默认。\n"),
    ("content/2025-11/news/secret.md", "+++\ntitle = \"草稿条目\"\ndraft = true\n+++\n尚未公开的保密内容。\n"),
];

/// A fixture site written into a temporary folder.
fn site(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    for (path, text) in FILES {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// One record of the index, as the browser reads it.
#[derive(Debug)]
struct Record {
    lang: String,
    url: String,
    content: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
}

/// Every output of `render_indexed`, and the records of its index by URL.
fn build(root: &Path, drafts: bool) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Record>) {
    let site = load(root, &LoadOptions { drafts, base_url: None }).unwrap_or_else(|d| panic!("{d}"));
    let theme = Theme::load(root, None).unwrap_or_else(|d| panic!("{d}"));
    let sink = MemorySink::default();
    render_indexed(&site, &theme, &sink, &Cache::none()).unwrap_or_else(|d| panic!("{d}"));
    let outputs = sink.into_inner();
    let mut records = BTreeMap::new();
    for (path, bytes) in &outputs {
        // pagefind/<lang>/fragment/… or pagefind/<lang>/<year>/fragment/…
        let Some(name) = path.strip_prefix(&layout::bundle_file("")) else { continue };
        if !name.contains("/fragment/") {
            continue;
        }
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut json).unwrap();
        let json: Value =
            serde_json::from_slice(json.strip_prefix(b"pagefind_dcd").expect("the fragment's marker")).unwrap();
        let strings = |v: &Value| -> BTreeMap<String, String> {
            v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
        };
        let lists = |v: &Value| -> BTreeMap<String, Vec<String>> {
            let list = |v: &Value| v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
            v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), list(v))).collect()
        };
        let record = Record {
            lang: name.split('/').next().unwrap().to_string(),
            url: json["url"].as_str().unwrap().to_string(),
            // Pagefind separates the words it segmented with zero-width spaces.
            content: json["content"].as_str().unwrap().replace('\u{200b}', ""),
            meta: strings(&json["meta"]),
            filters: lists(&json["filters"]),
        };
        records.insert(record.url.clone(), record);
    }
    (outputs, records)
}

#[test]
fn an_entry_record_has_its_title_issue_and_topic_and_its_text() {
    let dir = site(CONFIG);
    let (_, records) = build(dir.path(), false);
    let r = &records["/2025-11/releases/gateway/"];
    assert_eq!(r.lang, "zh");
    assert_eq!(r.meta["title"], "Gateway API 1.4 发布");
    assert_eq!(r.meta["issue"], "云原生月报 2025 年 11 月");
    assert_eq!(r.meta["topic"], "产品新功能/新版本");
    assert_eq!(r.filters["topic"], ["产品新功能/新版本"]);
    assert_eq!(r.filters["issue"], ["2025 年 11 月"]);
    // The title, the source's own title, the body and the editor's note are searched.
    for text in ["Gateway API 1.4 发布", "Gateway API v1.4", "默认网关让开发者不必再写父网关", "编者认为值得升级"]
    {
        assert!(r.content.contains(text), "{text:?} not in {:?}", r.content);
    }

    let en = &records["/en/2025-11/releases/gateway/"];
    assert_eq!(en.lang, "en");
    assert_eq!(en.meta["title"], "Gateway API 1.4 is out");
    assert_eq!(en.meta["issue"], "November 2025");
    assert_eq!(en.meta["topic"], "Releases");
    assert_eq!(en.filters["topic"], ["Releases"]);
    assert_eq!(en.filters["issue"], ["November 2025"]);
    assert!(en.content.contains("A default gateway spares developers"), "{:?}", en.content);
}

#[test]
fn an_issue_record_is_its_introduction_only() {
    let dir = site(CONFIG);
    let (_, records) = build(dir.path(), false);
    let r = &records["/2025-11/"];
    assert_eq!(r.lang, "zh");
    assert_eq!(r.meta["title"], "云原生月报 2025 年 11 月");
    assert!(!r.meta.contains_key("topic"), "{:?}", r.meta);
    assert_eq!(r.filters["issue"], ["2025 年 11 月"]);
    assert!(!r.filters.contains_key("topic"));
    assert_eq!(r.content, "本期导语提到服务网格。");
    assert_eq!(records["/en/2025-11/"].content, "The introduction mentions meshes.");
}

#[test]
fn every_language_has_its_own_records_and_nothing_else_is_indexed() {
    let dir = site(CONFIG);
    let (outputs, records) = build(dir.path(), false);
    let urls: Vec<&str> = records.keys().map(String::as_str).collect();
    // Entry and issue pages only: no home, archive, topic, tag or search page; and each text
    // once: the English page of the untranslated entry is not indexed again.
    assert_eq!(
        urls,
        [
            "/2025-11/",
            "/2025-11/news/only-zh/",
            "/2025-11/releases/gateway/",
            "/en/2025-11/",
            "/en/2025-11/releases/gateway/",
        ]
    );
    for r in records.values() {
        assert_eq!(r.lang, if r.url.starts_with("/en/") { "en" } else { "zh" }, "{}", r.url);
    }
    // The untranslated entry is found from the English page through the Chinese index, which
    // says how the English page shows it.
    let only_zh = &records["/2025-11/news/only-zh/"];
    assert_eq!(only_zh.filters["shown_in"], ["en"]);
    assert_eq!(only_zh.meta["url_en"], "/en/2025-11/news/only-zh/");
    assert_eq!(only_zh.meta["issue_en"], "November 2025");
    assert_eq!(only_zh.meta["topic_en"], "News and interviews");
    assert_eq!(only_zh.filters["topic_en"], ["News and interviews"]);
    assert_eq!(only_zh.filters["issue_en"], ["November 2025"]);
    assert!(!records["/2025-11/releases/gateway/"].filters.contains_key("shown_in"));
    let entry: Value = serde_json::from_slice(&outputs[&in_bundle("zh/", layout::BUNDLE_ENTRY)]).unwrap();
    assert_eq!(entry["languages"]["zh"]["page_count"], 3);
    let list: Value = serde_json::from_slice(&outputs[&layout::bundle_file(layout::BUNDLE_SEGMENTS)]).unwrap();
    assert_eq!(
        list,
        serde_json::json!({"languages": {
            "en": {"bundles": ["en/"], "shown_in": []},
            "zh": {"bundles": ["zh/"], "shown_in": ["en"]},
        }})
    );
    // Pagefind's browser code ships inside the crate and is written with each language's newest
    // segment.
    let bundle: Vec<&str> = outputs.keys().map(String::as_str).filter(|p| layout::in_search_bundle(p)).collect();
    // (Its script, its worker, the English WebAssembly, directly in the language's folder.)
    for (folder, file) in [("en/", "find.js"), ("zh/", "-worker.js"), ("en/", "wasm.en.pagefind")] {
        let top =
            |p: &&str| p.strip_prefix(&in_bundle(folder, "")).is_some_and(|f| !f.contains('/') && f.ends_with(file));
        assert!(bundle.iter().any(top), "{folder}…{file} in {bundle:?}");
    }
}

#[test]
fn navigation_and_interface_text_are_not_indexed() {
    let dir = site(CONFIG);
    let (_, records) = build(dir.path(), false);
    let zh = &records["/2025-11/releases/gateway/"].content;
    // Header, breadcrumb, tags, pager, footer, the date and the source link's label.
    for nav in [
        "云原生月报",
        "归档",
        "标签",
        "搜索",
        "返回本期",
        "networking",
        "订阅",
        "2025 年 11 月 6 日",
        "阅读原文",
        "新闻与访谈",
    ] {
        assert!(!zh.contains(nav), "{nav:?} indexed: {zh:?}");
    }
    let en = &records["/en/2025-11/releases/gateway/"].content;
    for nav in ["not translated", "Archive", "Back to the issue", "Cloud Native Monthly"] {
        assert!(!en.contains(nav), "{nav:?} indexed: {en:?}");
    }
    // The issue's record holds its introduction, not the entries shown below it.
    assert!(!records["/2025-11/"].content.contains("默认网关"));
}

#[test]
fn drafts_are_indexed_only_with_drafts() {
    let dir = site(CONFIG);
    let (outputs, records) = build(dir.path(), false);
    assert!(!records.keys().any(|u| u.contains("secret")));
    assert!(!records.values().any(|r| r.content.contains("保密")));
    assert!(!outputs.keys().any(|p| p.contains("secret")));

    let (_, records) = build(dir.path(), true);
    let draft = &records["/2025-11/news/secret/"];
    assert_eq!(draft.meta["title"], "草稿条目");
    // The draft badge is not part of the text.
    assert!(!draft.content.contains("草稿条目 草稿"), "{:?}", draft.content);
}

#[test]
fn urls_carry_the_base_path() {
    let dir = site(&CONFIG.replace("https://example.org", "https://example.org/newsletter"));
    let (outputs, records) = build(dir.path(), false);
    assert!(records.contains_key("/newsletter/2025-11/releases/gateway/"), "{:?}", records.keys());
    assert!(records.contains_key("/newsletter/en/2025-11/"));
    // The bundle stays at pagefind/ of the output, which is published at the base path.
    assert!(outputs.contains_key(&layout::bundle_file(layout::BUNDLE_SEGMENTS)));
    let page = String::from_utf8(outputs["search/index.html"].clone()).unwrap();
    assert!(page.contains(r#"data-bundle="/newsletter/pagefind/""#), "{page}");
    assert!(page.contains(r#"src="/newsletter/search.js""#));
}

#[test]
fn a_page_added_again_replaces_its_record() {
    let mut index = SearchIndex::new().unwrap();
    let page =
        |text: &str| format!("<html lang=\"en\"><body><main data-pagefind-body><h1>{text}</h1></main></body></html>");
    index.add("/a/", page("first words")).unwrap();
    index.add("/a/", page("second words")).unwrap();
    let files = index.into_files().unwrap();
    let fragments: Vec<&(String, Vec<u8>)> = files.iter().filter(|(p, _)| p.starts_with("fragment/")).collect();
    assert_eq!(fragments.len(), 1);
    let mut json = String::new();
    flate2::read::GzDecoder::new(&fragments[0].1[..]).read_to_string(&mut json).unwrap();
    assert!(json.contains("second words") && !json.contains("first words"), "{json}");
}

#[test]
fn the_index_does_not_depend_on_the_order_pages_are_rendered_in() {
    let dir = site(CONFIG);
    let (first, _) = build(dir.path(), false);
    for _ in 0..3 {
        let (again, _) = build(dir.path(), false);
        let index = |o: &BTreeMap<String, Vec<u8>>| {
            o.clone().into_iter().filter(|(p, _)| layout::in_search_bundle(p)).collect::<Vec<_>>()
        };
        assert!(index(&first) == index(&again), "the index differs between two builds");
    }
}

#[test]
fn render_errors_of_every_language_are_reported_and_no_index_is_written() {
    let dir = site(CONFIG);
    // Fails in both languages, differently: each language is rendered though the first failed.
    let template = "{% extends \"base.html\" %}{% block content %}\
                    {% if lang == \"zh\" %}{{ entry.zh_only.x }}{% else %}{{ entry.en_only.x }}{% endif %}\
                    {% endblock content %}";
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/entry.html"), template).unwrap();
    let site = load(dir.path(), &LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let theme = Theme::load(dir.path(), None).unwrap_or_else(|d| panic!("{d}"));
    let sink = MemorySink::default();
    let err = render_indexed(&site, &theme, &sink, &Cache::none()).expect_err("the entry template fails").to_string();
    assert!(err.contains("zh_only") && err.contains("en_only"), "{err}");
    let outputs = sink.into_inner();
    assert!(outputs.keys().any(|p| p.starts_with("en/")), "the second language was rendered");
    assert!(!outputs.keys().any(|p| layout::in_search_bundle(p)), "no index is written for a failed render");
}

/// Pages of `n` records with distinct words, in English.
fn pages(n: usize) -> Vec<(String, String)> {
    let page = |i: usize| {
        format!(
            "<html lang=\"en\"><body><main data-pagefind-body><h1>Entry {i}</h1>\
             <p>word{i} shared words about meshes and gateways, number {i}</p></main></body></html>"
        )
    };
    (0..n).map(|i| (format!("/p{i}/"), page(i))).collect()
}

#[test]
fn pages_parsed_in_parallel_give_the_files_of_pages_added_one_by_one() {
    let mut one_by_one = SearchIndex::new().unwrap();
    for (url, html) in pages(300) {
        one_by_one.add(&url, html).unwrap();
    }
    let expected = one_by_one.into_files().unwrap();
    assert!(expected.iter().filter(|(p, _)| p.starts_with("fragment/")).count() == 300);
    let mut parallel = SearchIndex::new().unwrap();
    for chunk in pages(300).chunks(64) {
        parallel.add_all(chunk.to_vec()).unwrap();
    }
    assert_eq!(parallel.added, 300);
    assert!(parallel.into_files().unwrap() == expected, "parsing in parallel changed the files");
}

/// The output path of `file` in segment folder `folder` of the search bundle.
fn in_bundle(folder: &str, file: &str) -> String {
    layout::bundle_file(&format!("{folder}{file}"))
}

/// Every output of a build of the site at `root` with `cache`, and what its indexing did.
fn build_cached(root: &Path, cache: &Cache) -> (BTreeMap<String, Vec<u8>>, Report) {
    let site = load(root, &LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let theme = Theme::load(root, None).unwrap_or_else(|d| panic!("{d}"));
    let sink = MemorySink::default();
    let report = render_indexed(&site, &theme, &sink, cache).unwrap_or_else(|d| panic!("{d}"));
    (sink.into_inner(), report)
}

/// The fixture site with an older issue, of December 2024.
fn two_years() -> tempfile::TempDir {
    let dir = site(CONFIG);
    let write = |path: &str, text: &str| {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "content/2024-12/_index.md",
        "+++\ntitle = \"云原生月报 2024 年 12 月\"\ndate = 2024-12-31\n+++\n年终导语。\n",
    );
    write("content/2024-12/_index.en.md", "+++\ntitle = \"December 2024\"\n+++\nThe year's end.\n");
    write("content/2024-12/news/old.md", "+++\ntitle = \"旧闻\"\n+++\n去年的网关新闻。\n");
    write("content/2024-12/news/old.en.md", "+++\ntitle = \"Old news\"\n+++\nLast year's gateway news.\n");
    dir
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn a_second_build_reuses_every_segment_and_writes_what_a_cold_build_writes() {
    let dir = two_years();
    let (cold, _) = build_cached(dir.path(), &Cache::none());
    let cache = Cache::open(dir.path());
    let (first, report) = build_cached(dir.path(), &cache);
    assert_eq!(sorted(report.built), ["en/2024", "en/2025", "zh/2024", "zh/2025"]);
    assert!(first == cold, "a build that fills the cache writes what one without it does");
    let folders: Vec<&str> = cold.keys().filter_map(|p| p.strip_suffix(layout::BUNDLE_ENTRY)).collect();
    let expected: Vec<String> = ["en/2024/", "en/", "zh/2024/", "zh/"].iter().map(|f| in_bundle(f, "")).collect();
    assert_eq!(folders, expected);

    let cache = Cache::open(dir.path());
    let (warm, report) = build_cached(dir.path(), &cache);
    assert_eq!(report.built, Vec::<String>::new(), "no segment is indexed again");
    assert_eq!(sorted(report.reused), ["en/2024", "en/2025", "zh/2024", "zh/2025"]);
    assert_eq!(cache.stats().misses, 0);
    assert!(warm == cold, "a warm build writes what a cold one does, byte for byte");
}

#[test]
fn a_changed_entry_indexes_its_own_year_and_language_only() {
    let dir = two_years();
    build_cached(dir.path(), &Cache::open(dir.path()));
    std::fs::write(
        dir.path().join("content/2025-11/releases/gateway.md"),
        std::fs::read_to_string(dir.path().join("content/2025-11/releases/gateway.md"))
            .unwrap()
            .replace("默认网关", "新的默认网关"),
    )
    .unwrap();
    let (warm, report) = build_cached(dir.path(), &Cache::open(dir.path()));
    assert_eq!(report.built, ["zh/2025"]);
    assert_eq!(sorted(report.reused), ["en/2024", "en/2025", "zh/2024"]);
    let (cold, _) = build_cached(dir.path(), &Cache::none());
    assert!(warm == cold, "the warm build equals a cold one");
}

#[test]
fn a_corrupt_cache_entry_is_found_and_made_again() {
    let dir = two_years();
    build_cached(dir.path(), &Cache::open(dir.path()));
    // Flip the last byte of every stored entry (segments and browser files).
    let stored = dir.path().join(crate::cache::DIR).join("search");
    for shard in std::fs::read_dir(&stored).unwrap() {
        for file in std::fs::read_dir(shard.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let mut bytes = std::fs::read(&path).unwrap();
            *bytes.last_mut().unwrap() ^= 1;
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let cache = Cache::open(dir.path());
    let (built, report) = build_cached(dir.path(), &cache);
    // Each segment's entry is read and found corrupt (the browser files are not read: the
    // newest segments are indexed again, which makes them).
    assert_eq!(cache.stats().corrupt, 4, "every corrupt segment is noticed");
    assert_eq!(sorted(report.built), ["en/2024", "en/2025", "zh/2024", "zh/2025"]);
    let (cold, _) = build_cached(dir.path(), &Cache::none());
    assert!(built == cold, "corrupt entries do not reach the output");
    let (_, report) = build_cached(dir.path(), &Cache::open(dir.path()));
    assert!(report.built.is_empty(), "the entries were made again");
}

#[test]
fn the_indexer_constant_names_the_pagefind_version_of_the_bundle() {
    let dir = site(CONFIG);
    let (outputs, _) = build(dir.path(), false);
    let entry: Value = serde_json::from_slice(&outputs[&in_bundle("zh/", layout::BUNDLE_ENTRY)]).unwrap();
    let version = entry["version"].as_str().unwrap();
    assert!(segments::INDEXER.starts_with(&format!("version {version};")), "{version} vs {}", segments::INDEXER);
}
