//! `digest check`: one fixture site per finding, good and bad, located exactly.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use digest::check::{Options, check};
use digest::error::Diagnostic;

const CONFIG: &str = r#"base_url = "https://digest.example.org"
default_language = "zh"
[languages.zh]
title = "月报"
[languages.en]
title = "Monthly"
"#;

/// Lines 1–6 are front matter; the body starts on line 7.
const ENTRY_A: &str =
    "+++\ntitle = \"条目 A\"\nsource = \"https://example.org/a\"\ndate = 2025-11-06\ntags = [\"网关\"]\n+++\n正文。\n";

fn base() -> Vec<(&'static str, String)> {
    vec![
        ("config.toml", CONFIG.into()),
        ("content/2025-11/_index.md", "+++\ntitle = \"十一月\"\ndate = 2025-11-30\n+++\n导语。\n".into()),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\n+++\nIntro.\n".into()),
        ("content/2025-11/releases/a.md", ENTRY_A.into()),
        ("content/2025-11/releases/a.en.md", "+++\ntitle = \"Entry A\"\n+++\nText.\n".into()),
    ]
}

/// A site of the base files, with `changes` replacing or adding files and `None` removing them.
/// Every file gets the same modification time, so no translation looks outdated by accident.
fn site(changes: &[(&str, Option<&str>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = base().into_iter().map(|(p, t)| (p.to_string(), t)).collect();
    for (path, text) in changes {
        files.retain(|(p, _)| p != path);
        if let Some(t) = text {
            files.push((path.to_string(), t.to_string()));
        }
    }
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        std::fs::File::options().write(true).open(&full).unwrap().set_modified(when).unwrap();
    }
    dir
}

fn run(root: &Path) -> Vec<Diagnostic> {
    check(root, &Options::default()).diagnostics
}

/// The first line of each finding: `path:line:column: severity: message`.
fn lines(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(|d| d.to_string().lines().next().unwrap().to_string()).collect()
}

/// The one finding whose message contains `needle`.
fn only<'a>(diags: &'a [Diagnostic], needle: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.message.contains(needle)).collect();
    assert_eq!(found.len(), 1, "expected one finding with {needle:?} in {:#?}", lines(diags));
    found[0]
}

fn at(d: &Diagnostic) -> String {
    format!("{}:{}:{}: {:?}", d.path.display(), d.line, d.column, d.severity).to_lowercase()
}

#[test]
fn a_clean_site_has_no_findings() {
    let dir = site(&[]);
    let report = check(dir.path(), &Options::default());
    assert_eq!(lines(&report.diagnostics), Vec::<String>::new());
    assert!(report.pages > 10 && report.links > 50, "{} pages, {} links", report.pages, report.links);
}

#[test]
fn everything_build_rejects_is_reported() {
    let bad = ENTRY_A.replace("tags = [\"网关\"]", "tagz = [\"网关\"]");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad))]);
    let d = run(dir.path());
    let e = only(&d, "unknown field `tagz`");
    assert_eq!(at(e), "content/2025-11/releases/a.md:5:1: error");
    assert_eq!(e.hint.as_deref(), Some("did you mean `tags`?"));
}

#[test]
fn drafts_are_checked_too() {
    let bad = "+++\ntitle = \"草稿\"\ndraft = true\n+++\n[x](/2025-11/releases/nope/)\n";
    let dir = site(&[
        ("content/2025-11/releases/d.md", Some(bad)),
        ("content/2025-11/releases/d.en.md", Some("+++\ntitle = \"D\"\n+++\n")),
    ]);
    let d = run(dir.path());
    assert_eq!(at(only(&d, "broken link")), "content/2025-11/releases/d.md:5:5: error");
}

#[test]
fn broken_links_and_anchors_in_markdown_point_at_the_entry_line() {
    let b = "+++\ntitle = \"条目 B\"\n+++\n正文。\n";
    let good =
        format!("{ENTRY_A}\n[b](/2025-11/releases/b/) [c](/2025-11/#releases-b) [d](/tags/%E7%BD%91%E5%85%B3/)\n");
    let dir = site(&[
        ("content/2025-11/releases/a.md", Some(&good)),
        ("content/2025-11/releases/b.md", Some(b)),
        ("content/2025-11/releases/b.en.md", Some("+++\ntitle = \"B\"\n+++\n")),
    ]);
    assert_eq!(lines(&run(dir.path())), Vec::<String>::new());

    let bad = format!(
        "{ENTRY_A}\n[x](/2025-11/releases/nope/)\n[y](/2025-11/#nope) [z](#section)\n\n## 简介\n\n[t](#简介)\n"
    );
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad))]);
    let d = run(dir.path());
    let link = only(&d, "broken link");
    assert_eq!(at(link), "content/2025-11/releases/a.md:9:5: error");
    assert_eq!(link.message, "broken link `/2025-11/releases/nope/`: nothing is published at /2025-11/releases/nope/");
    // The entry shows on the home page, the issue page, the issue's releases page and its own
    // page: reported once.
    assert_eq!(link.hint.as_deref(), Some("seen on /2025-11/ and 3 other pages"));
    let anchor = only(&d, "`/2025-11/#nope`");
    assert_eq!(at(anchor), "content/2025-11/releases/a.md:10:5: error");
    assert!(anchor.message.contains("/2025-11/ has no element with id `nope`"), "{anchor}");
    assert_eq!(at(only(&d, "`#section`")), "content/2025-11/releases/a.md:10:25: error");
    // Headings in entries carry the entry's prefix, and so do links to them: `#简介` works.
    assert!(d.iter().all(|x| !x.message.contains("简介")), "{:#?}", lines(&d));
    assert_eq!(d.len(), 3, "{:#?}", lines(&d));
}

