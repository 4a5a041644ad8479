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
    let mut places = Locator::new(html);
    found.links = sink
        .pending
        .into_inner()
        .into_iter()
        .map(|(attr, value, line)| {
            let (line, column) = places.locate(attr, &value, line);
            Link { attr, value, line, column }
        })
        .collect();
    found
}

/// Finds where each link of a page is written, in document order: a cursor moves forward
/// through the text, so a page of 20,000 links on one line is read once, not once per link.
struct Locator<'t> {
    text: &'t str,
    /// Byte offsets where each line starts.
    starts: Vec<usize>,
    /// Where the search for the next link begins: after the last one found.
    cursor: usize,
    /// The last position computed (byte offset, line, column), to count columns onward from it.
    last: (usize, usize, usize),
}

impl<'t> Locator<'t> {
    /// Attributes looked at past the cursor before a link is given up as not written as is.
    const TRIES: usize = 4;

    fn new(text: &'t str) -> Locator<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Locator { text, starts, cursor: 0, last: (0, 1, 1) }
    }

    /// The line and column of the value of `attr="value"` on or just before `line` (the
    /// tokenizer reports the line where a tag ends), else the start of that line.
    fn locate(&mut self, attr: &str, value: &str, line: usize) -> (usize, usize) {
        let text = self.text;
        let escaped = if value.contains(['&', '<', '>', '"', '\'']) { escape_attr(value) } else { String::new() };
        let needles: Vec<&str> = [value, escaped.as_str()].into_iter().filter(|n| !n.is_empty()).collect();
        let last = line.clamp(1, self.starts.len());
        // A tag spans a few lines at most.
        let window = self.starts[last.saturating_sub(8).max(1) - 1];
        let end = self.starts.get(last).copied().unwrap_or(text.len());
        let pattern = format!("{attr}=");
        let mut from = self.cursor.max(window);
        for attempt in 0..Self::TRIES {
            let Some(at) = text.get(from..end).and_then(|t| memchr::memmem::find(t.as_bytes(), pattern.as_bytes()))
            else {
                break;
            };
            let at = from + at;
            from = at + pattern.len();
            // `data-href=` is another attribute.
            if !text.as_bytes().get(at.wrapping_sub(1)).is_some_and(u8::is_ascii_whitespace) {
                continue;
            }
            let (start, quote) = match text.as_bytes().get(from) {
                Some(&q @ (b'"' | b'\'')) => (from + 1, Some(q)),
                _ => (from, None),
            };
            let rest = &text.as_bytes()[start..];
            let closed = |n: &str| match quote {
                Some(q) => rest.get(n.len()) == Some(&q),
                None => rest.get(n.len()).is_none_or(|b| b.is_ascii_whitespace() || *b == b'>'),
            };
            if let Some(n) = needles.iter().find(|n| rest.starts_with(n.as_bytes()) && closed(n)) {
                self.cursor = start + n.len();
                return self.position(start);
            }
            if attempt == 0 {
                // Most likely this link, written otherwise: the next link is searched after it.
                self.cursor = from;
            }
        }
        (last, 1)
    }

    /// The 1-based line and column (in characters) of a byte offset, counted on from the last
    /// one when it lies on the same line.
    fn position(&mut self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let (last_offset, last_line, last_column) = self.last;
        let column = if last_line == line && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[self.starts[line - 1]..offset].chars().count() + 1
        };
        self.last = (offset, line, column);
        (line, column)
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
