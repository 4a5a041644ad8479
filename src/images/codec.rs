//! Image stage: the variants of one image made from its bytes: decoded within limits, turned
//! upright, resized and encoded again, with no metadata (EXIF, GPS, colour profiles) carried
//! over into any of them.

use std::io::Cursor;

use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images::Image};
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader, Limits};

use super::probe::Probe;
use crate::site::images::{
    CARD_WIDTH, EDITION_MAX_BYTES, EDITION_WIDTH, Format, MAX_PIXELS, Picture, Variant, scaled_height, widths,
};
use crate::site::layout::{VariantKind, variant_file};

/// What makes the bytes of a variant: part of every cache key, so a change here (a new encoder,
/// another quality) makes every variant again rather than mixing old and new.
pub const RECIPE: &str =
    "digest images 4: fast_image_resize 5 Lanczos3; png default; jpeg q82; webp q80 m2; mail jpeg q80/65/50";

const JPEG_QUALITY: u8 = 82;
const WEBP_QUALITY: f32 = 80.0;
/// libwebp's effort (0 fastest to 6 smallest; `cwebp` uses 4): at 2 a cold build spent 0.18 s of
/// CPU an image, 0.23 s at 4 (`docs/performance.md`, "Images").
const WEBP_METHOD: i32 = 2;
const MAIL_QUALITIES: [u8; 3] = [80, 65, 50];

/// A picture and the bytes of each of its files, in the order of [`Picture::files`].
pub struct Made {
    pub picture: Picture,
    pub files: Vec<Vec<u8>>,
}

/// Makes every variant of the image at output file `file`, whose header said `probe`.
pub fn make(file: &str, bytes: &[u8], probe: Probe) -> Result<Made, String> {
    match probe.format {
        Format::Svg => Ok(as_is(file, bytes, probe, None)),
        Format::Gif if bytes.len() as u64 <= EDITION_MAX_BYTES => {
            let gif = variant(file.to_string(), probe.width, probe.height, Format::Gif, bytes.len());
            Ok(as_is(file, bytes, probe, Some(gif)))
        }
        Format::Gif => {
            // Too heavy for an email: its first frame, as mail clients that stop animations show it.
            let frame = decode(bytes)?;
            let mut made = as_is(file, bytes, probe, None);
            let (edition, edition_bytes) = mail_variant(file, &Pixels::of(frame))?;
            made.picture.edition = edition.clone();
            made.picture.card = Some(edition);
            made.files.push(edition_bytes);
            Ok(made)
        }
        _ => resized(file, bytes),
    }
}

/// SVG and GIF: the file itself on every page; `edition` for feeds, editions and the card if
/// given, else the file.
fn as_is(file: &str, bytes: &[u8], probe: Probe, edition: Option<Variant>) -> Made {
    let own = variant(file.to_string(), probe.width, probe.height, probe.format, bytes.len());
    let card = (probe.format != Format::Svg).then(|| edition.clone().unwrap_or_else(|| own.clone()));
    let picture = Picture {
        width: probe.width,
        height: probe.height,
        format: probe.format,
        variants: vec![own.clone()],
        webp: Vec::new(),
        edition: edition.unwrap_or(own),
        card,
    };
    Made { picture, files: vec![bytes.to_vec()] }
}

fn variant(file: String, width: u32, height: u32, format: Format, bytes: usize) -> Variant {
    Variant { file, width, height, format, bytes: bytes as u64, hash: String::new() }
}

/// Decoded pixels, 8 bits a channel, upright.
struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    data: Vec<u8>,
}

impl Pixels {
    fn of(image: DynamicImage) -> Pixels {
        let (width, height, alpha) = (image.width(), image.height(), image.color().has_alpha());
        let data = if alpha { image.into_rgba8().into_raw() } else { image.into_rgb8().into_raw() };
        Pixels { width, height, alpha, data }
    }

    fn pixel_type(&self) -> PixelType {
        if self.alpha { PixelType::U8x4 } else { PixelType::U8x3 }
    }

    fn color(&self) -> ExtendedColorType {
        if self.alpha { ExtendedColorType::Rgba8 } else { ExtendedColorType::Rgb8 }
    }

    /// The image `width` pixels wide (itself when it is that wide already).
    fn resized(&self, width: u32) -> Result<Pixels, String> {
        if width >= self.width {
            return Ok(Pixels { data: self.data.clone(), ..*self });
        }
        let height = scaled_height(self.width, self.height, width);
        let src = Image::from_vec_u8(self.width, self.height, self.data.clone(), self.pixel_type())
            .map_err(|e| format!("cannot resize: {e}"))?;
        let mut dst = Image::new(width, height, self.pixel_type());
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        Resizer::new().resize(&src, &mut dst, &options).map_err(|e| format!("cannot resize: {e}"))?;
        Ok(Pixels { width, height, alpha: self.alpha, data: dst.into_vec() })
    }