#[test]
fn broken_template_links_point_at_the_page_and_name_the_template() {
    let tpl = "{% extends \"base.html\" %}\n{% block content %}<p><a href=\"{{ site.archive_url }}\">ok</a> <a href=\"/missing-page/\">x</a></p>{% endblock content %}\n";
    let dir = site(&[("templates/404.html", Some(tpl))]);
    let d = run(dir.path());
    let e = only(&d, "broken link");
    assert_eq!(e.message, "broken link `/missing-page/`: nothing is published at /missing-page/");
    // Locate the link in the page as `build` writes it.
    let out = dir.path().join("public");
    digest::build::build(
        dir.path(),
        &digest::build::Options { output: out.clone(), base_url: None, drafts: true, search: true },
    )
    .unwrap();
    let html = std::fs::read_to_string(out.join("404.html")).unwrap();
    let offset = html.find("href=\"/missing-page/\"").unwrap() + "href=\"".len();
    let (line, column) = digest::error::line_col(&html, offset);
    assert_eq!(at(e), format!("404.html:{line}:{column}: error"));
    let hint = e.hint.as_deref().unwrap();
    assert!(hint.contains("templates/404.html") && hint.contains("1 other page"), "{hint}");
}

#[test]
fn links_must_include_the_base_path() {
    let config = CONFIG.replace("https://digest.example.org", "https://example.github.io/digest");
    let body = format!("{ENTRY_A}\n[a](/2025-11/releases/a/)\n");
    let tpl = "{% extends \"base.html\" %}\n{% block content %}<a href=\"{{ site.archive_url }}\">ok</a><a href=\"/archive/\">x</a>{% endblock content %}\n";
    let dir = site(&[
        ("config.toml", Some(&config)),
        ("content/2025-11/releases/a.md", Some(&body)),
        ("templates/404.html", Some(tpl)),
    ]);
    let d = run(dir.path());
    assert_eq!(d.len(), 1, "{:#?}", lines(&d));
    assert_eq!(d[0].message, "link `/archive/` leads outside the site: /archive/ is not below the base path /digest/");
}

#[test]
fn a_source_repeated_from_an_earlier_issue_is_a_warning_naming_it() {
    let old = "+++\ntitle = \"旧条目\"\nsource = \"HTTPS://Example.org/a/#top\"\n+++\n正文。\n";
    let issue = "+++\ntitle = \"十月\"\ndate = 2025-10-31\n+++\n";
    let dir = site(&[
        ("content/2025-10/_index.md", Some(issue)),
        ("content/2025-10/_index.en.md", Some("+++\ntitle = \"October\"\n+++\n")),
        ("content/2025-10/news/old.md", Some(old)),
        ("content/2025-10/news/old.en.md", Some("+++\ntitle = \"Old\"\n+++\n")),
    ]);
    let d = run(dir.path());
    let w = only(&d, "recurring source");
    assert_eq!(at(w), "content/2025-11/releases/a.md:3:1: warning");
    assert_eq!(w.message, "recurring source: an entry of an earlier issue has the same source");
    assert_eq!(
        w.hint.as_deref(),
        Some(
            "content/2025-10/news/old.md has `https://example.org/a` too: fine for a recurring event or a follow-up; \
             otherwise link that entry"
        )
    );
    assert_eq!(d.len(), 1, "{:#?}", lines(&d));

    let other = old.replace("/a/#top", "/b");
    let dir = site(&[
        ("content/2025-10/_index.md", Some(issue)),
        ("content/2025-10/_index.en.md", Some("+++\ntitle = \"October\"\n+++\n")),
        ("content/2025-10/news/old.md", Some(&other)),
        ("content/2025-10/news/old.en.md", Some("+++\ntitle = \"Old\"\n+++\n")),
    ]);
    assert_eq!(lines(&run(dir.path())), Vec::<String>::new());
}

#[test]
fn a_source_used_twice_in_one_issue_is_an_error_at_the_entry_read_later() {
    // Reading order: topics in config order (releases before news), then weight within a topic.
    let entry = |title: &str, weight: i32| {
        format!("+++\ntitle = \"{title}\"\nsource = \"https://example.org/a\"\nweight = {weight}\n+++\n正文。\n")
    };
    let (news, first, later) = (entry("新闻", 0), entry("乙", -1), entry("甲", 1));
    let dir = site(&[
        ("content/2025-11/news/n.md", Some(&news)),
        ("content/2025-11/news/n.en.md", Some("+++\ntitle = \"N\"\n+++\n")),
    ]);
    let d = run(dir.path());
    let e = only(&d, "is also the source of");
    assert_eq!(at(e), "content/2025-11/news/n.md:3:1: error");
    assert_eq!(e.message, "source `https://example.org/a` is also the source of content/2025-11/releases/a.md");
    assert_eq!(d.len(), 1, "{:#?}", lines(&d));

    // `a` sorts first by file name but comes later by weight: the error is at `a`, and both
    // later entries name the first one, `b`.
    let dir = site(&[
        ("content/2025-11/releases/a.md", Some(&later)),
        ("content/2025-11/releases/b.md", Some(&first)),
        ("content/2025-11/releases/b.en.md", Some("+++\ntitle = \"B\"\n+++\n")),
        ("content/2025-11/news/n.md", Some(&news)),
        ("content/2025-11/news/n.en.md", Some("+++\ntitle = \"N\"\n+++\n")),
    ]);
    let d = run(dir.path());
    let errors: Vec<String> = d.iter().map(|x| format!("{} {}", at(x), x.message)).collect();
    assert_eq!(
        errors,
        [
            "content/2025-11/news/n.md:3:1: error source `https://example.org/a` is also the source of content/2025-11/releases/b.md",
            "content/2025-11/releases/a.md:3:1: error source `https://example.org/a` is also the source of content/2025-11/releases/b.md",
        ]
    );
}

#[test]
fn a_date_outside_the_issue_month_is_a_warning_at_the_date_line() {
    let bad = ENTRY_A.replace("2025-11-06", "2025-10-30");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad))]);
    let d = run(dir.path());
    let w = only(&d, "lies outside its issue's month");
    assert_eq!(at(w), "content/2025-11/releases/a.md:4:1: warning");
    assert_eq!(w.message, "the entry's date 2025-10-30 lies outside its issue's month 2025-11");
}

