//! The built-in `links` theme (source: `themes/links/`): a new site and this repository build
//! with it, its pages are lists of links, valid HTML5, and a site overrides one of its files
//! without copying the theme; entry images show on issue pages in both themes.

mod common;

use std::path::Path;

use common::{Fixture, Output, entry, issue, select_attr, select_text};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Copies a folder (files only, recursively).
fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The sample site with `theme = "links"`: a copy of this repository's layout (its config with
/// that line added, content/, themes/, and templates/ and static/, the default theme's source).
fn sample_with_links_theme() -> Fixture {
    let config = std::fs::read_to_string(Path::new(REPO).join("config.toml")).unwrap();
    let f = Fixture::with_config(&format!("theme = \"links\"\n{config}"), &[]);
    for dir in ["content", "themes", "templates", "static"] {
        copy_dir(&Path::new(REPO).join(dir), &f.root().join(dir));
    }
    f
}

#[test]
fn the_sample_builds_with_the_links_theme_as_lists_of_links() {
    let f = sample_with_links_theme();
    let out = f.build();
    for prefix in ["", "en/"] {
        let doc = out.html(&format!("{prefix}2025-11/index.html"));
        // Every entry, one item each, grouped by topic in config order.
        let per_topic: Vec<usize> = ["releases", "news", "discussions", "reports", "products", "memes"]
            .iter()
            .map(|t| select_text(&doc, &format!("#{t} li.link-item")).len())
            .collect();
        assert_eq!(per_topic, [13, 9, 10, 3, 3, 4], "{prefix}");
        // No entry's full text on the issue page.
        assert!(select_text(&doc, ".entry-body").is_empty());
        // Titles link to the source when there is one, and then "Details" to the entry page.
        let gateway = "#releases-gateway-api-1-4";
        assert_eq!(
            select_attr(&doc, &format!("{gateway} .link-title"), "href"),
            ["https://kubernetes.io/blog/2025/11/06/gateway-api-v1-4/"]
        );
        assert_eq!(select_text(&doc, &format!("{gateway} .link-host")), ["kubernetes.io"]);
        let details = select_attr(&doc, &format!("{gateway} .link-details"), "href");
        assert_eq!(details, [format!("/{prefix}2025-11/releases/gateway-api-1-4/")]);
        assert!(out.has(&format!("{prefix}2025-11/releases/gateway-api-1-4/index.html")));
        // Without a source, the title is the way to the entry page.
        assert_eq!(
            select_attr(&doc, "#releases-linkerd-2-19 .link-title", "href"),
            [format!("/{prefix}2025-11/releases/linkerd-2-19/")]
        );
        assert!(select_text(&doc, "#releases-linkerd-2-19 .link-details").is_empty());
        // The editor's note and the original title on the second line.
        let sub = select_text(&doc, "#releases-external-secrets-operator-1-0 .link-sub");
        assert!(sub[0].starts_with("External Secrets Operator is now GA"), "{sub:?}");
        assert_eq!(select_text(&doc, "#releases-external-secrets-operator-1-0 .link-note-label").len(), 1);
        // Topic headings lead to the issue topic pages; each topic ends with a way back up.
        let headings = select_attr(&doc, "section.topic > h2 a", "href");
        assert_eq!(headings[0], format!("/{prefix}2025-11/releases/"));
        assert_eq!(select_text(&doc, ".back-to-contents").len(), 6);

        // Compact topic, issue topic and tag pages: the same items.
        let topic = out.html(&format!("{prefix}topics/releases/index.html"));
        assert_eq!(select_text(&topic, "li.link-item").len(), 13 + 2);
        let issue_topic = out.html(&format!("{prefix}2025-11/releases/index.html"));
        assert_eq!(select_text(&issue_topic, "li.link-item").len(), 13);
        let tag = out.html(&format!("{prefix}tags/gateway-api/index.html"));
        assert!(!select_text(&tag, "li.link-item .link-meta").is_empty());
        assert_eq!(select_text(&tag, "main h2").len(), 0, "the tag page is one list under its h1");
        // Archive: one line per issue.
        let archive = out.html(&format!("{prefix}archive/index.html"));
        assert_eq!(select_text(&archive, ".issues li").len(), 2);
        assert!(select_text(&archive, ".issues li p").is_empty());
    }
    // The theme's own stylesheet, the shared print stylesheet; the feeds keep every entry's text.
    assert!(out.text("style.css").contains("links"));
    assert!(out.text("print.css").contains("@page"));
    // The feeds are the default theme's: each entry's whole text, under its numbered heading.
    let rss = out.text("en/rss.xml");
    assert!(rss.contains("Three features graduate to the Standard Channel"), "{}", &rss[..2000]);
    assert!(rss.contains("<h3>1. <a href="), "{}", &rss[..2000]);
}

