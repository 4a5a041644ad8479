//! Render stage: the markup of a picture ([`crate::site::images`]): on pages, `<picture>` with
//! its WebP and original-format variants (`srcset`, `sizes`), `width` and `height`, loaded
//! lazily but for a page's first; in feeds and editions, one variant at its size, linked
//! absolutely.

use std::borrow::Cow;

use pulldown_cmark_escape::escape_html;

use super::view::Links;
use crate::site::config::Config;
use crate::site::images::{Picture, Pictures, Variant, cover_file};
use crate::site::{ImageRef, Issue, Rendered, Site, layout};

/// How wide an image shows: the page's column at most (both themes' text column is 46rem
/// wide at most), the viewport below that.
pub const SIZES: &str = "(min-width: 48rem) 46rem, 100vw";

const LAZY: &str = " loading=\"lazy\"";

/// A page's social card (`og:image` and its size and alt text).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Card {
    /// Absolute.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub mime: &'static str,
}

fn card(config: &Config, picture: &Picture, alt: &str) -> Option<Card> {
    let v = picture.card.as_ref()?;
    let url = config.file_url(&v.file, true);
    Some(Card { url, width: v.width, height: v.height, alt: alt.to_string(), mime: v.format.mime() })
}

/// The card of a text: its first image that can be one.
pub fn text_card(site: &Site, text: &Rendered) -> Option<Card> {
    let mut images = text.images.iter();
    images.find_map(|i| card(&site.config, picture_of(&site.config, &site.pictures, i)?, &i.alt))
}

/// The card of an issue in `lang`: its cover (described by the issue's title), else the first
/// image of its introduction or of its entries, in reading order.
pub fn issue_card(site: &Site, issue: &Issue, lang: &str, title: &str) -> Option<Card> {
    let cover = cover_file(&site.config, issue).and_then(|f| site.pictures.get(&f));
    if let Some(card) = cover.and_then(|p| card(&site.config, p, title)) {
        return Some(card);
    }
    let entries = issue.topics.iter().flatten().map(|&e| &site.entries[e].text(lang).0.body);
    std::iter::once(&issue.text(lang).0.intro).chain(entries).find_map(|text| text_card(site, text))
}

/// The picture an image of a text shows, if it is one of the site's processed images.
pub fn picture_of<'p>(config: &Config, pictures: &'p Pictures, image: &ImageRef) -> Option<&'p Picture> {
    pictures.get(&layout::file_of_src(&config.base_path, &image.src)?)
}

/// The markup of `image` for a page (`Links::Relative`) or a feed or edition.
pub fn markup(config: &Config, picture: &Picture, alt: &str, links: Links) -> String {
    let mut s = String::with_capacity(512);
    if links == Links::Absolute {
        img(&mut s, config, &picture.edition, alt, true, None);
        return s;
    }
    let fallback = picture.fallback();
    if picture.variants.len() == 1 && picture.webp.is_empty() {
        img(&mut s, config, fallback, alt, false, None);
        s.push_str(LAZY);
        s.push_str(" decoding=\"async\">");
        return s;
    }
    s.push_str("<picture>");
    if !picture.webp.is_empty() {
        s.push_str("<source type=\"image/webp\" srcset=\"");
        srcset(&mut s, config, &picture.webp);
        s.push_str("\" sizes=\"");
        s.push_str(SIZES);
        s.push_str("\">");
    }
    img(&mut s, config, fallback, alt, false, Some(&picture.variants));
    s.push_str(LAZY);
    s.push_str(" decoding=\"async\"></picture>");
    s
}

