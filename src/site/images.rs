//! The pictures of the site: each local image a text shows, its size as shown, and the variants
//! the image stage ([`crate::images`]) publishes of it. The rules of which variants exist are
//! here; making them is the stage's.

use std::collections::HashMap;

/// The widths of the variants a page offers (`srcset`), each only where the original is wider;
/// the original's own width is the last when it is under the largest.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

/// The width of the variant of feeds and editions: sharp on the email's 600-pixel column at
/// 1.6×, and on a feed reader's column.
pub const EDITION_WIDTH: u32 = 960;

/// The most bytes of an image an email carries (`docs/content.md#images`).
pub const EDITION_MAX_BYTES: u64 = 300 * 1024;

/// The widest social card (`og:image`): what chat apps and social networks show at most.
pub const CARD_WIDTH: u32 = 1200;

/// The most pixels (width × height) of an image the stage decodes: 50 megapixels, checked from
/// the header so that a decompression bomb is refused before any memory is taken.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The largest image file the stage reads.
pub const MAX_FILE_BYTES: u64 = 40 * 1024 * 1024;

/// An image format the stage knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl Format {
    /// The format of a file by its extension (lowercase), if it is an image.
    pub fn of_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "png" => Format::Png,
            "jpg" | "jpeg" => Format::Jpeg,
            "gif" => Format::Gif,
            "webp" => Format::Webp,
            "svg" => Format::Svg,
            _ => return None,
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Svg => "svg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Svg => "image/svg+xml",
        }
    }

    /// Whether the stage decodes and re-encodes it (SVG and GIF are published as they are).
    pub fn is_resized(self) -> bool {
        matches!(self, Format::Png | Format::Jpeg | Format::Webp)
    }

    /// Whether every mail client shows it (not WebP, not SVG).
    pub fn is_mail_safe(self) -> bool {
        matches!(self, Format::Png | Format::Jpeg | Format::Gif)
    }
}

/// One file the stage publishes of an image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Variant {
    /// The output file, below the output folder (`2025-11/releases/diagram.960w.webp`).
    pub file: String,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// Its size in bytes.
    pub bytes: u64,
    /// The hash of its bytes (hexadecimal), under which the build cache keeps them; empty until
    /// the image stage has stored it.
    pub hash: String,
}

/// An image as the site shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Picture {
    /// The size as shown, its orientation applied.
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// The variants a page offers in the original's format, narrowest first; the original
    /// (SVG, GIF) alone when it is published as it is.
    pub variants: Vec<Variant>,
    /// The same widths in WebP, for browsers that take it (none for SVG and GIF).
    pub webp: Vec<Variant>,
    /// What feeds and editions show: at most [`EDITION_WIDTH`] wide and [`EDITION_MAX_BYTES`]
    /// large, in a format every mail client shows where the original can be made one.
    pub edition: Variant,
    /// The social card (`og:image`): at most [`CARD_WIDTH`] wide; none for SVG, which chat
    /// apps and social networks do not show.
    pub card: Option<Variant>,
}

impl Picture {
    /// The variant a page's `<img src>` names: the widest up to [`EDITION_WIDTH`].
    pub fn fallback(&self) -> &Variant {
        self.variants.iter().rev().find(|v| v.width <= EDITION_WIDTH).unwrap_or(&self.variants[0])
    }

    /// Every file published for it, each once.
    pub fn files(&self) -> impl Iterator<Item = &Variant> {
        let mut seen = std::collections::HashSet::new();
        let all = self.variants.iter().chain(&self.webp).chain([&self.edition]).chain(&self.card);
        all.filter(move |v| seen.insert(v.file.as_str()))
    }
}

/// The output file of an issue's `cover`, resolved from the issue's folder as a link there is.
pub fn cover_file(config: &super::config::Config, issue: &super::Issue) -> Option<String> {
    let written = &issue.cover.as_ref()?.written;
    let src = config.relative_link(&issue.primary, super::layout::Address::Issue(&issue.key), written);
    super::layout::file_of_src(&config.base_path, &src)
}

/// The widths a page offers of an image `width` pixels wide ([`WIDTHS`]).
pub fn widths(width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    if width <= WIDTHS[WIDTHS.len() - 1] {
        out.push(width);
    }
    out
}

/// The height of an image `width` × `height` scaled to `to` pixels wide, rounded, at least 1.
pub fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    ((u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width.max(1))).max(1) as u32
}

/// Every picture of a site by the output file of its original (`2025-11/releases/diagram.png`);
/// empty until the image stage has run, and then the pages show images as written.
#[derive(Debug, Default, Clone)]
pub struct Pictures {
    by_file: HashMap<String, Picture>,
}

impl Pictures {
    pub fn insert(&mut self, file: String, picture: Picture) {
        self.by_file.insert(file, picture);
    }

    /// The picture whose original is output file `file`.
    pub fn get(&self, file: &str) -> Option<&Picture> {
        self.by_file.get(file)
    }

    pub fn len(&self) -> usize {
        self.by_file.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_file.is_empty()
    }

    /// Each original's output file with its picture, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Picture)> {
        self.by_file.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_stop_at_the_original() {
        assert_eq!(widths(3000), vec![480, 960, 1600]);
        assert_eq!(widths(1600), vec![480, 960, 1600]);
        assert_eq!(widths(1200), vec![480, 960, 1200]);
        assert_eq!(widths(480), vec![480]);
        assert_eq!(widths(300), vec![300]);
    }

    #[test]
    fn heights_keep_the_aspect_ratio() {
        assert_eq!(scaled_height(3000, 1600, 960), 512);
        assert_eq!(scaled_height(1000, 1, 480), 1);
        assert_eq!(scaled_height(3, 2, 2), 1);
    }
}
