//! Load stage: the images of a Markdown text, for the image stage, and the rule that keeps a
//! picture with the summary that introduces it.

use pulldown_cmark::{Event, Tag, TagEnd, html};

use super::plain_text;
use crate::site::ImageRef;

/// Each image of a text, in order: its HTML as rendered, where it leads, where it was written
/// (from `relative`: links as resolved and as written) and its alt text.
pub(super) fn refs(events: &[Event], relative: &[(String, String)]) -> Vec<ImageRef> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = events[i..].iter().position(|e| matches!(e, Event::Start(Tag::Image { .. }))) {
        let start = i + start;
        let end = start + end_of(&events[start..]);
        let mut image = String::new();
        html::push_html(&mut image, events[start..=end].iter().cloned());
        let Event::Start(Tag::Image { dest_url, .. }) = &events[start] else { unreachable!() };
        let src = dest_url.to_string();
        let written = relative.iter().find(|(r, _)| *r == src).map_or_else(|| src.clone(), |(_, w)| w.clone());
        let alt = plain_text(&events[start + 1..end]);
        out.push(ImageRef { html: image, src, written, alt });
        i = end + 1;
    }
    out
}

/// The offset, in `events`, of the end event of the element `events` starts with (an image's
/// alt text may hold other tags).
fn end_of(events: &[Event]) -> usize {
    let mut depth = 0usize;
    let len = events.iter().position(|e| {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        depth == 0
    });
    len.unwrap_or(0)
}

/// The summary's range in `events`, taking in the paragraph after it when the summary ends with
/// a colon (`年终总结来了：`, `Here it is:`) and that paragraph holds pictures only: the text
/// introduces the picture, and a summary of the colon alone would tell the reader nothing.
pub(super) fn with_introduced_picture(events: &[Event], summary: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let end = summary.end;
    if summary.is_empty() || !plain_text(&events[summary.clone()]).ends_with([':', '：']) {
        return summary;
    }
    if !matches!(events.get(end), Some(Event::Start(Tag::Paragraph))) {
        return summary;
    }
    let mut i = end + 1;
    let mut pictures = 0;
    loop {
        match events.get(i) {
            Some(Event::Start(Tag::Image { .. })) => {
                i += end_of(&events[i..]) + 1;
                pictures += 1;
            }
            Some(Event::SoftBreak | Event::HardBreak) => i += 1,
            Some(Event::Text(t)) if t.trim().is_empty() => i += 1,
            Some(Event::End(TagEnd::Paragraph)) if pictures > 0 => return summary.start..i + 1,
            _ => return summary,
        }
    }
}