#[test]
fn tracking_parameters_and_plain_http_are_warnings_at_the_link() {
    let bad = ENTRY_A.replace("https://example.org/a", "http://example.org/a")
        + "\n[x](https://example.org/post?utm_source=feed&id=1&fbclid=abc)\n";
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad))]);
    let d = run(dir.path());
    let http = only(&d, "plain http link");
    assert_eq!(at(http), "content/2025-11/releases/a.md:3:11: warning");
    assert_eq!(http.message, "plain http link `http://example.org/a`");
    let tracking = only(&d, "tracking parameter");
    assert_eq!(at(tracking), "content/2025-11/releases/a.md:9:5: warning");
    assert_eq!(
        tracking.message,
        "tracking parameter `utm_source`, `fbclid` in `https://example.org/post?utm_source=feed&id=1&fbclid=abc`"
    );
    assert_eq!(tracking.hint.as_deref(), Some("link without it: https://example.org/post?id=1"));
    assert_eq!(d.len(), 2, "{:#?}", lines(&d));
}

#[test]
fn missing_translations_are_warnings_per_entry_and_issue() {
    let dir = site(&[("content/2025-11/releases/a.en.md", None), ("content/2025-11/_index.en.md", None)]);
    let d = run(dir.path());
    let entry = only(&d, "the entry has no `en` version");
    assert_eq!(at(entry), "content/2025-11/releases/a.md:1:1: warning");
    assert!(entry.message.starts_with("missing translation"));
    assert_eq!(
        entry.hint.as_deref(),
        Some("create content/2025-11/releases/a.en.md with `digest new entry 2025-11 releases a --lang en`")
    );
    assert_eq!(at(only(&d, "the issue has no `en` version")), "content/2025-11/_index.md:1:1: warning");
    assert_eq!(d.len(), 2, "{:#?}", lines(&d));
}

#[test]
fn translations_older_than_their_main_file_are_warnings() {
    let dir = site(&[]);
    let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1_760_000_000);
    let main = dir.path().join("content/2025-11/releases/a.md");
    std::fs::File::options().write(true).open(main).unwrap().set_modified(later).unwrap();
    let d = run(dir.path());
    let w = only(&d, "outdated translation");
    assert_eq!(at(w), "content/2025-11/releases/a.en.md:1:1: warning");
    assert!(w.message.contains("content/2025-11/releases/a.md changed on 2025-10-09"), "{w}");
    assert_eq!(d.len(), 1, "{:#?}", lines(&d));
}

/// Runs git in `dir` as a test author, with commit dates `when`.
fn git_at(dir: &Path, args: &[&str], when: &str) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", when)
        .env("GIT_COMMITTER_DATE", when)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn with_git_a_punctuation_only_change_does_not_outdate_translations() {
    let dir = site(&[]);
    let git = |args: &[&str], when: &str| git_at(dir.path(), args, when);
    let main = dir.path().join("content/2025-11/releases/a.md");
    std::fs::write(&main, ENTRY_A.replace("正文。", "正文,好 。")).unwrap();
    git(&["init", "-q"], "2025-11-01T00:00:00Z");
    git(&["add", "."], "2025-11-01T00:00:00Z");
    git(&["commit", "-qm", "first"], "2025-11-01T00:00:00Z");
    // A typography fix only: half-width to full-width punctuation, spacing.
    std::fs::write(&main, ENTRY_A.replace("正文。", "正文\u{ff0c}好。")).unwrap();
    git(&["commit", "-qam", "typography"], "2025-11-02T00:00:00Z");
    assert_eq!(lines(&run(dir.path())), Vec::<String>::new());
    // A change of words does outdate the translation.
    std::fs::write(&main, ENTRY_A.replace("正文。", "新的正文。")).unwrap();
    git(&["commit", "-qam", "rewrite"], "2025-11-03T00:00:00Z");
    let d = run(dir.path());
    let w = only(&d, "outdated translation");
    assert!(w.message.contains("changed on 2025-11-03"), "{w}");
}

#[test]
fn a_typography_fix_never_outdates_a_translation() {
    // Without git: `check --fix` keeps the file's modification time.
    let dir = site(&[("content/2025-11/releases/a.md", Some(&ENTRY_A.replace("正文。", "正文,好。")))]);
    let out = digest(dir.path(), &["check", "--fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Fixed 1 typography finding in 1 file"), "{stderr}");
    assert!(!stderr.contains("outdated"), "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("content/2025-11/releases/a.md")).unwrap();
    assert!(text.contains("正文\u{ff0c}好。"), "{text}");
    assert_eq!(lines(&run(dir.path())), Vec::<String>::new());

    // With git: an uncommitted change of spacing only, saved by hand (a new modification time),
    // is not a change of the text.
    let git = |args: &[&str]| git_at(dir.path(), args, "2025-11-01T00:00:00Z");
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "first"]);
    let main = dir.path().join("content/2025-11/releases/a.md");
    std::fs::write(&main, text.replace("正文\u{ff0c}好。", "\n正文\u{ff0c}好。\n")).unwrap();
    assert_eq!(lines(&run(dir.path())), Vec::<String>::new());
    std::fs::write(&main, text.replace("正文\u{ff0c}好。", "正文\u{ff0c}很好。")).unwrap();
    let d = run(dir.path());
    assert!(only(&d, "outdated translation").message.contains("releases/a.md changed on 20"), "{d:#?}");
}

#[test]
fn chinese_typography_is_checked_in_chinese_files_only() {
    let zh = "+++\ntitle = \"使用Kubernetes\"\n+++\n你好,世界。代码 `a,b中` 不查,网址 https://x.org/a,b中 也不查。\n";
    let en = "+++\ntitle = \"使用Kubernetes\"\n+++\n你好,世界\n";
    let dir = site(&[("content/2025-11/releases/a.md", Some(zh)), ("content/2025-11/releases/a.en.md", Some(en))]);
    let d = run(dir.path());
    assert_eq!(
        lines(&d),
        vec![
            "content/2025-11/releases/a.md:2:12: warning: missing space in `用Kubernetes`",
            "content/2025-11/releases/a.md:4:3: warning: half-width punctuation in `好,世`",
            "content/2025-11/releases/a.md:4:19: warning: half-width punctuation in `查,网`",
        ]
    );
    let hints: Vec<&str> = d.iter().map(|d| d.hint.as_deref().unwrap()).collect();
    assert_eq!(hints, ["用 Kubernetes", "好，世", "查，网"]);
}

