//! Scaffolding: the text of new issue, entry and site files, with every field documented in
//! place, and ([`create`]) the commands that write them.
//!
//! Used by `digest new` and `digest init` (whose site also gets a GitHub Pages workflow,
//! [`pages_workflow`]). Comments are TOML comments, so an editor reads what
//! each field does where they fill it in; optional fields are written commented out.

mod create;
mod workflow;

use chrono::NaiveDate;

use crate::site::config::Config;
use crate::site::i18n::{self, is_chinese};
use crate::site::month::parse_issue_key;
pub use create::{InitOptions, init, new_entry, new_issue};
pub use workflow::{WORKFLOW_PATH, pages_workflow};

/// A TOML string literal holding `s` (quoted and escaped).
pub fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Text fit for one TOML comment line: line breaks folded into spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Placeholder text in the file's own language, so a forgotten placeholder is at least readable.
fn placeholder(lang: &str, zh: &str, en: &str) -> String {
    if is_chinese(lang) { zh.to_string() } else { en.to_string() }
}

/// The main file of an issue, `_index.md`. New issues are drafts until the editors publish them.
pub fn issue_main(config: &Config, key: &str, lang: &str, date: NaiveDate, next_number: Option<u32>) -> String {
    let intro = placeholder(
        lang,
        "本期导语：用一两段话概括本月最值得关注的动态。",
        "The introduction: one or two paragraphs on the month's most important news.",
    );
    let number = format!("# number = {}", next_number.unwrap_or(1));
    let publish = "# A draft is published only with `digest build --drafts`. Set it to false to publish the issue.\n\
        draft = true";
    issue_file(config, key, lang, date, &number, publish, &intro)
}

/// An issue's `_index.md`: the fields documented in place, `number` and `draft` as given.
fn issue_file(
    config: &Config,
    key: &str,
    lang: &str,
    date: NaiveDate,
    number: &str,
    draft: &str,
    intro: &str,
) -> String {
    let (y, m) = parse_issue_key(key).unwrap_or((1970, 1));
    format!(
        "+++\n\
# The issue's headline, in this file's language (required).\n\
title = {title}\n\
# The publication date, YYYY-MM-DD; issues are listed newest first by it.\n\
date = {date}\n\
# The issue's number, shown as \"第 N 期\" / \"Issue N\" (optional).\n\
{number}\n\
# One plain-text line shown under the title, in lists and in feeds (optional).\n\
# summary = \"\"\n\
# Who edited the issue (optional).\n\
# editors = [\"\"]\n\
{draft}\n\
+++\n\
{intro}\n",
        title = toml_string(&i18n::issue_title(config, lang, y, m)),
    )
}

/// A translation of an issue, `_index.<lang>.md`: only the language-specific fields.
pub fn issue_translation(config: &Config, key: &str, lang: &str) -> String {
    let intro = placeholder(
        lang,
        "本期导语的译文。",
        "The introduction, translated: one or two paragraphs on the month's most important news.",
    );
    let fields = "# The issue's headline in this language (required).\n";
    let summary = "# One plain-text line shown under the title, in lists and in feeds (optional).\n# summary = \"\"\n";
    issue_translation_file(config, key, lang, fields, summary, &intro)
}

/// An issue's `_index.<lang>.md`: `before` and `after` the title as given.
fn issue_translation_file(config: &Config, key: &str, lang: &str, before: &str, after: &str, intro: &str) -> String {
    let (y, m) = parse_issue_key(key).unwrap_or((1970, 1));
    format!(
        "+++\n\
# A translation of _index.md. The date, number, editors and draft flag are set there, not here.\n\
{before}title = {title}\n{after}+++\n{intro}\n",
        title = toml_string(&i18n::issue_title(config, lang, y, m)),
    )
}

/// The main file of an entry: every field, the optional ones commented out.
pub fn entry_main(key: &str, slug: &str, lang: &str) -> String {
    let body = placeholder(
        lang,
        "用自己的话写几句这条动态的要点：发生了什么，为什么值得关注。",
        "A few sentences in your own words: what happened, and why it matters.",
    );
    format!(
        "+++\n\
# The headline, in this file's language (required).\n\
title = {title}\n\
# The source's own headline, when it differs from `title`; shown linked to `source`.\n\
# original_title = \"\"\n\
# The canonical link of the news item. `digest check` reports a link used by two entries.\n\
# source = \"https://\"\n\
# The source's publication date, YYYY-MM-DD; `digest check` warns when it lies outside {key}.\n\
# date = {key}-01\n\
# Order within the topic: lower first, then by date, then by title (default 0).\n\
# weight = 0\n\
# Keywords; each gets a page at /tags/<tag>/.\n\
# tags = [\"kubernetes\"]\n\
# The editor's comment, in Markdown.\n\
# editor_note = \"\"\n\
# A draft is published only with `digest build --drafts` (default false).\n\
# draft = true\n\
# The `[[sources]]` feed this entry was fetched from; set by `digest fetch`.\n\
# via = \"\"\n\
# Related links, shown under the entry; repeat the block for each. Keep it last: a TOML\n\
# table header ends the plain fields.\n\
# [[further_reading]]\n\
# title = \"\"\n\
# url = \"https://\"\n\
+++\n\
{body}\n",
        title = toml_string(slug),
    )
}