    /// The same pixels on a white ground, for JPEG.
    fn opaque(self) -> Pixels {
        if !self.alpha {
            return self;
        }
        let data = self
            .data
            .chunks_exact(4)
            .flat_map(|p| {
                let a = u16::from(p[3]);
                [0, 1, 2].map(|c| ((u16::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8)
            })
            .collect();
        Pixels { alpha: false, data, ..self }
    }

    fn encode(&self, format: Format, quality: u8) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let failed = |e: image::ImageError| format!("cannot encode a {} variant: {e}", format.extension());
        match format {
            Format::Png => {
                let encoder = image::codecs::png::PngEncoder::new(&mut out);
                encoder.write_image(&self.data, self.width, self.height, self.color()).map_err(failed)?;
            }
            Format::Jpeg => {
                let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
                match self.alpha {
                    false => encoder.write_image(&self.data, self.width, self.height, self.color()),
                    true => {
                        let opaque = Pixels { data: self.data.clone(), ..*self }.opaque();
                        encoder.write_image(&opaque.data, opaque.width, opaque.height, opaque.color())
                    }
                }
                .map_err(failed)?;
            }
            Format::Webp => {
                let encoder = match self.alpha {
                    true => webp::Encoder::from_rgba(&self.data, self.width, self.height),
                    false => webp::Encoder::from_rgb(&self.data, self.width, self.height),
                };
                let mut config = webp::WebPConfig::new().map_err(|()| "cannot set up the WebP encoder".to_string())?;
                config.quality = WEBP_QUALITY;
                config.method = WEBP_METHOD;
                let encoded =
                    encoder.encode_advanced(&config).map_err(|e| format!("cannot encode a webp variant: {e:?}"))?;
                out = encoded.to_vec();
            }
            Format::Gif | Format::Svg => unreachable!("GIF and SVG are published as they are"),
        }
        Ok(out)
    }
}

/// Decodes `bytes` within the pixel limit, and turns the image upright (a JPEG's orientation).
fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| format!("cannot decode: {e}"))?;
    let orientation = decoder.orientation().map_err(|e| format!("cannot read its orientation: {e}"))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| format!("cannot decode: {e}"))?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// PNG, JPEG and WebP: every width of [`widths`] in the original's format and in WebP.
fn resized(file: &str, bytes: &[u8]) -> Result<Made, String> {
    let pixels = Pixels::of(decode(bytes)?);
    let format = Format::of_name(file).filter(|f| f.is_resized()).unwrap_or(Format::Png);
    let ws = widths(pixels.width);
    let mut files = Vec::new();
    let (mut variants, mut webp) = (Vec::new(), Vec::new());
    for (i, &w) in ws.iter().enumerate() {
        let scaled = pixels.resized(w)?;
        let kind = if i + 1 == ws.len() { VariantKind::Largest } else { VariantKind::Other };
        let own = scaled.encode(format, JPEG_QUALITY)?;
        let own_file = variant_file(file, w, format.extension(), kind);
        variants.push(variant(own_file, w, scaled.height, format, own.len()));
        files.push(own);
        if format != Format::Webp {
            let bytes = scaled.encode(Format::Webp, 0)?;
            let file = variant_file(file, w, Format::Webp.extension(), VariantKind::Other);
            webp.push(variant(file, w, scaled.height, Format::Webp, bytes.len()));
            files.push(bytes);
        }
    }
    // Files go in `Picture::files` order: the page's variants, then the WebP ones.
    let files = reorder(files, format != Format::Webp);
    // The widest variant up to the edition's width, if it is light enough for mail; else a JPEG
    // at that width made for mail (a narrower PNG would look blurred in the email's column).
    let fits = |v: &&Variant| v.format.is_mail_safe() && v.bytes <= EDITION_MAX_BYTES;
    let mut picture = Picture {
        width: pixels.width,
        height: pixels.height,
        format,
        variants,
        webp,
        edition: variant(String::new(), 0, 0, format, 0),
        card: None,
    };
    let mut files = files;
    match picture.variants.iter().rev().find(|v| v.width <= EDITION_WIDTH).filter(fits) {
        Some(v) => picture.edition = v.clone(),
        None => {
            let (v, bytes) = mail_variant(file, &pixels)?;
            picture.edition = v;
            files.push(bytes);
        }
    }
    let card = picture.variants.iter().rev().find(|v| v.format.is_mail_safe() && v.width <= CARD_WIDTH);
    picture.card = Some(card.unwrap_or(&picture.edition).clone());
    Ok(Made { picture, files })
}

/// Files made as (own, webp) pairs, put in the order own…, webp….
fn reorder(files: Vec<Vec<u8>>, pairs: bool) -> Vec<Vec<u8>> {
    if !pairs {
        return files;
    }
    let (mut own, mut webp) = (Vec::new(), Vec::new());
    for (i, f) in files.into_iter().enumerate() {
        if i % 2 == 0 { own.push(f) } else { webp.push(f) }
    }
    own.extend(webp);
    own
}

/// A JPEG for feeds and editions within [`EDITION_MAX_BYTES`]: [`EDITION_WIDTH`] wide at most,
/// at lower qualities, then narrower, until it fits.
fn mail_variant(file: &str, pixels: &Pixels) -> Result<(Variant, Vec<u8>), String> {
    let mut width = pixels.width.min(EDITION_WIDTH);
    loop {
        let scaled = pixels.resized(width)?;
        for q in MAIL_QUALITIES {
            let bytes = scaled.encode(Format::Jpeg, q)?;
            if bytes.len() as u64 <= EDITION_MAX_BYTES || (width <= 120 && q == MAIL_QUALITIES[2]) {
                let file = variant_file(file, width, Format::Jpeg.extension(), VariantKind::Mail);
                return Ok((variant(file, width, scaled.height, Format::Jpeg, bytes.len()), bytes));
            }
        }
        width /= 2;
    }
}
