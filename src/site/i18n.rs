//! The data model's interface text in Chinese and English; a site overrides it in `[languages.X.ui]`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

const ZH: &[(&str, &str)] = &[
    ("language_name", "中文"),
    ("home", "首页"),
    ("latest_issue", "最新一期"),
    ("all_issues", "往期回顾"),
    ("archive", "归档"),
    ("topics", "专题"),
    ("tags", "标签"),
    ("contents", "本期目录"),
    ("original_title", "原文标题"),
    ("read_original", "阅读原文"),
    ("editor_note", "编者按"),
    ("further_reading", "延伸阅读"),
    ("not_translated", "本条目尚未翻译\u{ff0c}以原文语言显示。"),
    ("issue_not_translated", "本期导语尚未翻译\u{ff0c}以原文语言显示。"),
    ("entries", "条"),
    ("subscribe", "订阅"),
    ("rss", "RSS"),
    ("atom", "Atom"),
    ("published", "发布于"),
    ("in_issue", "收录于"),
    ("tagged", "标签"),
    ("draft", "草稿"),
    ("not_found_title", "页面不存在"),
    ("not_found_text", "找不到你要的页面\u{ff0c}它可能已移动或从未存在。"),
    ("back_home", "返回首页"),
    ("switch_language", "切换语言"),
    ("skip_to_content", "跳到正文"),
    ("editors", "编辑"),
    ("back_to_issue", "返回本期"),
    ("back_to_contents", "回到本期目录"),
    ("site_navigation", "网站导航"),
    ("issue_topics", "本期专题"),
    ("topic_all_issues", "本专题的往期条目"),
    ("entry_details", "详情"),
    ("untranslated_short", "未翻译"),
    ("topic_feed", "本专题的订阅源"),
    ("generated_by", "由 digest 生成"),
    ("search", "搜索"),
    ("search_description", "在往期月报的条目与导语中搜索"),
    ("search_label", "搜索关键词"),
    ("search_button", "搜索"),
    ("search_topic", "专题"),
    ("search_issue", "期次"),
    ("search_any_topic", "全部专题"),
    ("search_any_issue", "全部期次"),
    ("search_noscript", "搜索需要 JavaScript\u{ff0c}当前浏览器没有运行它。可以在归档中浏览全部往期："),
    ("search_loading", "正在搜索…"),
    ("search_result_one", "找到 1 条结果"),
    ("search_results", "找到 {count} 条结果"),
    ("search_no_results", "没有找到与\u{201c}{query}\u{201d}相关的内容。"),
    ("search_more", "显示更多结果"),
    ("search_unavailable", "搜索索引不可用\u{ff1a}本站可能是在不生成索引的情况下构建的。"),
    ("issue_intro", "本期导语"),
    ("colon", "\u{ff1a}"),
    ("read_on_web", "在网页上阅读本期"),
    ("read_more", "阅读全文"),
    ("references", "参考链接"),
    ("feeds", "订阅源"),
    ("wechat_copy", "点击下方正文即可全选\u{ff0c}复制后粘贴到公众号编辑器。"),
    ("list_pages", "按期次分页"),
    ("newer_entries", "较新的条目"),
    ("older_entries", "较早的条目"),
    ("all_list_pages", "全部分页"),
];