/// What a translation shows of its main file, as comments.
#[derive(Debug, Default)]
pub struct MainContext {
    /// The main file's name, e.g. `gateway-api-1-4.md`.
    pub file: String,
    pub title: String,
    pub original_title: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
    pub tags: Vec<String>,
    pub further_reading: Vec<(String, String)>,
}

/// A translation of an entry, `<slug>.<lang>.md`: the main file's context as comments and only
/// the fields a translation may set.
pub fn entry_translation(main: &MainContext, lang: &str) -> String {
    let mut s = String::from("+++\n");
    s.push_str(&format!(
        "# A translation of {}. Its source, date, weight, tags and draft flag are set there, not here.\n",
        main.file
    ));
    s.push_str(&format!("#   title:          {}\n", one_line(&main.title)));
    if let Some(t) = &main.original_title {
        s.push_str(&format!("#   original_title: {}\n", one_line(t)));
    }
    if let Some(src) = &main.source {
        s.push_str(&format!("#   source:         {}\n", one_line(src)));
    }
    if let Some(d) = &main.date {
        s.push_str(&format!("#   date:           {d}\n"));
    }
    if !main.tags.is_empty() {
        s.push_str(&format!("#   tags:           {}\n", one_line(&main.tags.join(", "))));
    }
    let title = main.original_title.as_deref().unwrap_or(&main.title);
    s.push_str("# The headline in this language (required).\n");
    s.push_str(&format!("title = {}\n", toml_string(&one_line(title))));
    s.push_str("# The source's own headline, when it differs from `title`; shown linked to the source.\n");
    s.push_str("# original_title = \"\"\n");
    s.push_str("# The editor's comment in this language, in Markdown.\n");
    s.push_str("# editor_note = \"\"\n");
    s.push_str("# Related links, shown under the entry; repeat the block for each. Keep it last.\n");
    if main.further_reading.is_empty() {
        s.push_str("# [[further_reading]]\n# title = \"\"\n# url = \"https://\"\n");
    } else {
        s.push_str(&format!("# The links of {}, with titles to translate:\n", main.file));
        for (title, url) in &main.further_reading {
            s.push_str(&format!(
                "# [[further_reading]]\n# title = {}\n# url = {}\n",
                toml_string(&one_line(title)),
                toml_string(&one_line(url))
            ));
        }
    }
    s.push_str("+++\n");
    s.push_str(&placeholder(lang, "正文的译文。", "The translation of the entry's text, in your own words."));
    s.push('\n');
    s
}

/// `config.toml` of a new site: both languages and the six default topics, written out with
/// comments.
pub fn config_text(theme: Option<&str>) -> String {
    let line = match theme.filter(|&t| t != "default") {
        Some(t) => format!("theme = {}", toml_string(t)),
        None => "# theme = \"default\"".to_string(),
    };
    let mut s = CONFIG_HEAD.replacen("# theme = \"default\"", &line, 1);
    for t in crate::site::config::default_topics() {
        // The default language, zh, first.
        let mut names: Vec<(&String, &String)> = t.names.iter().collect();
        names.sort_by_key(|(l, _)| *l != "zh");
        let names: Vec<String> = names.iter().map(|(l, n)| format!("{l} = {}", toml_string(n))).collect();
        s.push_str(&format!(
            "[[topics]]\nkey = {}\nemoji = {}\nname = {{ {} }}\n\n",
            toml_string(&t.key),
            toml_string(&t.emoji),
            names.join(", ")
        ));
    }
    s.push_str(CONFIG_TAIL);
    s
}

const CONFIG_HEAD: &str = r#"# The site's configuration. See docs/content.md and docs/templates.md of digest.

# The address the site is published at; links and feeds are made from it. A path is allowed
# (https://example.github.io/digest), and every link then starts with it.
base_url = "https://digest.example.org"
# The language of the files without a language suffix (slug.md, _index.md); served at the site
# root. Every other language is served under /<lang>/ and written in slug.<lang>.md.
default_language = "zh"
# The theme: "default" or "links" (both built in), or the name of a folder of themes/
# (optional; "default" without it). The site's own templates/ and static/ override it file by file.
# theme = "default"
# How many issues the feeds carry, newest first: the issues of /rss.xml and /atom.xml, and
# their entries in the topic feeds; a feed also stops before 2 MB (optional; default 12;
# 0 carries every issue, with no size limit).
# feed_limit = 12