#[test]
fn links_theme_pages_are_valid_html5() {
    let f = sample_with_links_theme();
    f.build();
    common::validate_html(&f.root().join("public"));
}

#[test]
fn check_finds_no_broken_link_in_the_links_theme() {
    let f = sample_with_links_theme();
    let report = digest::check::check(f.root(), &digest::check::Options::default());
    let errors: Vec<String> = (report.diagnostics.iter())
        .filter(|d| d.severity == digest::error::Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(errors, Vec::<String>::new());
}

#[test]
fn a_site_overrides_one_file_of_the_links_theme() {
    let f = Fixture::with_config(
        &format!("theme = \"links\"\n{}", common::CONFIG),
        &[
            ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
            ("content/2025-11/releases/a.md", &entry("甲", "source = \"https://kubernetes.io/a\"", "A.")),
            // The site's own item partial: the host first.
            (
                "templates/partials/link_item.html",
                "<li class=\"mine\" id=\"{{ entry.anchor }}\"><a href=\"{{ entry.source }}\">{{ entry.title }}</a></li>\n",
            ),
        ],
    );
    let out: Output = f.build();
    let doc = out.html("2025-11/index.html");
    assert_eq!(select_text(&doc, "li.mine"), ["甲"]);
    // The rest still comes from the theme (its issue page, its stylesheet) and the built-in theme.
    assert_eq!(select_text(&doc, ".back-to-contents").len(), 1);
    assert!(out.text("style.css").contains("links"));
    assert_eq!(select_text(&out.html("2025-11/releases/a/index.html"), "h1"), ["甲"]);
}

/// What `digest init --theme NAME` asks for.
fn links_theme(name: &str) -> digest::scaffold::InitOptions {
    digest::scaffold::InitOptions { theme: Some(name.to_string()), ..Default::default() }
}

/// A site made by `digest init --theme links` in December 2025, its example issue in November.
fn new_links_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let nov = chrono::NaiveDate::from_ymd_opt(2025, 12, 12).unwrap();
    digest::scaffold::init(&root, nov, links_theme("links")).unwrap();
    (dir, root)
}

#[test]
fn a_new_site_builds_with_the_built_in_links_theme() {
    let (_dir, root) = new_links_site();
    let config = std::fs::read_to_string(root.join("config.toml")).unwrap();
    assert!(config.lines().any(|l| l == "theme = \"links\""), "{config}");
    assert!(!root.join("themes").exists() && !root.join("templates").exists());
    let opts = digest::build::Options { output: root.join("public"), base_url: None, drafts: false, search: false };
    digest::build::build(&root, &opts).unwrap_or_else(|d| panic!("{d}"));
    let out = Output::read(&root.join("public"));
    for prefix in ["", "en/"] {
        let doc = out.html(&format!("{prefix}2025-11/index.html"));
        assert_eq!(select_text(&doc, "#news li.link-item .link-title").len(), 1, "{prefix}");
        assert!(select_text(&doc, ".entry-body").is_empty());
    }
    assert!(out.text("style.css").contains(".link-item"));
    // The default theme's files the links theme keeps.
    assert!(out.text("print.css").contains("@page"));
}

