//! Check stage: Chinese typography in Chinese-language files, and the fixes `check --fix` makes.
//!
//! The prose of a file goes through [autocorrect] (the library behind the Chinese copywriting
//! guidelines most Chinese documentation follows) and three rules of the project's own, for what
//! autocorrect leaves alone: half-width `,` `;` `:` `!` `?` after Chinese text or a Latin word
//! (`发布:in-place`, `90%,Java 应用`, `KFServing;随后`), and half-width parentheses in Chinese text
//! (`VCF(VKS)是`). Prose is the front matter's `title`, `summary` and `editor_note` values
//! (further reading titles included) and the Markdown text of the body; code spans, code blocks,
//! raw HTML, link destinations, URLs and front matter keys are never read or changed (a space
//! is put *beside* an inline code span next to Chinese text, as autocorrect does).
//!
//! Each difference between a piece of prose and its corrected form is one [`Correction`],
//! located at its first changed character, with the words around it as written and as
//! corrected; `check` reports it, `check --fix` ([`super::fix`]) applies it. [`prose`] finds the
//! prose of a file, [`rules`] corrects it.

mod prose;
mod rules;

use std::collections::BTreeSet;
use std::ops::Range;

use super::ContentFile;
use crate::error::Diagnostic;
use crate::site::config::Config;
use crate::site::i18n::is_chinese;
use prose::{Piece, front_matter_strings, markdown_pieces, without_urls};
pub use rules::{OWN_RULES, correct, is_han};
use rules::{correct_locked, with_autocorrect};

/// The typography rules that apply: every one but those `[check.typography] disable` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    disabled: BTreeSet<String>,
}

impl Rules {
    pub fn new(config: &Config) -> Rules {
        Rules { disabled: config.typography_disabled.clone() }
    }

    /// Every rule but `names`.
    pub fn without(names: &[&str]) -> Rules {
        Rules { disabled: names.iter().map(|n| n.to_string()).collect() }
    }

    pub fn on(&self, name: &str) -> bool {
        !self.disabled.contains(name)
    }
}

/// One suggested change to a file's prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// Byte offset in the file of the first character that changes (for an added space, the
    /// character after it).
    pub at: usize,
    /// The changed text with the words next to it, as written and as corrected.
    pub old: String,
    pub new: String,
    /// What is wrong, e.g. "missing space in `在Kubernetes中`".
    pub message: String,
    /// Byte ranges of the file and what replaces them, in order, not overlapping.
    pub edits: Vec<(Range<usize>, String)>,
}

/// Typography warnings for a file, if it is in Chinese.
pub fn check(file: &ContentFile, rules: &Rules) -> Vec<Diagnostic> {
    corrections(file, rules)
        .into_iter()
        .map(|c| {
            let (line, column) = file.line_col(c.at);
            Diagnostic::warning(&file.path, line, column, c.message).with_hint(c.new)
        })
        .collect()
}

/// The corrections of a file's prose, in file order, if it is in Chinese.
pub fn corrections(file: &ContentFile, rules: &Rules) -> Vec<Correction> {
    if !is_chinese(&file.lang) {
        return Vec::new();
    }
    let mut pieces = Vec::new();
    for (start, end) in front_matter_strings(file) {
        markdown_pieces(&file.text[start..end], start, &mut pieces);
    }
    markdown_pieces(&file.text[file.body..], file.body, &mut pieces);
    let mut out = Vec::new();
    with_autocorrect(rules, || {
        for piece in pieces {
            match piece {
                Piece::Text(range) => {
                    for part in without_urls(&file.text, range) {
                        let old = &file.text[part.clone()];
                        diff(part.start, old, &correct_locked(old, rules), &mut out);
                    }
                }
                Piece::Code(range) if rules.on("space-backticks") => code_spacing(&file.text, range, &mut out),
                Piece::Code(_) => {}
            }
        }
    });
    out.sort_by_key(|c| c.at);
    out
}