/// `<img src width height alt`, closed with `>` when `close`.
fn img(s: &mut String, config: &Config, v: &Variant, alt: &str, close: bool, set: Option<&[Variant]>) {
    s.push_str("<img src=\"");
    escape_html(&mut *s, &config.file_url(&v.file, close)).ok();
    s.push('"');
    if let Some(set) = set {
        s.push_str(" srcset=\"");
        srcset(s, config, set);
        s.push_str("\" sizes=\"");
        s.push_str(SIZES);
        s.push('"');
    }
    s.push_str(&format!(" width=\"{}\" height=\"{}\" alt=\"", v.width, v.height));
    escape_html(&mut *s, alt).ok();
    s.push('"');
    if close {
        s.push('>');
    }
}

fn srcset(s: &mut String, config: &Config, variants: &[Variant]) {
    for (i, v) in variants.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        escape_html(&mut *s, &config.file_url(&v.file, false)).ok();
        s.push_str(&format!(" {}w", v.width));
    }
}

/// `html` with each of its `images` (as rendered in it) shown as its picture's markup.
pub fn with_pictures<'h>(
    html: &'h str,
    images: &[ImageRef],
    config: &Config,
    pictures: &Pictures,
    links: Links,
) -> Cow<'h, str> {
    if pictures.is_empty() || images.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + images.len() * 512);
    let mut rest = html;
    for image in images {
        let (Some(picture), Some(at)) = (picture_of(config, pictures, image), rest.find(&image.html)) else { continue };
        out.push_str(&rest[..at]);
        out.push_str(&markup(config, picture, &image.alt, links));
        rest = &rest[at + image.html.len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Pictures as a page shows them (`<picture>`, `srcset`) made the one image a feed shows: its
/// `src`, `width` and `height`, for a feed item rendered from the pages' views.
pub fn for_feeds(html: &str) -> Cow<'_, str> {
    if !html.contains("<picture>") && !html.contains(" srcset=\"") {
        return Cow::Borrowed(html);
    }
    let mut out = html.replace("<picture>", "").replace("</picture>", "");
    for (open, close) in [("<source type=\"image/webp\" srcset=\"", ">"), (" srcset=\"", "\""), (" sizes=\"", "\"")] {
        while let Some(at) = out.find(open) {
            let end = out[at + open.len()..].find(close).map_or(out.len(), |e| at + open.len() + e + close.len());
            out.replace_range(at..end, "");
        }
    }
    Cow::Owned(out.replace(LAZY, "").replace(" decoding=\"async\"", ""))
}

/// A page's HTML with its first image loaded at once: it is likely in view when the page opens,
/// and a lazy image there is the page's largest paint delayed.
pub fn first_image_eager(mut html: Vec<u8>) -> Vec<u8> {
    let Some(at) = memchr::memmem::find(&html, b"<img ") else { return html };
    let end = memchr::memchr(b'>', &html[at..]).map_or(html.len(), |e| at + e);
    if let Some(lazy) = memchr::memmem::find(&html[at..end], LAZY.as_bytes()) {
        html.drain(at + lazy..at + lazy + LAZY.len());
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_image_is_eager() {
        let html = b"<p><img src=\"a\" loading=\"lazy\" decoding=\"async\"><img src=\"b\" loading=\"lazy\">";
        assert_eq!(
            first_image_eager(html.to_vec()),
            b"<p><img src=\"a\" decoding=\"async\"><img src=\"b\" loading=\"lazy\">"
        );
        assert_eq!(first_image_eager(b"<p>none</p>".to_vec()), b"<p>none</p>");
    }

    #[test]
    fn feeds_get_one_image_at_its_size() {
        let page = "<p><picture><source type=\"image/webp\" srcset=\"/a.480w.webp 480w\" sizes=\"100vw\"><img src=\"/a.png\" srcset=\"/a.480w.png 480w\" sizes=\"100vw\" width=\"480\" height=\"240\" alt=\"A\" loading=\"lazy\" decoding=\"async\"></picture></p>";
        assert_eq!(for_feeds(page), "<p><img src=\"/a.png\" width=\"480\" height=\"240\" alt=\"A\"></p>");
        assert!(matches!(for_feeds("<p>x</p>"), Cow::Borrowed(_)));
    }
}
