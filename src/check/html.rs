//! Check stage: the ids and links of an HTML page, read with html5ever's tokenizer alone: a
//! large archive has a hundred thousand pages, and building each one's tree cost ten times more
//! time and memory than the check needs.

use std::cell::RefCell;
use std::collections::HashSet;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

/// An `href` or `src` attribute, its value decoded from HTML, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub attr: &'static str,
    pub value: String,
    /// 1-based line and column of the value (of the tag, when the value is not found as written).
    pub line: usize,
    pub column: usize,
}

/// What the check keeps of a page.
#[derive(Debug, Default)]
pub struct Extract {
    /// Every `id`, and the `name` of `<a>` elements.
    pub ids: HashSet<String>,
    pub links: Vec<Link>,
}

#[derive(Default)]
struct Sink {
    found: RefCell<Extract>,
    /// Attributes seen, with the line of their tag, positioned after tokenizing.
    pending: RefCell<Vec<(&'static str, String, usize)>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else { return TokenSinkResult::Continue };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let name = tag.name.as_ref();
        for a in &tag.attrs {
            let attr = a.name.local.as_ref();
            if attr == "id" || (attr == "name" && name == "a") {
                self.found.borrow_mut().ids.insert(a.value.to_string());
            }
            let attr = match attr {
                "href" => "href",
                "src" => "src",
                _ => continue,
            };
            self.pending.borrow_mut().push((attr, a.value.to_string(), line as usize));
        }
        // The tree builder switches the tokenizer for these; without one, the sink does.
        use html5ever::tokenizer::states::RawKind;
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => TokenSinkResult::RawData(RawKind::Rawtext),
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

/// The ids and links of an HTML document or fragment.
pub fn extract(html: &str) -> Extract {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    let mut found = sink.found.into_inner();
    let lines = LineStarts::new(html);
    found.links = sink
        .pending
        .into_inner()
        .into_iter()
        .map(|(attr, value, line)| {
            let (line, column) = lines.locate(html, attr, &value, line);
            Link { attr, value, line, column }
        })
        .collect();
    found
}

/// Byte offsets where each line of a text starts.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineStarts(starts)
    }

    /// The line and column of the value of `attr="value"` on or just before `line` (the
    /// tokenizer reports the line where a tag ends), else the start of that line.
    fn locate(&self, text: &str, attr: &str, value: &str, line: usize) -> (usize, usize) {
        let escaped = if value.contains(['&', '<', '>', '"', '\'']) { escape_attr(value) } else { String::new() };
        let last = line.clamp(1, self.0.len());
        // A tag spans a few lines at most.
        for l in (last.saturating_sub(8).max(1)..=last).rev() {
            let start = self.0[l - 1];
            let end = self.0.get(l).copied().unwrap_or(text.len());
            let Some(slice) = text.get(start..end) else { continue };
            for needle in [value, escaped.as_str()].into_iter().filter(|n| !n.is_empty()) {
                for (at, _) in slice.match_indices(needle) {
                    let before = slice[..at].strip_suffix(['"', '\'']).and_then(|b| b.strip_suffix('='));
                    if before.is_some_and(|b| b.ends_with(attr)) {
                        return (l, slice[..at].chars().count() + 1);
                    }
                }
            }
        }
        (last, 1)
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_links_with_their_places() {
        let html = "<!DOCTYPE html>\n<p id=\"top\">x</p>\n<a name=\"old\" href=\"/a/?x=1&amp;y=2\">a</a> <img\n  src=\"/i.png\">\n\
            <script>if (a<b) { x = '<a href=\"/not-a-link/\">' }</script><style>a{}</style>\n<a href='/q/'>q</a>";
        let e = extract(html);
        assert_eq!(e.ids, HashSet::from(["top".to_string(), "old".to_string()]));
        let links: Vec<(&str, &str, usize, usize)> =
            e.links.iter().map(|l| (l.attr, l.value.as_str(), l.line, l.column)).collect();
        assert_eq!(links, [("href", "/a/?x=1&y=2", 3, 21), ("src", "/i.png", 4, 8), ("href", "/q/", 6, 10)]);
    }
}