#[test]
fn init_names_the_built_in_themes_when_given_another() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["--root", dir.path().to_str().unwrap(), "init", "site", "--theme", "fancy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid value 'fancy' for '--theme <NAME>'"), "{stderr}");
    assert!(stderr.contains("[possible values: default, links]"), "{stderr}");
    assert!(!dir.path().join("site").exists());
    // The library says the same.
    let nov = chrono::NaiveDate::from_ymd_opt(2025, 11, 12).unwrap();
    let err = digest::scaffold::init(&dir.path().join("site"), nov, links_theme("fancy")).unwrap_err().to_string();
    assert!(err.contains("unknown theme \"fancy\"") && err.contains("the built-in themes are default, links"), "{err}");
}

#[test]
fn an_unknown_theme_is_reported_at_its_line() {
    let config = common::CONFIG.replacen("default_language", "theme = \"fancy\"\ndefault_language", 1);
    let f = Fixture::with_config(&config, &[("content/2025-11/_index.md", &issue("十一月", "2025-11-30"))]);
    let report =
        common::expect_error(&f, "config.toml:3:9:", "theme \"fancy\" is neither built in nor a folder of themes/");
    assert!(
        report.contains("hint: the built-in themes are default, links; or add the folder themes/fancy/"),
        "{report}"
    );
    // A folder of that name is a theme.
    f.write("themes/fancy/templates/partials/entry.html", "<article class=\"fancy\">{{ entry.title }}</article>\n");
    f.write("content/2025-11/news/a.md", &entry("甲", "", "A."));
    assert_eq!(select_text(&f.build().html("2025-11/index.html"), "article.fancy"), ["甲"]);
}

#[test]
fn a_site_folder_themes_links_overrides_the_built_in_links_theme_file_by_file() {
    let (_dir, root) = new_links_site();
    let css = root.join("themes/links/static/style.css");
    std::fs::create_dir_all(css.parent().unwrap()).unwrap();
    std::fs::write(&css, "/* the site's own links stylesheet */\n").unwrap();
    let opts = digest::build::Options { output: root.join("public"), base_url: None, drafts: false, search: false };
    digest::build::build(&root, &opts).unwrap_or_else(|d| panic!("{d}"));
    let out = Output::read(&root.join("public"));
    assert_eq!(out.text("style.css"), "/* the site's own links stylesheet */\n");
    assert_eq!(select_text(&out.html("2025-11/index.html"), "li.link-item").len(), 1);
}

/// A site whose one entry, a meme, is a picture beside it, in `theme` (`None`: the default).
fn meme_site(theme: Option<&str>) -> Output {
    let config = match theme {
        Some(t) => format!("theme = \"{t}\"\n{}", common::CONFIG),
        None => common::CONFIG.to_string(),
    };
    let f = Fixture::with_config(
        &config,
        &[
            ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
            ("content/2025-11/memes/cat.md", &entry("一张图", "", "![猫在修集群](cat.png)")),
        ],
    );
    f.write_bytes("content/2025-11/memes/cat.png", &common::png(400, 300));
    f.build()
}

#[test]
fn an_image_of_a_memes_entry_shows_on_the_issue_page_in_both_themes() {
    for theme in [None, Some("links")] {
        let out = meme_site(theme);
        assert!(out.has("2025-11/memes/cat.png"));
        let doc = out.html("2025-11/index.html");
        assert_eq!(select_attr(&doc, "#memes-cat img", "src"), ["/2025-11/memes/cat.png"], "{theme:?}");
        assert_eq!(select_attr(&doc, "#memes-cat img", "alt"), ["猫在修集群"], "{theme:?}");
        // The home page shows the latest issue the same way.
        assert_eq!(select_attr(&out.html("index.html"), "#memes-cat img", "src").len(), 1, "{theme:?}");
    }
}
