//! Image stage: an image's format and size read from its header, before anything is decoded,
//! so that a file claiming 60,000 × 60,000 pixels is refused in microseconds.

use crate::site::images::{Format, MAX_FILE_BYTES, MAX_PIXELS};

/// What a header says of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub format: Format,
    /// The size as stored (before a JPEG's orientation is applied).
    pub width: u32,
    pub height: u32,
}

/// Why an image cannot be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an image of a format the stage knows, or a header that does not parse.
    Unreadable(String),
    /// Larger than [`MAX_FILE_BYTES`] or [`MAX_PIXELS`].
    TooLarge(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Refusal::Unreadable(m) | Refusal::TooLarge(m) => f.write_str(m),
        }
    }
}

/// The format and size of image `bytes`, named `name` (whose extension says what it should be).
pub fn probe(name: &str, bytes: &[u8]) -> Result<Probe, Refusal> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let mib = bytes.len() as f64 / 1048576.0;
        return Err(Refusal::TooLarge(format!(
            "{mib:.1} MiB, more than the {} MiB an image may have",
            MAX_FILE_BYTES >> 20
        )));
    }
    let named = Format::of_name(name).ok_or_else(|| Refusal::Unreadable("not an image file name".into()))?;
    let probe = match named {
        Format::Svg => svg(bytes)?,
        _ => raster(bytes)?,
    };
    if probe.format != named && !(named.is_resized() && probe.format.is_resized()) {
        let (is, says) = (probe.format.extension(), named.extension());
        return Err(Refusal::Unreadable(format!("the file is {is}, but its name says {says}")));
    }
    let pixels = u64::from(probe.width) * u64::from(probe.height);
    if probe.format != Format::Svg && pixels > MAX_PIXELS {
        return Err(Refusal::TooLarge(format!(
            "{} × {} pixels, more than the {} megapixels an image may have",
            probe.width,
            probe.height,
            MAX_PIXELS / 1_000_000
        )));
    }
    if probe.width == 0 || probe.height == 0 {
        return Err(Refusal::Unreadable(format!("its header gives a size of {} × {}", probe.width, probe.height)));
    }
    Ok(probe)
}

fn raster(bytes: &[u8]) -> Result<Probe, Refusal> {
    let unreadable = |e: imagesize::ImageError| Refusal::Unreadable(format!("its header does not parse ({e})"));
    let format = match imagesize::image_type(bytes).map_err(unreadable)? {
        imagesize::ImageType::Png => Format::Png,
        imagesize::ImageType::Jpeg => Format::Jpeg,
        imagesize::ImageType::Gif => Format::Gif,
        imagesize::ImageType::Webp => Format::Webp,
        other => {
            return Err(Refusal::Unreadable(format!(
                "{other:?} images are not supported: use PNG, JPEG, GIF, WebP or SVG"
            )));
        }
    };
    let size = imagesize::blob_size(bytes).map_err(unreadable)?;
    let side = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(Probe { format, width: side(size.width), height: side(size.height) })
}

/// An SVG's size: its root element's `width` and `height` in pixels, else its `viewBox`.
fn svg(bytes: &[u8]) -> Result<Probe, Refusal> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"svg" => {
                let attr = |name: &[u8]| -> Option<String> {
                    let a = e.attributes().flatten().find(|a| a.key.as_ref() == name)?;
                    Some(String::from_utf8_lossy(&a.value).into_owned())
                };
                let (width, height) = svg_size(attr(b"width"), attr(b"height"), attr(b"viewBox")).ok_or_else(|| {
                    Refusal::Unreadable("its <svg> element gives no size: add width and height, or a viewBox".into())
                })?;
                return Ok(Probe { format: Format::Svg, width, height });
            }
            Ok(Event::Start(_) | Event::Empty(_)) => {
                return Err(Refusal::Unreadable("its first element is not <svg>".into()));
            }
            Ok(Event::Eof) => return Err(Refusal::Unreadable("it has no <svg> element".into())),
            Err(e) => return Err(Refusal::Unreadable(format!("it is no well-formed XML ({e})"))),
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// The pixel size from `width`, `height` (plain numbers or `px`) and `viewBox`; a missing side
/// follows the viewBox's aspect ratio.
fn svg_size(width: Option<String>, height: Option<String>, view_box: Option<String>) -> Option<(u32, u32)> {
    let px = |v: &str| -> Option<f64> {
        let n: f64 = v.trim().strip_suffix("px").unwrap_or(v.trim()).parse().ok()?;
        (n.is_finite() && n > 0.0).then_some(n)
    };
    let vb: Option<(f64, f64)> = view_box.and_then(|v| {
        let n: Vec<f64> = v.split([' ', ',']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
        (n.len() == 4 && n[2] > 0.0 && n[3] > 0.0 && n[2].is_finite() && n[3].is_finite()).then(|| (n[2], n[3]))
    });
    let (w, h) = match (width.as_deref().and_then(px), height.as_deref().and_then(px), vb) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (_, _, Some((vw, vh))) => (vw, vh),
        _ => return None,
    };
    let side = |v: f64| (v.round() as u32).clamp(1, 100_000);
    Some((side(w), side(h)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_sizes() {
        let size = |s: &str| svg(s.as_bytes()).map(|p| (p.width, p.height));
        assert_eq!(size(r#"<svg width="640" height="360"/>"#), Ok((640, 360)));
        assert_eq!(
            size(r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400"></svg>"#),
            Ok((800, 400))
        );
        assert_eq!(size(r#"<svg width="400px" viewBox="0,0,800,200"/>"#), Ok((400, 100)));
        assert!(size(r#"<svg width="100%"/>"#).is_err());
        assert!(size("<html/>").is_err());
        assert!(size("<svg").is_err());
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        // A PNG header claiming 60,000 × 60,000 pixels, and nothing after it.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(60_000u32.to_be_bytes());
        png.extend(60_000u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert!(matches!(probe("bomb.png", &png), Err(Refusal::TooLarge(m)) if m.contains("60000 × 60000")));
        assert!(matches!(probe("x.png", b"not a png"), Err(Refusal::Unreadable(_))));
        assert!(matches!(probe("x.png", b""), Err(Refusal::Unreadable(_))));
    }
}
