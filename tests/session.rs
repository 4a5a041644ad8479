//! Incremental rebuilds (`Session`): after every kind of edit, the outputs of the last render
//! updated with just the dirty pages equal a fresh full build, byte for byte.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{Fixture, entry, issue};
use digest::cache::Cache;
use digest::load::theme::Theme;
use digest::load::{LoadOptions, load};
use digest::render::session::{Dirty, Session};
use digest::render::{Output, render};
use digest::search::background::Indexer;
use digest::write::MemorySink;

type Outputs = BTreeMap<String, Vec<u8>>;

fn site() -> Fixture {
    Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\n+++\nNovember intro.\n"),
        ("content/2025-10/_index.md", &issue("十月", "2025-10-31")),
        ("content/2025-11/releases/a.md", &entry("甲", "weight = 10\ntags = [\"helm\"]", "A body.")),
        ("content/2025-11/releases/a.en.md", &entry("A", "", "A in English.")),
        (
            "content/2025-11/releases/b.md",
            &entry(
                "乙",
                "weight = 20\ndate = 2025-11-02\ntags = [\"helm\", \"gateway-api\"]",
                "B body [link](/2025-10/).",
            ),
        ),
        ("content/2025-11/releases/c.md", &entry("丙", "weight = 30\neditor_note = \"注\"", "C body.")),
        ("content/2025-11/news/n.md", &entry("新闻", "tags = [\"gateway-api\"]", "News.")),
        ("content/2025-11/news/n.en.md", &entry("News", "", "News in English.")),
        ("content/2025-10/news/old.md", &entry("旧闻", "tags = [\"helm\"]\ndate = 2025-10-03", "Old.")),
        ("content/2025-10/memes/m.md", &entry("梗", "", "Meme.")),
    ])
}

/// A fresh full build of the fixture into memory.
fn full(f: &Fixture) -> Outputs {
    let site = load(f.root(), &LoadOptions::default()).expect("load");
    let theme = Theme::load(f.root(), None).expect("theme");
    let sink = MemorySink::default();
    render(&site, &theme, &sink).expect("render");
    sink.into_inner()
}

/// A session with its first render.
fn start(f: &Fixture) -> (Session, Outputs) {
    let session = Session::load(f.root(), LoadOptions::default()).expect("session");
    let sink = MemorySink::default();
    session.render(&Dirty::All, &sink).expect("render");
    (session, sink.into_inner())
}

/// Applies an update to the outputs of the last render, as `serve` would.
fn update(session: &mut Session, outputs: Outputs, changed: &[&str]) -> (Dirty, Outputs) {
    let changed: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
    let dirty = session.update(&changed).expect("update");
    let sink = match dirty {
        Dirty::All => MemorySink::default(),
        Dirty::Pages(_) => MemorySink(std::sync::Mutex::new(outputs)),
    };
    session.render(&dirty, &sink).expect("render");
    (dirty, sink.into_inner())
}

fn assert_same(incremental: &Outputs, fresh: &Outputs) {
    assert_eq!(incremental.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>());
    for (path, bytes) in fresh {
        assert!(incremental[path] == *bytes, "{path} differs from a full build:\n{}", String::from_utf8_lossy(bytes));
    }
}

fn pages(dirty: &Dirty) -> &[Output] {
    match dirty {
        Dirty::Pages(p) => p,
        Dirty::All => panic!("expected an incremental update, got a full one"),
    }
}

#[test]
fn the_first_render_is_the_full_build() {
    let f = site();
    let (_, outputs) = start(&f);
    assert_same(&outputs, &full(&f));
}

#[test]
fn edits_of_entries_render_only_their_pages_and_match_a_full_build() {
    let f = site();
    let (mut session, mut outputs) = start(&f);
    let edits: &[(&str, String)] = &[
        // Body of an entry of the latest issue (home page, feeds, tags, neighbours).
        (
            "content/2025-11/releases/b.md",
            entry("乙", "weight = 20\ndate = 2025-11-02\ntags = [\"helm\", \"gateway-api\"]", "New body, **bold**."),
        ),
        // A translation's title.
        ("content/2025-11/releases/a.en.md", entry("A, retitled", "", "A in English.")),
        // Weight: c moves first, renumbering the topic.
        ("content/2025-11/releases/c.md", entry("丙", "weight = 5\neditor_note = \"新注\"", "C body.")),
        // Weight: a moves after b, which shares its tag: the tag page's order changes.
        ("content/2025-11/releases/a.md", entry("甲", "weight = 25\ntags = [\"helm\"]", "A body.")),
        // Untranslated entry of an older issue: both languages show it.
        ("content/2025-10/news/old.md", entry("旧闻 2", "tags = [\"helm\"]\ndate = 2025-09-03", "Old, edited.")),
        // Main file of a translated entry: only its inherited fields show in English.
        ("content/2025-11/news/n.md", entry("新闻", "tags = [\"gateway-api\"]\nsource = \"https://x.org/\"", "新.")),
    ];
    for (path, text) in edits {
        f.write(path, text);
        let (dirty, next) = update(&mut session, outputs, &[path]);
        let dirty = pages(&dirty);
        assert!(!dirty.is_empty(), "{path}: nothing to render");
        assert!(dirty.len() < 40, "{path}: {} pages for one entry", dirty.len());
        assert!(!dirty.contains(&Output::Sitemap), "{path}");
        outputs = next;
        assert_same(&outputs, &full(&f));
    }
    // The date outside its month is reported, as by a full load.
    assert!(session.site().warnings.iter().any(|w| w.message.contains("2025-09-03")));
}