/// An entry with a slip of each kind, one a line from line 7 on.
const SLIPS: &str = "+++\ntitle = \"在Kubernetes中部署\"\nsource = \"https://example.org/s\"\n\
date = 2025-11-06\neditor_note = \"共3个版本\"\n+++\n\
缩小 90%,Java 负载最多缩小 50%;Ubuntu 还称\n\
当时名为 KFServing;随后改名\n\
支持１２３个节点\n\
你好,世界\n\
VMware VCF(VKS)\n";

#[test]
fn typography_findings_are_located_with_the_suggested_text() {
    let dir = site(&[
        ("content/2025-11/releases/s.md", Some(SLIPS)),
        ("content/2025-11/releases/s.en.md", Some("+++\ntitle = \"S\"\n+++\n")),
    ]);
    let d = run(dir.path());
    let found: Vec<String> = d
        .iter()
        .map(|d| format!("{}:{}: {} => {}", d.line, d.column, d.message, d.hint.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        vec![
            "2:11: missing space in `在Kubernetes中` => 在 Kubernetes 中",
            "5:17: missing space in `共3个` => 共 3 个",
            "7:7: half-width punctuation in `90%,Java` => 90%，Java",
            "7:23: half-width punctuation in `50%;Ubuntu` => 50%；Ubuntu",
            "8:15: half-width punctuation in `KFServing;随` => KFServing；随",
            "9:3: full-width letters or digits in `持１２３个` => 持 123 个",
            "10:3: half-width punctuation in `好,世` => 好，世",
            "11:11: half-width punctuation in `VCF(VKS)` => VCF（VKS）",
        ]
    );
    assert!(d.iter().all(|d| d.severity == digest::error::Severity::Warning));
}

/// Prose next to everything that is not prose: keys, URLs, link targets, code.
const MIXED: &str = "+++\ntitle = \"用Helm部署\"\noriginal_title = \"Deploy with Helm,v4\"\n\
source = \"https://example.org/a,b中文\"\ndate = 2025-11-06\ntags = [\"云原生AI\"]\n\
[[further_reading]]\ntitle = \"Helm文档\"\nurl = \"https://helm.sh/docs中文,x\"\n+++\n\
在Kubernetes中运行`helm install a,b中`命令,详见[文档](/2025-11/releases/a/)与 https://x.org/a,b中 相同,共3个。\n\n\
```sh\necho 中文,English在Kubernetes中\n```\n\n    缩进代码,在K8s中\n\n\
| 平台 | 说明 |\n| --- | --- |\n| VMware VCF(VKS) | 约57天 |\n";

const MIXED_FIXED: &str = "+++\ntitle = \"用 Helm 部署\"\noriginal_title = \"Deploy with Helm,v4\"\n\
source = \"https://example.org/a,b中文\"\ndate = 2025-11-06\ntags = [\"云原生AI\"]\n\
[[further_reading]]\ntitle = \"Helm 文档\"\nurl = \"https://helm.sh/docs中文,x\"\n+++\n\
在 Kubernetes 中运行 `helm install a,b中` 命令，详见[文档](/2025-11/releases/a/)与 https://x.org/a,b中 相同，共 3 个。\n\n\
```sh\necho 中文,English在Kubernetes中\n```\n\n    缩进代码,在K8s中\n\n\
| 平台 | 说明 |\n| --- | --- |\n| VMware VCF（VKS） | 约 57 天 |\n";

fn mixed_site() -> tempfile::TempDir {
    site(&[
        ("content/2025-11/releases/m.md", Some(MIXED)),
        ("content/2025-11/releases/m.en.md", Some("+++\ntitle = \"M\"\n+++\nUse `helm`,in Kubernetes中.\n")),
    ])
}

#[test]
fn fix_rewrites_prose_and_leaves_every_other_byte() {
    let dir = mixed_site();
    let out = digest(dir.path(), &["check", "--fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let written = std::fs::read_to_string(dir.path().join("content/2025-11/releases/m.md")).unwrap();
    assert_eq!(written, MIXED_FIXED);
    // The English file is not Chinese: untouched.
    let en = std::fs::read_to_string(dir.path().join("content/2025-11/releases/m.en.md")).unwrap();
    assert_eq!(en, "+++\ntitle = \"M\"\n+++\nUse `helm`,in Kubernetes中.\n");
    let fixed: Vec<&str> = stderr.lines().filter(|l| l.contains(": fixed: ")).collect();
    assert_eq!(fixed[0], "content/2025-11/releases/m.md:2:11: fixed: “用Helm部” → “用 Helm 部”");
    assert!(
        fixed.contains(
            &"content/2025-11/releases/m.md:11:15: fixed: “行`helm install a,b中`” → “行 `helm install a,b中`”"
        ),
        "{stderr}"
    );
    assert!(fixed.contains(&"content/2025-11/releases/m.md:21:13: fixed: “VCF(VKS)” → “VCF（VKS）”"), "{stderr}");
    assert!(stderr.contains(&format!("Fixed {} typography findings in 1 file\n", fixed.len())), "{stderr}");
    // The check ran on the fixed file: nothing left to report but the translation now older.
    assert!(!stderr.contains("missing space") && !stderr.contains("half-width"), "{stderr}");
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("content/2025-11/releases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    // A second run has nothing to fix.
    let again = digest(dir.path(), &["check", "--fix"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("Fixed 0 typography findings in 0 files"));
}

#[test]
fn fix_dry_run_prints_a_diff_and_writes_nothing() {
    let dir = mixed_site();
    let path = dir.path().join("content/2025-11/releases/m.md");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    let out = digest(dir.path(), &["check", "--fix", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MIXED);
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), before);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with("--- a/content/2025-11/releases/m.md\n+++ b/content/2025-11/releases/m.md\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-title = \"用Helm部署\"\n+title = \"用 Helm 部署\"\n"), "{diff}");
    assert!(diff.contains("\n-| VMware VCF(VKS) | 约57天 |\n+| VMware VCF（VKS） | 约 57 天 |\n"), "{diff}");
    assert!(!diff.contains("-echo") && !diff.contains("-    缩进"), "code is not changed: {diff}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Would fix "), "{stderr}");
    // The check that follows sees the files as they are.
    assert!(stderr.contains("warning: missing space in `用Helm部`"), "{stderr}");
    // --dry-run means nothing without --fix.
    assert_eq!(digest(dir.path(), &["check", "--dry-run"]).status.code(), Some(2));
}

#[test]
fn a_disabled_rule_is_neither_reported_nor_fixed() {
    let config = format!("{CONFIG}[check.typography]\ndisable = [\"space-word\", \"fullwidth-bracket\"]\n");
    let dir = site(&[
        ("config.toml", Some(&config)),
        ("content/2025-11/releases/s.md", Some(SLIPS)),
        ("content/2025-11/releases/s.en.md", Some("+++\ntitle = \"S\"\n+++\n")),
    ]);
    let d = run(dir.path());
    assert!(d.iter().all(|d| !d.message.contains("missing space") && !d.message.contains("VCF")), "{:#?}", lines(&d));
    assert_eq!(at(only(&d, "`KFServing;随`")), "content/2025-11/releases/s.md:8:15: warning");
    let out = digest(dir.path(), &["check", "--fix"]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("content/2025-11/releases/s.md")).unwrap();
    assert!(written.contains("在Kubernetes中部署") && written.contains("VMware VCF(VKS)"), "{written}");
    assert!(written.contains("KFServing；随后") && written.contains("你好，世界"), "{written}");

    let config = format!("{CONFIG}[check.typography]\ndisable = [\"space-wrod\"]\n");
    let dir = site(&[("config.toml", Some(&config))]);
    let d = run(dir.path());
    let e = only(&d, "unknown typography rule");
    assert_eq!(at(e), "config.toml:8:12: error");
    assert!(e.hint.as_deref().unwrap().starts_with("did you mean `space-word`?"), "{e}");
}

/// One typography slip on line 7 of an entry: `check` reports it at `column` as written
/// (`old`) with the corrected text as its hint, and `check --fix` writes `fixed` in its place.
fn slip(line: &str, column: usize, old: &str, hint: &str, fixed: &str) {
    let text = ENTRY_A.replace("正文。", line);
    let dir = site(&[("content/2025-11/releases/a.md", Some(&text))]);
    let d = run(dir.path());
    let w = only(&d, "half-width punctuation");
    assert_eq!(at(w), format!("content/2025-11/releases/a.md:7:{column}: warning"), "{w}");
    assert_eq!(w.message, format!("half-width punctuation in `{old}`"));
    assert_eq!(w.hint.as_deref(), Some(hint));
    let out = digest(dir.path(), &["check", "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("content/2025-11/releases/a.md")).unwrap();
    assert_eq!(written, ENTRY_A.replace("正文。", fixed));
}

#[test]
fn a_colon_between_chinese_and_a_latin_word_is_fixed() {
    slip("新版本发布:in-place 升级。", 6, "布:in-place", "布：in-place", "新版本发布：in-place 升级。");
}

#[test]
fn a_semicolon_between_chinese_and_a_latin_word_is_fixed() {
    slip("提高三个百分点;GitOps 则下降。", 8, "点;GitOps", "点；GitOps", "提高三个百分点；GitOps 则下降。");
}

#[test]
fn a_comma_after_a_chinese_closing_mark_is_fixed() {
    slip("发布了《年度报告》,与去年相比。", 10, "》,与", "》，与", "发布了《年度报告》，与去年相比。");
}

#[test]
fn a_semicolon_at_the_end_of_a_chinese_line_is_fixed() {
    slip("这与安全相关;\n", 7, "关;", "关；", "这与安全相关；\n");
}

#[test]
fn a_comma_after_a_bracket_made_full_width_is_fixed_with_it() {
    let text = ENTRY_A.replace("正文。", "服务网格（如 Istio),或者 Linkerd。");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&text))]);
    let d = run(dir.path());
    assert_eq!(lines(&d), vec!["content/2025-11/releases/a.md:7:13: warning: half-width punctuation in `Istio),或`"]);
    assert_eq!(d[0].hint.as_deref(), Some("Istio），或"));
    let out = digest(dir.path(), &["check", "--fix"]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("content/2025-11/releases/a.md")).unwrap();
    assert_eq!(written, ENTRY_A.replace("正文。", "服务网格（如 Istio），或者 Linkerd。"));
    // A half-width pair holding Chinese: both brackets and the comma (the slip as first seen).
    let text = ENTRY_A.replace("正文。", "服务网格(如 Istio),或者 Linkerd。");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&text))]);
    let hints: Vec<String> =
        run(dir.path()).iter().map(|d| format!("{} => {}", d.message, d.hint.as_deref().unwrap())).collect();
    assert_eq!(
        hints,
        ["half-width punctuation in `格(如` => 格（如", "half-width punctuation in `Istio),或` => Istio），或"]
    );
    assert_eq!(digest(dir.path(), &["check", "--fix"]).status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("content/2025-11/releases/a.md")).unwrap();
    assert_eq!(written, ENTRY_A.replace("正文。", "服务网格（如 Istio），或者 Linkerd。"));
}