# One table per language: the site's title and description in it. Override the theme's
# interface text with [languages.<lang>.ui] (see docs/templates.md).
[languages.zh]
title = "云原生月报"
description = "每月云原生动态：新版本、新闻、讨论、报告、产品与趣闻"

[languages.en]
title = "Cloud Native Monthly"
description = "Cloud native news, every month: releases, news, discussions, reports, products and memes"

# The topics of every issue, in the order issues show them. `key` is the folder name inside
# an issue (content/YYYY-MM/<key>/) and the URL segment (/topics/<key>/); `name` is shown
# in each language. Without any [[topics]], these six apply.
"#;

const CONFIG_TAIL: &str = r#"# Upstream feeds that `digest fetch` pulls into draft entries (optional, repeatable).
# [[sources]]
# name = "kubernetes-blog"                 # a short name, for --source
# url = "https://kubernetes.io/feed.xml"   # the RSS or Atom feed
# topic = "news"                           # the topic folder new entries go to
# lang = "en"                              # the language of the items (default: default_language)
# tags = ["kubernetes"]                    # tags given to every entry
"#;

/// The example issue of a new site, in its default language (published: `draft = false`).
pub fn example_issue(config: &Config, key: &str, lang: &str, date: NaiveDate) -> String {
    let intro = placeholder(
        lang,
        "这是新站点的第一期。每期是 content/ 下一个以年月命名的文件夹，导语写在 _index.md 里，每条动态一个 Markdown 文件，按专题放在子文件夹中。",
        "This is the new site's first issue. Each issue is a folder of content/ named by year and month; its introduction is _index.md, and each news item is one Markdown file in a topic folder.",
    );
    let publish = "# A draft is published only with `digest build --drafts`.\ndraft = false";
    issue_file(config, key, lang, date, "number = 1", publish, &intro)
}

/// The example issue's translation.
pub fn example_issue_translation(config: &Config, key: &str, lang: &str) -> String {
    let intro = placeholder(
        lang,
        "这是新站点的第一期。",
        "This is the new site's first issue. Each issue is a folder of content/ named by year and month; its introduction is _index.md, and each news item is one Markdown file in a topic folder.",
    );
    issue_translation_file(config, key, lang, "", "", &intro)
}

/// The example entry of a new site, in the default language.
pub fn example_entry(lang: &str, date: NaiveDate) -> String {
    let (title, note, body) = if is_chinese(lang) {
        (
            "digest 站点已经建好",
            "这是上个月的示例期；用 `digest new issue` 开始本月的一期。",
            "这是一条示例条目。每条动态一个 Markdown 文件：开头的 `+++` 之间是 TOML 格式的字段，后面是正文。\
             译文放在同名的 `.en.md` 文件里。用 `digest new entry` 创建新条目，用 `digest check` 检查链接和排版。",
        )
    } else {
        (
            "The digest site is ready",
            "An example issue from last month: start this month's with `digest new issue`.",
            "This is an example entry. Each news item is one Markdown file: TOML fields between the `+++` lines, \
             then the text. Create entries with `digest new entry` and check links and typography with `digest check`.",
        )
    };
    format!(
        "+++\n\
# The headline, in this file's language (required).\n\
title = {title}\n\
# The canonical link of the news item. `digest check` reports a link used by two entries.\n\
source = \"https://example.org/\"\n\
# The source's publication date, YYYY-MM-DD.\n\
date = {date}\n\
# Keywords; each gets a page at /tags/<tag>/.\n\
tags = [\"digest\"]\n\
# The editor's comment, in Markdown.\n\
editor_note = {note}\n\
+++\n\
{body}\n",
        title = toml_string(title),
        note = toml_string(note),
    )
}

/// The example entry's translation.
pub fn example_entry_translation(lang: &str) -> String {
    let (title, note, body) = if is_chinese(lang) {
        (
            "digest 站点已经建好",
            "这是上个月的示例期；用 `digest new issue` 开始本月的一期。",
            "这是一条示例条目的译文。",
        )
    } else {
        (
            "The digest site is ready",
            "An example issue from last month: start this month's with `digest new issue`.",
            "This is an example entry, translated. A translation holds only the fields that differ between \
             languages: the title, the original title, the editor's note, further reading, and the text.",
        )
    };
    format!(
        "+++\n\
# A translation: source, date, weight, tags and draft are set in the main file.\n\
title = {title}\n\
editor_note = {note}\n\
+++\n\
{body}\n",
        title = toml_string(title),
        note = toml_string(note),
    )
}

/// `.gitignore` of a new site: the build output and the link-check cache.
pub const GITIGNORE: &str = "/public\n/.digest\n";