const EN: &[(&str, &str)] = &[
    ("language_name", "English"),
    ("home", "Home"),
    ("latest_issue", "Latest issue"),
    ("all_issues", "All issues"),
    ("archive", "Archive"),
    ("topics", "Topics"),
    ("tags", "Tags"),
    ("contents", "In this issue"),
    ("original_title", "Original title"),
    ("read_original", "Read the original"),
    ("editor_note", "Editor's note"),
    ("further_reading", "Further reading"),
    ("not_translated", "This entry is not translated yet; it is shown in its original language."),
    ("issue_not_translated", "This introduction is not translated yet; it is shown in its original language."),
    ("entries", "entries"),
    ("subscribe", "Subscribe"),
    ("rss", "RSS"),
    ("atom", "Atom"),
    ("published", "Published"),
    ("in_issue", "In"),
    ("tagged", "Tags"),
    ("draft", "Draft"),
    ("not_found_title", "Page not found"),
    ("not_found_text", "The page you asked for is not here. It may have moved, or never existed."),
    ("back_home", "Back to the home page"),
    ("switch_language", "Language"),
    ("skip_to_content", "Skip to content"),
    ("editors", "Editors"),
    ("back_to_issue", "Back to the issue"),
    ("back_to_contents", "Back to contents"),
    ("site_navigation", "Site"),
    ("issue_topics", "Topics of this issue"),
    ("topic_all_issues", "This topic in every issue"),
    ("entry_details", "Details"),
    ("untranslated_short", "not translated"),
    ("topic_feed", "Feed of this topic"),
    ("generated_by", "Made with digest"),
    ("search", "Search"),
    ("search_description", "Search the entries and introductions of every issue"),
    ("search_label", "Search for"),
    ("search_button", "Search"),
    ("search_topic", "Topic"),
    ("search_issue", "Issue"),
    ("search_any_topic", "All topics"),
    ("search_any_issue", "All issues"),
    (
        "search_noscript",
        "Search needs JavaScript, which this browser is not running. Every issue is listed in the archive:",
    ),
    ("search_loading", "Searching…"),
    ("search_result_one", "1 result"),
    ("search_results", "{count} results"),
    ("search_no_results", "Nothing found for \u{201c}{query}\u{201d}."),
    ("search_more", "Show more results"),
    ("search_unavailable", "The search index is not available: the site may have been built without it."),
    ("issue_intro", "Introduction of the issue"),
    ("colon", ": "),
    ("read_on_web", "Read this issue on the web"),
    ("read_more", "Read more"),
    ("references", "References"),
    ("feeds", "Feeds"),
    ("wechat_copy", "Click the article below to select all of it, copy it, and paste it into the WeChat editor."),
    ("list_pages", "Pages by issue"),
    ("newer_entries", "Newer entries"),
    ("older_entries", "Older entries"),
    ("all_list_pages", "All pages"),
];

/// The interface strings for `lang`: built-in Chinese or English (English for other
/// languages), then the site's overrides.
pub fn strings(lang: &str, overrides: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let base = if is_chinese(lang) { ZH } else { EN };
    let mut map: BTreeMap<String, String> = base.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if lang != "zh" && lang != "en" && !overrides.contains_key("language_name") {
        map.insert("language_name".into(), lang.to_string());
    }
    for (k, v) in overrides {
        map.insert(k.clone(), v.clone());
    }
    map
}

/// Whether `lang` is written in Chinese (`zh`, `zh-hans`, `zh-tw`, …): the one test for the
/// interface text, dates, scaffolds and the typography checks.
pub fn is_chinese(lang: &str) -> bool {
    lang == "zh" || lang.starts_with("zh-")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as readers of `lang` write it: `2025 年 11 月 6 日`, `6 November 2025`.
pub fn long_date(lang: &str, d: NaiveDate) -> String {
    if is_chinese(lang) {
        format!("{} 年 {} 月 {} 日", d.year(), d.month(), d.day())
    } else {
        format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
    }
}

/// A new issue's title in `lang`, as `new issue` and `fetch` write it: `云原生月报 2025 年 12 月`,
/// `Cloud Native Monthly, December 2025`.
pub fn issue_title(config: &super::config::Config, lang: &str, year: i32, month: u32) -> String {
    let site = config.language(lang).map_or("", |l| l.title.as_str());
    let month = self::month(lang, year, month);
    if is_chinese(lang) { format!("{site} {month}") } else { format!("{site}, {month}") }
}

/// A month: `2025 年 11 月`, `November 2025`.
pub fn month(lang: &str, year: i32, month: u32) -> String {
    if is_chinese(lang) {
        format!("{year} 年 {month} 月")
    } else {
        format!("{} {year}", MONTHS[(month as usize).clamp(1, 12) - 1])
    }
}

/// An issue number: `第 12 期`, `Issue 12`.
pub fn issue_number(lang: &str, n: u32) -> String {
    if is_chinese(lang) { format!("第 {n} 期") } else { format!("Issue {n}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh: Vec<&str> = ZH.iter().map(|(k, _)| *k).collect();
        let en: Vec<&str> = EN.iter().map(|(k, _)| *k).collect();
        assert_eq!(zh, en);
    }

    #[test]
    fn overrides_win() {
        let o = BTreeMap::from([("home".to_string(), "Start".to_string())]);
        assert_eq!(strings("en", &o)["home"], "Start");
        assert_eq!(strings("fr", &BTreeMap::new())["language_name"], "fr");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 6).unwrap();
        assert_eq!(long_date("zh", d), "2025 年 11 月 6 日");
        assert_eq!(long_date("en", d), "6 November 2025");
        assert_eq!(month("en", 2025, 11), "November 2025");
    }
}