#[test]
fn saving_an_unchanged_file_renders_nothing() {
    let f = site();
    let (mut session, outputs) = start(&f);
    let (dirty, _) = update(&mut session, outputs, &["content/2025-11/releases/a.md"]);
    assert_eq!(dirty, Dirty::Pages(Vec::new()));
}

#[test]
fn structural_changes_load_everything_again() {
    let f = site();
    let (mut session, mut outputs) = start(&f);
    let changes: &[(&str, Option<String>)] = &[
        // Tags change: tag pages and counts everywhere.
        ("content/2025-11/releases/a.md", Some(entry("甲", "weight = 10\ntags = [\"istio\"]", "A body."))),
        // Becomes a draft: gone from every page.
        ("content/2025-11/news/n.md", Some(entry("新闻", "draft = true", "News."))),
        // A new entry.
        ("content/2025-11/memes/new.md", Some(entry("新梗", "", "New."))),
        // A translation removed.
        ("content/2025-11/releases/a.en.md", None),
        // An issue's introduction.
        ("content/2025-10/_index.md", Some(issue("十月（修订）", "2025-10-31"))),
        // The configuration.
        ("config.toml", Some(format!("{}\n[languages.en.ui]\nhome = \"Start\"\n", common::CONFIG))),
    ];
    for (path, text) in changes {
        match text {
            Some(t) => f.write(path, t),
            None => f.remove(path),
        }
        let (dirty, next) = update(&mut session, outputs, &[path]);
        assert_eq!(dirty, Dirty::All, "{path}");
        outputs = next;
        assert_same(&outputs, &full(&f));
    }
}

#[test]
fn a_broken_edit_changes_nothing_until_it_is_fixed() {
    let f = site();
    let (mut session, outputs) = start(&f);
    f.write("content/2025-11/releases/b.md", "+++\ntitle = \"乙\"\nweight = \"heavy\"\n+++\nBody.\n");
    let err = session.update(&[PathBuf::from("content/2025-11/releases/b.md")]).unwrap_err();
    assert!(err.to_string().contains("content/2025-11/releases/b.md:3:"), "{err}");
    // Still the last good site.
    assert_eq!(session.site().entries.iter().find(|e| e.slug == "b").unwrap().weight, 20);
    f.write(
        "content/2025-11/releases/b.md",
        &entry("乙", "weight = 20\ndate = 2025-11-02\ntags = [\"helm\", \"gateway-api\"]", "Fixed."),
    );
    let (_, outputs) = update(&mut session, outputs, &["content/2025-11/releases/b.md"]);
    assert_same(&outputs, &full(&f));
}

#[test]
fn absolute_paths_and_batches_of_entries_are_understood() {
    let f = site();
    let (mut session, outputs) = start(&f);
    f.write("content/2025-11/releases/a.md", &entry("甲", "weight = 10\ntags = [\"helm\"]", "A, edited."));
    f.write("content/2025-10/memes/m.md", &entry("梗", "", "Meme, edited."));
    let a = f.root().join("content/2025-11/releases/a.md");
    let m = f.root().join("content/2025-10/memes/m.md");
    let dirty = session.update(&[a, m]).expect("update");
    assert!(matches!(dirty, Dirty::Pages(_)), "{dirty:?}");
    let sink = MemorySink(std::sync::Mutex::new(outputs));
    session.render(&dirty, &sink).expect("render");
    assert_same(&sink.into_inner(), &full(&f));
}

/// The search index of a fresh full build of the fixture.
fn full_index(f: &Fixture) -> Outputs {
    let site = load(f.root(), &LoadOptions::default()).expect("load");
    let theme = Theme::load(f.root(), None).expect("theme");
    let sink = MemorySink::default();
    digest::search::render_indexed(&site, &theme, &sink, &Cache::none()).expect("render");
    sink.into_inner().into_iter().filter(|(p, _)| p.starts_with("pagefind/")).collect()
}

/// What an [`Indexer`] has published so far.
type Published = std::sync::Arc<std::sync::Mutex<Vec<digest::search::Files>>>;

/// Waits until `published` holds `n` sets of files, and returns the last.
fn nth_published(published: &Published, n: usize) -> Outputs {
    let started = std::time::Instant::now();
    while published.lock().unwrap().len() < n {
        assert!(started.elapsed().as_secs() < 120, "no index published");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    published.lock().unwrap().last().cloned().expect("an index").into_iter().collect()
}

#[test]
fn the_background_indexer_writes_the_index_a_full_build_writes_and_follows_a_saved_entry() {
    let f = site();
    let mut session = Session::load(f.root(), LoadOptions::default()).expect("session");
    let sink = MemorySink::default();
    session.render(&Dirty::All, &sink).expect("render");
    assert!(!sink.into_inner().keys().any(|p| p.starts_with("pagefind/")), "serve's render leaves the index out");
    let published = Published::default();
    let to = published.clone();
    let mut indexer = Indexer::spawn(Cache::none(), move |files| to.lock().unwrap().push(files), |d| panic!("{d}"));
    indexer.all(session.site());
    let first = nth_published(&published, 1);
    assert_eq!(first, full_index(&f));

    f.write(
        "content/2025-11/releases/b.md",
        &entry("乙", "weight = 20\ndate = 2025-11-02\ntags = [\"helm\", \"gateway-api\"]", "Observability body."),
    );
    let dirty = session.update(&[PathBuf::from("content/2025-11/releases/b.md")]).expect("update");
    let Dirty::Pages(pages) = dirty else { panic!("a saved entry renders some pages: {dirty:?}") };
    indexer.update(session.site(), &pages);
    indexer.finish();
    let updated = nth_published(&published, 2);
    assert_ne!(updated, first);
    assert_eq!(updated, full_index(&f));
}