/// Half-width punctuation that is not a slip: code, URLs, keys, English, times, ratios, syntax.
const NOT_SLIPS: &str = "+++\ntitle = \"条目 A\"\nsource = \"https://example.org/a:b;c\"\ndate = 2025-11-06\n\
tags = [\"网关\"]\n[[further_reading]]\ntitle = \"延伸阅读\"\nurl = \"https://example.org/发布:x,y\"\n+++\n\
## 标题:Title\n\n\
Hello, world: yes\n\
他说 Hello, world: yes 然后离开。\n\
会议在 19:02 开始，按 3:1 的比例分配。\n\
运行 `kubectl get pods;echo 完成` 查看，详见 https://example.org/a:b;c!d?e,f\n\n\
```sh\necho 发布:in-place;相关;\n```\n\n\
- 列表项[^1]\n\n[^1]: 注释。\n\n[参考]: https://example.org/r\n";

#[test]
fn fix_leaves_code_urls_keys_english_times_ratios_and_syntax_alone() {
    let dir = site(&[("content/2025-11/releases/a.md", Some(NOT_SLIPS))]);
    let d = run(dir.path());
    let found: Vec<String> = d.iter().filter(|d| d.message.contains("punctuation")).map(|d| d.to_string()).collect();
    // The heading is prose: its `:` is a slip; nothing else is.
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(at(only(&d, "half-width punctuation in `题:Title`")), "content/2025-11/releases/a.md:10:6: warning");
    let out = digest(dir.path(), &["check", "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("content/2025-11/releases/a.md")).unwrap();
    assert_eq!(written, NOT_SLIPS.replace("## 标题:Title", "## 标题：Title"));
}

/// A loopback HTTP server: `/ok`, `/missing` (404), `/loop` (redirects to itself), `/slow`
/// (never answers) and `/no-head` (405 to HEAD, 200 to GET). Counts requests and the
/// most requests in flight at once.
struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
    max_active: Arc<AtomicUsize>,
}

fn serve() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let active = Arc::new(AtomicUsize::new(0));
    let max_active = Arc::new(AtomicUsize::new(0));
    let (h, a, m) = (hits.clone(), active.clone(), max_active.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (h, a, m) = (h.clone(), a.clone(), m.clone());
            std::thread::spawn(move || {
                h.fetch_add(1, Ordering::SeqCst);
                let now = a.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                answer(stream);
                a.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Server { port, hits, max_active }
}

fn answer(mut stream: TcpStream) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let mut first = request.lines().next().unwrap_or_default().split(' ');
    let (method, path) = (first.next().unwrap_or_default(), first.next().unwrap_or_default());
    let (status, extra) = match (method, path) {
        (_, "/ok") => ("200 OK", ""),
        (_, "/loop") => ("302 Found", "Location: /loop\r\n"),
        (_, "/slow") => {
            // Never answer; return when the client hangs up (or after 20 s), so a timed-out
            // request does not count as in flight afterwards.
            stream.set_read_timeout(Some(Duration::from_millis(100))).ok();
            for _ in 0..200 {
                match stream.read(&mut buf) {
                    Ok(0) => return,
                    Err(e) if !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        return;
                    }
                    _ => {}
                }
            }
            return;
        }
        ("HEAD", "/no-head") => ("405 Method Not Allowed", ""),
        ("GET", "/no-head") => ("200 OK", ""),
        _ => ("404 Not Found", ""),
    };
    let response = format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(response.as_bytes()).ok();
}

#[test]
fn outside_links_are_fetched_politely_and_cached() {
    let server = serve();
    let base = format!("http://127.0.0.1:{}", server.port);
    // The source is a loopback link too: no test reaches the internet.
    let entry = ENTRY_A.replace("https://example.org/a", &format!("{base}/ok"));
    let body = format!(
        "{entry}\n[a]({base}/ok)\n[b]({base}/missing)\n[c]({base}/loop)\n[d]({base}/slow)\n[e]({base}/no-head)\n"
    );
    let dir = site(&[("content/2025-11/releases/a.md", Some(&body))]);
    let mut opts = Options { external: true, ..Options::default() };
    // No retries, so each link costs one request (retries are tested with `fetch`, which
    // shares the policy).
    opts.http.timeout = Duration::from_secs(5);
    opts.http.retries = 0;

    let report = check(dir.path(), &opts);
    let d = &report.diagnostics;
    let missing = only(d, "/missing");
    assert_eq!(at(missing), "content/2025-11/releases/a.md:10:5: error");
    assert_eq!(missing.message, format!("broken link `{base}/missing`: 404 Not Found"));
    assert_eq!(at(only(d, "redirect loop")), "content/2025-11/releases/a.md:11:5: error");
    let slow = only(d, "/slow");
    assert_eq!(at(slow), "content/2025-11/releases/a.md:12:5: warning");
    assert!(slow.message.ends_with("timed out after 5 s"), "{slow}");
    assert_eq!(d.len(), 3, "{:#?}", lines(d));
    assert!(server.max_active.load(Ordering::SeqCst) <= 2, "more than 2 requests at once to one host");
    // HEAD to each, and GET after the refused HEAD of /no-head.
    let first_hits = server.hits.load(Ordering::SeqCst);
    assert_eq!(first_hits, 6);

    // The second run answers every link from the cache: no request reaches the server.
    let again = check(dir.path(), &opts);
    assert_eq!(server.hits.load(Ordering::SeqCst), first_hits);
    assert_eq!(lines(&again.diagnostics), lines(d));
    assert_eq!(again.external.fetched, 0);
    assert_eq!(again.external.cached, again.external.links);
}

#[test]
fn a_broken_outside_link_in_a_template_is_reported_once_with_its_pages() {
    let server = serve();
    let base = format!("http://127.0.0.1:{}", server.port);
    // The 404 template makes a page in each language: one finding, counting both.
    let tpl = format!(
        "{{% extends \"base.html\" %}}\n{{% block content %}}<p><a href=\"{base}/missing\">x</a></p>{{% endblock content %}}\n"
    );
    let dir = site(&[("templates/404.html", Some(&tpl))]);
    let mut opts = Options { external: true, ..Options::default() };
    opts.http.retries = 0;
    let report = check(dir.path(), &opts);
    let found: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| d.message.contains("/missing")).collect();
    assert_eq!(found.len(), 1, "{:#?}", lines(&report.diagnostics));
    assert_eq!(found[0].message, format!("broken link `{base}/missing`: 404 Not Found"));
    assert!(at(found[0]).starts_with("404.html:"), "{}", at(found[0]));
    let hint = found[0].hint.as_deref().unwrap();
    assert!(hint.contains("templates/404.html") && hint.ends_with("and 1 other page"), "{hint}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
}

fn digest(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_digest")).arg("--root").arg(root).args(args).output().unwrap()
}

#[test]
fn exit_status_is_1_on_errors_and_0_on_warnings_only() {
    let dir = site(&[]);
    assert_eq!(digest(dir.path(), &["check"]).status.code(), Some(0));

    let dir = site(&[("content/2025-11/releases/a.en.md", None)]);
    let out = digest(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("content/2025-11/releases/a.md:1:1: warning: missing translation"), "{stderr}");

    let bad = format!("{ENTRY_A}\n[x](/nope/)\n");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad))]);
    let out = digest(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("content/2025-11/releases/a.md:9:5: error: broken link `/nope/`"), "{stderr}");

    assert_eq!(digest(dir.path(), &["check", "--format", "xml"]).status.code(), Some(2));
}

