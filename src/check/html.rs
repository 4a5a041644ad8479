//! Check stage: the ids and links of an HTML page, read with lol_html's streaming parser: a
//! large archive has a hundred thousand pages, and reading them is most of what `check` costs
//! (html5ever's tokenizer, used before, took three quarters of it; a full tree ten times more).
//! lol_html hands over only the tags that carry an `id`, `href` or `src`, with the exact place
//! of each value in the page.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use lol_html::{HtmlRewriter, Settings, element};

/// An `href` or `src` attribute, its value decoded from HTML, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub attr: &'static str,
    pub value: String,
    /// 1-based line and column of the value (of the tag, when the attribute has no value).
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

/// The ids and links of an HTML document or fragment.
pub fn extract(html: &str) -> Extract {
    let found = RefCell::new(Extract::default());
    // Links with the byte offset of their value, positioned once the page is read.
    let pending: RefCell<Vec<(&'static str, String, usize)>> = RefCell::new(Vec::new());
    // Names and values are read from the page where lol_html found them, rather than copied
    // out one string per attribute of every tag it hands over.
    let written = |at: Option<lol_html::html_content::SourceLocation>| at.and_then(|at| html.get(at.bytes()));
    let handler = element!("[id], a[name], [href], [src]", |el| {
        for a in el.attributes() {
            let name = written(a.name_source_location()).map_or_else(|| Cow::Owned(a.name()), Cow::Borrowed);
            let attr = match () {
                _ if name.eq_ignore_ascii_case("id") => None,
                _ if name.eq_ignore_ascii_case("href") => Some("href"),
                _ if name.eq_ignore_ascii_case("src") => Some("src"),
                _ if name.eq_ignore_ascii_case("name") && el.tag_name() == "a" => None,
                _ => continue,
            };
            let raw = written(a.value_source_location()).map_or_else(|| Cow::Owned(a.value()), Cow::Borrowed);
            let value = if raw.contains('&') { decode_attr(&raw) } else { raw.into_owned() };
            match attr {
                None => {
                    found.borrow_mut().ids.insert(value);
                }
                Some(attr) => {
                    let at = a.value_source_location().unwrap_or_else(|| el.source_location()).bytes().start;
                    pending.borrow_mut().push((attr, value, at));
                }
            }
        }
        Ok(())
    });
    // Not strict: on markup whose parse depends on the tree (`<select><xmp>`), carry on as a
    // tokenizer would rather than stop reading the page.
    let settings = Settings::new().append_element_content_handler(handler).with_strict(false);
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    let readable = without_noscript(html);
    // Not strict, without memory limits or failing handlers, lol_html has no error to give.
    let read = rewriter.write(readable.as_bytes()).and_then(|()| rewriter.end());
    debug_assert!(read.is_ok(), "{read:?}");
    let mut found = found.into_inner();
    let mut places = Locator::new(html);
    found.links = pending
        .into_inner()
        .into_iter()
        .map(|(attr, value, at)| {
            let (line, column) = places.position(at);
            Link { attr, value, line, column }
        })
        .collect();
    found
}

/// `html` with each `noscript` tag renamed `noscrip-`, same length, so every offset stays put.
/// lol_html parses as a browser that runs scripts, where `<noscript>` holds raw text; a link
/// checker reads it as a reader without scripts does, whose links in it must work.
fn without_noscript(html: &str) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let name = |i: usize| {
        let start = i + 1 + usize::from(bytes.get(i + 1) == Some(&b'/'));
        bytes.get(start..start + 8).is_some_and(|n| n.eq_ignore_ascii_case(b"noscript")).then_some(start + 7)
    };
    let last: Vec<usize> = memchr::memchr_iter(b'<', bytes).filter_map(name).collect();
    if last.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = bytes.to_vec();
    for i in last {
        out[i] = b'-';
    }
    // An ASCII letter became an ASCII hyphen: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(out).expect("ASCII for ASCII"))
}

/// An attribute value with its character references decoded as the HTML standard says (in an
/// attribute, `&amp` without `;` before a letter stays as written): read by html5ever's
/// tokenizer from a tag made for it. Rare: most links have no `&`.
fn decode_attr(raw: &str) -> String {
    #[derive(Default)]
    struct Value(RefCell<Option<String>>);
    impl TokenSink for Value {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token {
                if tag.kind == TagKind::StartTag {
                    if let Some(a) = tag.attrs.first() {
                        self.0.borrow_mut().get_or_insert_with(|| a.value.to_string());
                    }
                }
            }
            TokenSinkResult::Continue
        }
    }
    // lol_html gives the value without its quotes; a double-quoted one cannot hold `"`.
    let quote = if raw.contains('"') { '\'' } else { '"' };
    let tokenizer = Tokenizer::new(Value::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(format!("<a v={quote}{raw}{quote}>")));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take().unwrap_or_else(|| raw.to_string())
}

/// Turns byte offsets of a page into lines and columns, in document order: the column is
/// counted on from the last offset on the same line, so a page of 20,000 links on one line is
/// read once, not once per link.
struct Locator<'t> {
    text: &'t str,
    /// Byte offsets where each line starts.
    starts: Vec<usize>,
    /// The last position computed (byte offset, line, column), to count columns onward from it.
    last: (usize, usize, usize),
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Locator<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Locator { text, starts, last: (0, 1, 1) }
    }

    /// The 1-based line and column (in characters) of a byte offset, counted on from the last
    /// one when it lies on the same line.
    fn position(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
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

    fn links(html: &str) -> Vec<(String, usize, usize)> {
        extract(html).links.into_iter().map(|l| (l.value, l.line, l.column)).collect()
    }

    #[test]
    fn links_in_noscript_are_read_as_a_reader_without_scripts_sees_them() {
        let html =
            "<noscript><a href=\"/a/\">a</a></noscript><NOSCRIPT><img src=\"/b.png\"></NoScript>\n<a href=\"/c/\">";
        let found = links(html);
        assert_eq!(found, [("/a/".into(), 1, 20), ("/b.png".into(), 1, 61), ("/c/".into(), 2, 10)]);
    }

    #[test]
    fn values_are_decoded_as_the_html_standard_says_for_attributes() {
        // `&copy=` stays as written in an attribute (a legacy reference before `=`); `&amp;` and
        // numeric references are decoded; a single-quoted value may hold `"`.
        let html = "<a href=\"/s?a=1&copy=2&amp;b=&#51;\">x</a><a href='/q?\"&lt;'>y</a><p id=\"a&amp;b\">";
        let e = extract(html);
        let values: Vec<&str> = e.links.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(values, ["/s?a=1&copy=2&b=3", "/q?\"<"]);
        assert!(e.ids.contains("a&b"), "{:?}", e.ids);
    }

    #[test]
    fn unusual_attribute_spellings_are_found_where_they_are_written() {
        // Upper case, unquoted, spaces around `=`, and no value at all (placed at its tag).
        let html = "<A HREF=/up/>u</A>\n<img  src = \"/sp.png\" >\n  <a href>e</a>";
        assert_eq!(links(html), [("/up/".into(), 1, 9), ("/sp.png".into(), 2, 14), (String::new(), 3, 3)]);
    }

    #[test]
    fn ambiguous_markup_is_read_without_failing() {
        // `<select><xmp>` depends on the tree; a strict lol_html refuses to read on.
        let html = "<a href=\"/before/\">b</a><select><xmp><script>x</script></select>";
        let found: Vec<String> = links(html).into_iter().map(|l| l.0).collect();
        assert_eq!(found, ["/before/"]);
    }
}