/// `text` with the corrections applied.
pub fn apply(text: &str, corrections: &[Correction]) -> String {
    let mut edits: Vec<&(Range<usize>, String)> = corrections.iter().flat_map(|c| &c.edits).collect();
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (range, new) in edits {
        if range.start < at {
            continue; // overlapping edits cannot be made; the check after the fix reports what is left
        }
        out.push_str(&text[at..range.start]);
        out.push_str(new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A space between an inline code span and Chinese text next to it (autocorrect's
/// `space-backticks`), put outside the span.
fn code_spacing(text: &str, code: Range<usize>, out: &mut Vec<Correction>) {
    let span = &text[code.clone()];
    let message = || "missing space between Chinese text and inline code".to_string();
    if let Some(before) = text[..code.start].chars().next_back().filter(|&c| is_han(c)) {
        out.push(Correction {
            at: code.start,
            old: format!("{before}{span}"),
            new: format!("{before} {span}"),
            message: message(),
            edits: vec![(code.start..code.start, " ".into())],
        });
    }
    if let Some(after) = text[code.end..].chars().next().filter(|&c| is_han(c)) {
        out.push(Correction {
            at: code.end,
            old: format!("{span}{after}"),
            new: format!("{span} {after}"),
            message: message(),
            edits: vec![(code.end..code.end, " ".into())],
        });
    }
}

/// The corrections that turn `old` (at byte `base` of the file) into `new`: the changed
/// characters, grouped with the words next to them.
fn diff(base: usize, old: &str, new: &str, out: &mut Vec<Correction>) {
    if old == new {
        return;
    }
    let o: Vec<char> = old.chars().collect();
    let n: Vec<char> = new.chars().collect();
    let mut bytes: Vec<usize> = old.char_indices().map(|(i, _)| i).collect();
    bytes.push(old.len());
    // Changed runs: old chars os..oe become new chars ns..ne.
    type Hunk = (usize, usize, usize, usize);
    let mut hunks: Vec<Hunk> = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &o, &n) {
        let (tag, or, nr) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        match hunks.last_mut() {
            Some(last) if last.1 == or.start && last.3 == nr.start => {
                last.1 = or.end;
                last.3 = nr.end;
            }
            _ => hunks.push((or.start, or.end, nr.start, nr.end)),
        }
    }
    // The context of a change: the Latin word or the one character on each side.
    let word = |c: char| c.is_ascii_alphanumeric() || "%+#._-".contains(c);
    let left = |i: usize| match i.checked_sub(1).map(|p| o[p]) {
        Some(p) if word(p) => (0..i).rev().take_while(|&k| word(o[k])).last().unwrap_or(i),
        Some(p) if !p.is_whitespace() => i - 1,
        _ => i,
    };
    let right = |i: usize| match o.get(i) {
        Some(&c) if word(c) => (i..o.len()).take_while(|&k| word(o[k])).last().map_or(i, |k| k + 1),
        Some(&c) if !c.is_whitespace() => i + 1,
        _ => i,
    };
    // Hunks whose contexts overlap make one correction.
    let mut groups: Vec<(usize, usize, Vec<Hunk>)> = Vec::new();
    for h in hunks {
        let (from, to) = (left(h.0), right(h.1));
        match groups.last_mut() {
            Some(g) if from < g.1 => {
                g.1 = g.1.max(to);
                g.2.push(h);
            }
            _ => groups.push((from, to, vec![h])),
        }
    }
    for (from, to, hunks) in groups {
        let (first, last) = (hunks[0], hunks[hunks.len() - 1]);
        let new_from = first.2 - (first.0 - from);
        let new_to = last.3 + (to - last.1);
        let old_text: String = o[from..to].iter().collect();
        let mut kinds: Vec<&str> = Vec::new();
        for h in &hunks {
            let kind = kind(&o[h.0..h.1], &n[h.2..h.3]);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        out.push(Correction {
            at: base + bytes[first.0],
            message: format!("{} in `{old_text}`", kinds.join(" and ")),
            old: old_text,
            new: n[new_from..new_to].iter().collect(),
            edits: hunks.iter().map(|h| (base + bytes[h.0]..base + bytes[h.1], n[h.2..h.3].iter().collect())).collect(),
        });
    }
}

/// What a change is, for the message.
fn kind(old: &[char], new: &[char]) -> &'static str {
    let fullwidth_alnum = |c: &char| matches!(*c as u32, 0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A);
    if old.is_empty() && new.iter().all(|&c| c == ' ') {
        "missing space"
    } else if new.is_empty() && old.iter().all(|c| c.is_whitespace()) {
        "extra space"
    } else if old.iter().any(fullwidth_alnum) {
        "full-width letters or digits"
    } else if old.iter().all(|c| c.is_ascii_punctuation() || *c == ' ') && new.iter().any(|c| !c.is_ascii()) {
        "half-width punctuation"
    } else if old.iter().any(|c| !c.is_ascii()) && new.iter().all(char::is_ascii) {
        "full-width punctuation in Latin text"
    } else {
        "typography"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(text: &str) -> ContentFile {
        ContentFile::new(PathBuf::from("a.md"), text.to_string(), "zh".into())
    }

    fn warnings(text: &str) -> Vec<String> {
        check(&file(text), &Rules::default())
            .iter()
            .map(|d| format!("{}:{} {} => {}", d.line, d.column, d.message, d.hint.as_deref().unwrap_or("")))
            .collect()
    }

    fn fixed(text: &str) -> String {
        let f = file(text);
        apply(&f.text, &corrections(&f, &Rules::default()))
    }

    #[test]
    fn spacing_and_punctuation() {
        let w = warnings("+++\ntitle = \"在Kubernetes中\"\n+++\n你好,世界 v1.2 版本\n");
        assert_eq!(
            w,
            vec![
                "2:11 missing space in `在Kubernetes中` => 在 Kubernetes 中",
                "4:3 half-width punctuation in `好,世` => 好，世"
            ]
        );
    }

    #[test]
    fn autocorrect_output_plus_the_project_rules() {
        let rules = Rules::default();
        assert_eq!(correct("占90%,Java应用", &rules), "占 90%，Java 应用");
        assert_eq!(correct("KFServing;随后", &rules), "KFServing；随后");
        assert_eq!(correct("提升 10%; 另外", &rules), "提升 10%；另外");
        assert_eq!(correct("VCF(VKS)是", &rules), "VCF（VKS）是");
        assert_eq!(correct("Kat Cosgrove(Minimus)说", &rules), "Kat Cosgrove（Minimus）说");
        assert_eq!(correct("见 (附录)", &rules), "见（附录）");
        assert_eq!(correct("使用１２３个", &rules), "使用 123 个");
        assert_eq!(correct("Gateway API 1.4:三项功能", &rules), "Gateway API 1.4：三项功能");
        assert_eq!(correct("前 10%;", &rules), "前 10%；");
        assert_eq!(correct("缩小 90%,Java 负载", &rules), "缩小 90%，Java 负载");
        assert_eq!(correct("- Kat Cosgrove(Minimus)", &rules), "- Kat Cosgrove（Minimus）");
        assert_eq!(correct("Tim Hockin（Google）", &rules), "Tim Hockin（Google）");
        assert_eq!(correct("服务网格（如 Istio),或者", &rules), "服务网格（如 Istio），或者");
        assert_eq!(correct("ＡＢＣ 1.0", &rules), "ABC 1.0");
        for fine in [
            "从 O(n) 降到 O(log n)，",
            "Hello, World",
            "共 65,000 个节点",
            "在 10:30 开始",
            "NVIDIA Run:ai 是",
            "用 std::env 读取",
            "使用 Kubernetes (K8s) 部署",
        ] {
            assert_eq!(correct(fine, &rules), fine);
        }
        assert_eq!(correct("VCF(VKS)是", &Rules::without(&["fullwidth-bracket"])), "VCF(VKS) 是");
        assert_eq!(correct("KFServing;随后", &Rules::without(&["fullwidth-after-latin"])), "KFServing;随后");
        assert_eq!(correct("在Kubernetes中", &Rules::without(&["space-word"])), "在Kubernetes中");
    }

    #[test]
    fn half_width_punctuation_beside_latin_words_and_brackets() {
        let rules = Rules::default();
        assert_eq!(correct("发布:in-place 升级", &rules), "发布：in-place 升级");
        assert_eq!(correct("三个百分点;GitOps 则", &rules), "三个百分点；GitOps 则");
        assert_eq!(correct("《报告》,与去年", &rules), "《报告》，与去年");
        assert_eq!(correct("与安全相关;", &rules), "与安全相关；");
        assert_eq!(correct("服务网格(如Istio),或者", &rules), "服务网格（如 Istio），或者");
        assert_eq!(correct("太好了!Kubernetes 更新", &rules), "太好了！Kubernetes 更新");
        assert_eq!(correct("你用过 Go?", &rules), "你用过 Go？");
        assert_eq!(correct("发布: in-place", &rules), "发布：in-place");
        for fine in
            ["Hello, world: yes", "在 19:02 发布", "按 3:1 的比例", "用 C++ 的 std::vector 存", "Yahoo! Japan 与"]
        {
            assert_eq!(correct(fine, &rules), fine);
        }
        assert_eq!(correct("发布:in-place", &Rules::without(&["fullwidth-after-chinese"])), "发布:in-place");
    }

    #[test]
    fn code_urls_keys_and_comments_are_left_alone() {
        let text = "+++\n# 注释,Latin\ntitle = \"标题\"\noriginal_title = \"原标题1.0版\"\ntags = [\"云原生AI\"]\n+++\n\
                    用 `kubectl` 运行 https://x.org/a,b中文 中文\n\n```\n代码,x\n```\n[链接](https://y.org/中文)\n";
        assert_eq!(warnings(text), Vec::<String>::new());
        assert_eq!(fixed(text), text);
    }

    #[test]
    fn inline_code_gets_spaces_outside_it() {
        let text = "+++\n+++\n用`kubectl`运行\n";
        assert_eq!(fixed(text), "+++\n+++\n用 `kubectl` 运行\n");
        assert_eq!(warnings(text).len(), 2);
    }

    #[test]
    fn further_reading_titles_and_editor_notes_are_prose() {
        let text = "+++\ntitle = \"标题\"\neditor_note = \"见[文档](/a,b/)与`x,y`,即Go语言\"\n\
                    [[further_reading]]\ntitle = \"Helm文档\"\nurl = \"https://helm.sh/中文,x\"\n+++\n";
        assert_eq!(
            fixed(text),
            "+++\ntitle = \"标题\"\neditor_note = \"见[文档](/a,b/)与 `x,y`,即 Go 语言\"\n\
             [[further_reading]]\ntitle = \"Helm 文档\"\nurl = \"https://helm.sh/中文,x\"\n+++\n"
        );
    }

    #[test]
    fn escapes_split_strings() {
        assert_eq!(warnings("+++\ntitle = \"中\\u4e2d文\"\n+++\n"), Vec::<String>::new());
    }

    #[test]
    fn malformed_escapes_do_not_panic() {
        // The escape swallows bytes into `文`; the rest of the string is still checked.
        assert_eq!(warnings("+++\ntitle = \"\\u中文,x中\"\n+++\n"), vec!["2:16 missing space in `x中` => x 中"]);
    }

    #[test]
    fn english_files_are_not_checked() {
        let f = ContentFile::new(PathBuf::from("a.en.md"), "+++\n+++\n中文,x\n".into(), "en".into());
        assert!(check(&f, &Rules::default()).is_empty());
    }
}