#[test]
fn warnings_come_first_then_the_summary_line_then_the_errors() {
    let bad = format!("{ENTRY_A}\n[x](/nope/)\n");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad)), ("content/2025-11/releases/a.en.md", None)]);
    let out = digest(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = |needle: &str| stderr.find(needle).unwrap_or_else(|| panic!("no {needle:?} in {stderr}"));
    let (warning, summary, error) = (at(": warning: missing translation"), at("Checked "), at(": error: broken link"));
    assert!(warning < summary && summary < error, "{stderr}");
    assert!(stderr.trim_end().ends_with("error: 1 problem found"), "{stderr}");
}

#[test]
fn json_output_parses_back() {
    let bad = format!("{ENTRY_A}\n[x](/nope/)\n");
    let dir = site(&[("content/2025-11/releases/a.md", Some(&bad)), ("content/2025-11/releases/a.en.md", None)]);
    let out = digest(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 2, "{v:#}");
    let error = items.iter().find(|d| d["severity"] == "error").unwrap();
    assert_eq!(error["path"], "content/2025-11/releases/a.md");
    assert_eq!((error["line"].as_u64(), error["column"].as_u64()), (Some(9), Some(5)));
    assert!(error["message"].as_str().unwrap().starts_with("broken link `/nope/`"));
    assert!(error["hint"].is_string());
    let warning = items.iter().find(|d| d["severity"] == "warning").unwrap();
    assert!(warning["message"].as_str().unwrap().starts_with("missing translation"));
}

#[test]
fn the_sample_site_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = digest(root, &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains(": error:"), "{stderr}");
}

#[test]
fn repeated_warnings_are_summarised_per_issue_unless_verbose() {
    let entry = |n: usize| format!("+++\ntitle = \"条目 {n}\"\n+++\n正文。\n");
    let files: Vec<(String, String)> = (0..5).map(|n| (format!("content/2025-11/news/e{n}.md"), entry(n))).collect();
    let changes: Vec<(&str, Option<&str>)> = files.iter().map(|(p, t)| (p.as_str(), Some(t.as_str()))).collect();
    let dir = site(&changes);

    let out = digest(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(
        warnings,
        ["content/2025-11/: warning: missing translation: the entry has no `en` version (5 files)"],
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "hint: lines ending in a count stand for several findings; `digest check --verbose` lists each one"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("0 errors, 5 warnings"), "{stderr}");

    let out = digest(dir.path(), &["check", "--verbose"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let each: Vec<&str> = stderr.lines().filter(|l| l.contains(": warning: missing translation")).collect();
    assert_eq!(each.len(), 5, "{stderr}");
    assert!(each[0].starts_with("content/2025-11/news/e0.md:1:1: warning:"), "{stderr}");

    let out = digest(dir.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v.as_array().unwrap().len(), 5, "JSON lists every finding");
}

/// Entry B of the releases topic, in both languages, each with a heading of its own.
fn entry_b() -> [(&'static str, Option<&'static str>); 2] {
    [
        (
            "content/2025-11/releases/b.md",
            Some("+++\ntitle = \"条目 B\"\n+++\n正文。\n\n## 升级注意事项\n\n先备份。\n"),
        ),
        (
            "content/2025-11/releases/b.en.md",
            Some("+++\ntitle = \"Entry B\"\n+++\nText.\n\n## Upgrade notes\n\nBack up first.\n"),
        ),
    ]
}

#[test]
fn relative_links_and_heading_links_resolve_in_the_language_of_their_file() {
    let zh = format!("{ENTRY_A}\n[B](../releases/b/) [注意](../releases/b/#升级注意事项) [图](./)\n");
    let en = "+++\ntitle = \"Entry A\"\n+++\nText.\n\n[B](../releases/b/#upgrade-notes) [issue](../)\n";
    let mut changes =
        vec![("content/2025-11/releases/a.md", Some(zh.as_str())), ("content/2025-11/releases/a.en.md", Some(en))];
    changes.extend(entry_b());
    let dir = site(&changes);
    assert_eq!(lines(&run(dir.path())), Vec::<String>::new());

    // The English text's heading link goes to the English page, whose heading is another.
    let en = "+++\ntitle = \"Entry A\"\n+++\nText.\n\n[B](../releases/b/#升级注意事项)\n";
    changes[1] = ("content/2025-11/releases/a.en.md", Some(en));
    let dir = site(&changes);
    let d = run(dir.path());
    let anchor = only(&d, "broken anchor");
    assert_eq!(at(anchor), "content/2025-11/releases/a.en.md:6:5: error");
    assert_eq!(
        anchor.message,
        "broken anchor `../releases/b/#升级注意事项`: /en/2025-11/releases/b/ has no element with id `releases-b-升级注意事项`"
    );
    // Seen on the English pages only: the English text is shown nowhere else.
    assert_eq!(anchor.hint.as_deref(), Some("seen on /en/2025-11/ and 3 other pages"));
    assert_eq!(d.len(), 1, "{:#?}", lines(&d));
}

#[test]
fn a_broken_relative_link_is_reported_at_its_line_and_column() {
    let en = "+++\ntitle = \"Entry A\"\n+++\nText.\n\nSee [the news](../news/nope/) too.\n";
    let dir = site(&[("content/2025-11/releases/a.en.md", Some(en))]);
    let d = run(dir.path());
    let link = only(&d, "broken link");
    assert_eq!(at(link), "content/2025-11/releases/a.en.md:6:16: error");
    assert_eq!(link.message, "broken link `../news/nope/`: nothing is published at /en/2025-11/news/nope/");
    assert_eq!(d.len(), 1, "{:#?}", lines(&d));
}

#[test]
fn a_file_that_fails_to_load_is_reported_and_everything_else_still_checked() {
    let bad_b = "+++\ntitle = \"条目 B\"\nsorce = \"https://example.org/b\"\n+++\n正文。\n";
    let zh = format!("{ENTRY_A}\n[B](../releases/b/) [x](../releases/nope/)\n");
    let dir = site(&[
        ("content/2025-11/releases/a.md", Some(&zh)),
        ("content/2025-11/releases/b.md", Some(bad_b)),
        ("content/2025-11/releases/b.en.md", Some("+++\ntitle = \"Entry B\"\n+++\nText.\n")),
    ]);
    let report = check(dir.path(), &Options::default());
    let d = &report.diagnostics;
    assert_eq!(at(only(d, "unknown field `sorce`")), "content/2025-11/releases/b.md:3:1: error");
    // The rest of the site was rendered and its links checked; the link into the entry left
    // out is not reported as broken (its own error is the one to fix).
    assert_eq!(at(only(d, "broken link")), "content/2025-11/releases/a.md:9:25: error");
    assert!(report.pages > 10 && report.links > 50, "{} pages, {} links", report.pages, report.links);
    assert_eq!(d.len(), 2, "{:#?}", lines(d));
}

#[test]
fn check_of_one_issue_reports_its_content_and_resolves_its_links_against_the_whole_site() {
    let issue = "+++\ntitle = \"十月\"\ndate = 2025-10-31\n+++\n";
    let old = "+++\ntitle = \"旧条目\"\n+++\n正文,好。\n\n## 背景\n\n[x](../news/nope/)\n";
    let a = format!("{ENTRY_A}\n[ok](../../2025-10/news/old/#背景) [bad](../../2025-10/news/old/#nope)\n");
    let dir = site(&[
        ("content/2025-10/_index.md", Some(issue)),
        ("content/2025-10/_index.en.md", Some("+++\ntitle = \"October\"\n+++\n")),
        ("content/2025-10/news/old.md", Some(old)),
        ("content/2025-10/news/old.en.md", Some("+++\ntitle = \"Old\"\n+++\n")),
        ("content/2025-11/releases/a.md", Some(&a)),
    ]);
    let whole = lines(&run(dir.path()));
    let issue = |key: &str| {
        let report = check(dir.path(), &Options { issue: Some(key.to_string()), ..Options::default() });
        (lines(&report.diagnostics), report.pages)
    };
    let (november, pages) = issue("2025-11");
    assert_eq!(
        november,
        [
            "content/2025-11/releases/a.md:9:40: error: broken anchor `../../2025-10/news/old/#nope`: /2025-10/news/old/ has no element with id `news-old-nope`"
        ]
    );
    // Its pages in both languages (issue, topic, entry) and the page its anchor links into.
    assert_eq!(pages, 7, "{november:?}");
    let (october, _) = issue("2025-10");
    assert_eq!(
        october,
        [
            "content/2025-10/news/old.md:4:3: warning: half-width punctuation in `文,好`",
            "content/2025-10/news/old.md:8:5: error: broken link `../news/nope/`: nothing is published at /2025-10/news/nope/",
        ]
    );
    let mut both = [november, october].concat();
    both.sort();
    assert_eq!(both, whole, "the two issues' findings are the whole site's");

    let (none, _) = issue("2025-12");
    assert_eq!(none, ["content/2025-12:1:1: error: there is no issue 2025-12"]);
    let out = digest(dir.path(), &["check", "2025-13"]);
    assert_eq!(out.status.code(), Some(2), "a month that is no month is a usage error");
}

#[test]
fn a_warning_repeated_in_many_issues_is_one_line_for_the_site() {
    let mut files: Vec<(String, String)> = Vec::new();
    for m in 6..=10 {
        let key = format!("2025-{m:02}");
        files.push((format!("content/{key}/_index.md"), format!("+++\ntitle = \"{m} 月\"\ndate = {key}-28\n+++\n")));
        files.push((format!("content/{key}/news/x.md"), "+++\ntitle = \"条目\"\n+++\n正文。\n".to_string()));
    }
    let changes: Vec<(&str, Option<&str>)> = files.iter().map(|(p, t)| (p.as_str(), Some(t.as_str()))).collect();
    let dir = site(&changes);
    let out = digest(dir.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(
        warnings,
        [
            "content/: warning: missing translation: the issue has no `en` version (5 files in 5 issues)",
            "content/: warning: missing translation: the entry has no `en` version (5 files in 5 issues)",
        ],
        "{stderr}"
    );
    // One issue's check still lists its own.
    let out = digest(dir.path(), &["check", "2025-08"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(warnings[0].starts_with("content/2025-08/_index.md:1:1: warning: missing translation"), "{stderr}");
}

#[test]
fn a_link_from_a_text_to_a_page_in_another_language_is_a_warning() {
    let zh = format!("{ENTRY_A}\n[英文版](/en/2025-11/) [本期](/2025-11/) [相对](../)\n");
    let en = "+++\ntitle = \"Entry A\"\n+++\nText.\n\nSee [the Chinese issue](/2025-11/#releases-a).\n";
    let dir = site(&[("content/2025-11/releases/a.md", Some(&zh)), ("content/2025-11/releases/a.en.md", Some(en))]);
    let d = run(dir.path());
    assert_eq!(
        lines(&d),
        [
            "content/2025-11/releases/a.en.md:6:25: warning: link `/2025-11/#releases-a` in a `en` text leads to a `zh` page",
            "content/2025-11/releases/a.md:9:7: warning: link `/en/2025-11/` in a `zh` text leads to a `en` page",
        ]
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some("write it relative to the file (`../news/x/`): it then leads to the page in the file's language")
    );
}

#[test]
fn a_misspelt_heading_link_suggests_the_heading_nearest_in_spelling() {
    let en = "+++\ntitle = \"Entry A\"\n+++\nText.\n\n[B](../releases/b/#upgrade-note)\n";
    let mut changes = vec![("content/2025-11/releases/a.en.md", Some(en))];
    changes.extend(entry_b());
    let dir = site(&changes);
    let d = run(dir.path());
    assert_eq!(
        only(&d, "broken anchor").message,
        "broken anchor `../releases/b/#upgrade-note`: /en/2025-11/releases/b/ has no element with id \
         `releases-b-upgrade-note` (did you mean `#releases-b-upgrade-notes`?)"
    );
}
