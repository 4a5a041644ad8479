//! The image stage on a fixture month with every kind of picture: a large screenshot (PNG), a
//! phone photo with EXIF orientation and GPS (JPEG), an animated meme (GIF) that its summary
//! introduces, and a diagram (SVG). Variants are decoded back, pages, feeds, editions and social
//! cards are read structurally, and bad images must fail the build with the output untouched.

mod common;

use std::io::Cursor;

use common::{Fixture, Output, entry, select_attr};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A noisy picture, so that its PNG is heavy as a real screenshot's is.
fn screenshot(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 7u32;
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (seed >> 16) as u8;
        if (x / 40 + y / 40) % 2 == 0 { Rgb([n, 200, 255 - n]) } else { Rgb([30, n / 2, 90]) }
    });
    encode(DynamicImage::ImageRgb8(img), ImageFormat::Png)
}

fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG stored 800 × 600 whose EXIF says "rotate 90° clockwise" (orientation 6), with a GPS
/// position: a phone photo taken upright.
fn phone_photo() -> Vec<u8> {
    let img = RgbImage::from_fn(800, 600, |x, _| if x < 100 { Rgb([255, 0, 0]) } else { Rgb([240, 240, 240]) });
    let jpeg = encode(DynamicImage::ImageRgb8(img), ImageFormat::Jpeg);
    // TIFF, little-endian: IFD0 with Orientation = 6 and a GPS IFD holding GPSLatitudeRef "N".
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend([2, 0]);
    tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]);
    tiff.extend([0, 0, 0, 0]);
    tiff.extend([1, 0, 0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// Two frames, 320 × 240.
fn animated_meme() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
        for c in [0u8, 255] {
            let frame = RgbaImage::from_pixel(320, 240, Rgba([c, 128, 255 - c, 255]));
            enc.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    out
}

const DIAGRAM: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400"><rect width="800" height="400" fill="#eef"/></svg>"##;

fn month() -> Fixture {
    let f = Fixture::new(&[
        (
            "content/2025-11/_index.md",
            "+++\ntitle = \"十一月\"\ndate = 2025-11-30\ncover = \"cover.png\"\n+++\n本月导读。\n",
        ),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\n+++\nThis month.\n"),
        ("content/2025-11/releases/shot.md", &entry("截图", "", "新版界面如下。\n\n![新版控制台截图](shot.png)\n")),
        (
            "content/2025-11/releases/shot.en.md",
            &entry("Screenshot", "", "The new console.\n\n![The new console](shot.png)\n"),
        ),
        ("content/2025-11/news/photo.md", &entry("照片", "", "会场一角。\n\n![展台照片](photo.jpg)\n")),
        ("content/2025-11/news/photo.en.md", &entry("Photo", "", "At the venue.\n\n![The booth](photo.jpg)\n")),
        (
            "content/2025-11/memes/year.md",
            &entry("年终总结", "", "年终总结来了：\n\n![年终总结梗图](meme.gif)\n\n后记。\n"),
        ),
        (
            "content/2025-11/memes/year.en.md",
            &entry("Year in review", "", "Here it is:\n\n![The year-end meme](meme.gif)\n\nAfterword.\n"),
        ),
        ("content/2025-11/discussions/diagram.md", &entry("图解", "", "迁移路径。\n\n![迁移示意图](diagram.svg)\n")),
        (
            "content/2025-11/discussions/diagram.en.md",
            &entry("Diagram", "", "The path.\n\n![Migration diagram](diagram.svg)\n"),
        ),
        ("content/2025-11/discussions/diagram.svg", DIAGRAM),
    ]);
    let write = |path: &str, bytes: Vec<u8>| std::fs::write(f.root().join(path), bytes).unwrap();
    write("content/2025-11/releases/shot.png", screenshot(2400, 1200));
    write("content/2025-11/news/photo.jpg", phone_photo());
    write("content/2025-11/memes/meme.gif", animated_meme());
    write("content/2025-11/cover.png", screenshot(1600, 900));
    f
}

/// The width a variant's file name gives (`shot.960w.webp` → 960).
fn named_width(path: &str) -> Option<u32> {
    let (_, rest) = path.rsplit_once('/')?.1.split_once('.')?;
    rest.split('.').next()?.strip_suffix('w')?.parse().ok()
}

#[test]
fn variants_decode_to_their_sizes_upright_and_without_metadata() {
    let f = month();
    let out = f.build_with(&["--no-search"]);
    let variants: Vec<&str> =
        out.paths().into_iter().filter(|p| p.starts_with("2025-11/") && !p.ends_with(".html")).collect();
    for expected in [
        "2025-11/releases/shot.480w.png",
        "2025-11/releases/shot.960w.webp",
        "2025-11/releases/shot.1600w.webp",
        "2025-11/releases/shot.png",
    ] {
        assert!(variants.contains(&expected), "{expected} missing from {variants:?}");
    }
    for path in &variants {
        let bytes = &out.files[*path];
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{path} carries EXIF");
        if path.ends_with(".svg") || path.ends_with(".gif") {
            continue;
        }
        let img = image::load_from_memory(bytes).unwrap_or_else(|e| panic!("{path} does not decode: {e}"));
        let format = image::guess_format(bytes).unwrap();
        let by_name = ImageFormat::from_path(path).unwrap();
        assert_eq!(format, by_name, "{path}");
        if let Some(w) = named_width(path) {
            assert_eq!(img.width(), w, "{path}");
        }
        if path.contains("shot") {
            assert_eq!(img.width(), img.height() * 2, "{path} keeps 2:1");
        }
        if path.contains("photo") {
            // Stored 800 × 600, shown upright: 600 × 800, the red band on top.
            assert_eq!(img.width() * 4, img.height() * 3, "{path} is upright");
            let top = img.to_rgb8().get_pixel(img.width() / 2, 2).0;
            assert!(top[0] > 200 && top[1] < 80, "{path}: the band is on top, {top:?}");
        }
    }
    // The largest page variant lives at the original's address, so links to it work.
    let shot = image::load_from_memory(&out.files["2025-11/releases/shot.png"]).unwrap();
    assert_eq!((shot.width(), shot.height()), (1600, 800));
    // An animated GIF keeps its frames, byte for byte; an SVG is published as it is.
    assert_eq!(out.files["2025-11/memes/meme.gif"], animated_meme());
    assert_eq!(out.text("2025-11/discussions/diagram.svg"), DIAGRAM);
}

#[test]
fn every_image_of_every_page_has_its_size_and_existing_candidates() {
    let f = month();
    let out = f.build_with(&["--no-search"]);
    let ratio = |src: &str| -> f64 {
        match src {
            s if s.contains("shot") => 2.0,
            s if s.contains("photo") => 0.75,
            s if s.contains("meme") => 320.0 / 240.0,
            s if s.contains("diagram") => 2.0,
            s => panic!("unknown image {s}"),
        }
    };
    let mut images = 0;
    for path in out.paths().into_iter().filter(|p| p.ends_with(".html")) {
        let doc = out.html(path);
        let sel = scraper::Selector::parse("img").unwrap();
        for (n, img) in doc.select(&sel).enumerate() {
            images += 1;
            let a = |name: &str| img.value().attr(name).unwrap_or_else(|| panic!("{path}: <img> without {name}"));
            let (w, h): (f64, f64) = (a("width").parse().unwrap(), a("height").parse().unwrap());
            let src = a("src");
            assert!((w / h - ratio(src)).abs() < 0.01, "{path}: {src} is {w} × {h}");
            assert!(!a("alt").is_empty(), "{path}: {src}");
            assert_eq!(
                img.value().attr("loading") == Some("lazy"),
                n > 0,
                "{path}: only the first image loads at once"
            );
            let candidates = img.value().attr("srcset").into_iter().chain(
                img.parent().and_then(scraper::ElementRef::wrap).into_iter().flat_map(|p| {
                    p.children().filter_map(scraper::ElementRef::wrap).filter_map(|c| c.value().attr("srcset"))
                }),
            );
            let files = candidates.flat_map(|set| set.split(", ").map(|c| c.split(' ').next().unwrap().to_string()));
            for file in files.chain([src.to_string()]) {
                assert!(out.has(file.trim_start_matches('/')), "{path}: {file} is not in the output");
            }
        }
    }
    assert!(images > 8, "{images} images seen");
}

#[test]
fn feeds_and_editions_show_one_absolute_variant_and_email_images_fit() {
    let f = month();
    let out = f.build_with(&["--no-search"]);
    let feed = out.text("en/rss.xml");
    let parsed = feed_rs::parser::parse(feed.as_bytes()).unwrap();
    let first = &parsed.entries[0];
    let content = first.content.as_ref().and_then(|c| c.body.clone());
    let content = content.or_else(|| first.summary.as_ref().map(|s| s.content.clone())).unwrap();
    assert!(
        content.contains("src=\"https://example.org/2025-11/releases/shot.960w.png\" width=\"960\" height=\"480\""),
        "{content}"
    );
    assert!(!content.contains("srcset") && !content.contains("<picture"), "{content}");

    let email = f.run(&["export", "2025-11", "--format", "email", "--full"]);
    assert_eq!(email.status, 0, "{}", email.stderr);
    let doc = scraper::Html::parse_document(&email.stdout);
    let srcs = select_attr(&doc, "img", "src");
    assert!(srcs.len() >= 4, "{srcs:?}");
    for img in doc.select(&scraper::Selector::parse("img").unwrap()) {
        let (src, width) = (img.value().attr("src").unwrap(), img.value().attr("width").unwrap());
        assert!(width.parse::<u32>().unwrap() <= 584, "{src} is {width} wide");
        let file = src.strip_prefix("https://example.org/").expect("absolute");
        let bytes = &out.files[file];
        assert!(bytes.len() <= 300 * 1024, "{file}: {} bytes", bytes.len());
        assert!(!file.ends_with(".webp"), "{file}");
    }
}

#[test]
fn a_summary_that_introduces_its_picture_keeps_it_in_every_edition() {
    let f = month();
    for format in ["email", "text", "wechat", "markdown"] {
        for lang in ["zh", "en"] {
            let run = f.run(&["export", "2025-11", "--format", format, "--lang", lang]);
            assert_eq!(run.status, 0, "{}", run.stderr);
            assert!(run.stdout.contains("memes/meme.gif"), "{format} {lang}: the meme is missing:\n{}", run.stdout);
            assert!(
                !run.stdout.contains("后记") && !run.stdout.contains("Afterword"),
                "{format} {lang}: the whole text"
            );
        }
    }
}

#[test]
fn social_cards_point_to_files_of_the_site() {
    let f = month();
    let out = f.build_with(&["--no-search"]);
    for (page, expected) in [
        ("2025-11/index.html", "2025-11/cover.960w.png"),
        ("en/2025-11/releases/shot/index.html", "2025-11/releases/shot.960w.png"),
        ("2025-11/news/photo/index.html", "2025-11/news/photo.jpg"),
    ] {
        let doc = out.html(page);
        let url = select_attr(&doc, "meta[property='og:image']", "content");
        assert_eq!(url, vec![format!("https://example.org/{expected}")], "{page}");
        assert!(out.has(expected), "{expected}");
        let img = image::load_from_memory(&out.files[expected]).unwrap();
        let w = select_attr(&doc, "meta[property='og:image:width']", "content");
        let h = select_attr(&doc, "meta[property='og:image:height']", "content");
        assert_eq!((w[0].parse::<u32>().unwrap(), h[0].parse::<u32>().unwrap()), (img.width(), img.height()), "{page}");
        assert!(img.width() <= 1200);
        assert_eq!(select_attr(&doc, "meta[name='twitter:card']", "content"), vec!["summary_large_image"]);
        assert!(!select_attr(&doc, "meta[property='og:image:alt']", "content")[0].is_empty());
    }
    // No picture, no card.
    assert!(select_attr(&out.html("tags/index.html"), "meta[property='og:image']", "content").is_empty());
}

#[test]
fn warm_and_cold_builds_are_byte_identical() {
    let f = month();
    let cold = f.build_with(&["--no-search"]);
    let cache = f.root().join(".digest/cache");
    let files = |kind: &str| -> Vec<std::path::PathBuf> {
        let all = walkdir::WalkDir::new(cache.join(kind)).into_iter().flatten();
        all.filter(|e| e.file_type().is_file()).map(|e| e.into_path()).collect()
    };
    assert!(!files("images").is_empty() && !files("images-files").is_empty(), "nothing cached");
    let warm = f.build_with(&["--no-search"]);
    assert!(cold.files == warm.files, "a warm build differs");
    // Damaged entries are found, and made again: a picture's record (checked by its hash) and a
    // variant's bytes cut short (checked by their size: they are linked into the output).
    for path in files("images").iter().take(2) {
        let mut bytes = std::fs::read(path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(path, bytes).unwrap();
    }
    for path in files("images-files").iter().skip(3).step_by(2) {
        let bytes = std::fs::read(path).unwrap();
        std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
    }
    let repaired = f.build_with(&["--no-search"]);
    assert!(cold.files == repaired.files, "a build over a damaged cache differs");
    std::fs::remove_dir_all(f.root().join(".digest")).unwrap();
    let again = f.build_with(&["--no-search"]);
    assert!(cold.files == again.files, "a second cold build differs");
}

#[test]
fn bad_images_fail_the_build_and_leave_the_output_untouched() {
    let f = month();
    let good = f.build_with(&["--no-search"]);
    let untouched = |f: &Fixture| {
        let now = Output::read(&f.root().join("public"));
        assert!(now.files == good.files, "the previous output changed");
    };
    // Missing: at the image's line and column.
    f.write("content/2025-11/news/gone.md", &entry("不见了", "", "正文。\n\n![截图](gone.png)\n"));
    common::expect_error(&f, "content/2025-11/news/gone.md:7:7:", "image `gone.png` not found");
    untouched(&f);
    f.remove("content/2025-11/news/gone.md");
    // Corrupt: a PNG cut short.
    let mut cut = screenshot(400, 300);
    cut.truncate(cut.len() / 2);
    std::fs::write(f.root().join("content/2025-11/news/cut.png"), cut).unwrap();
    common::expect_error(&f, "content/2025-11/news/cut.png:1:1:", "cannot decode");
    untouched(&f);
    f.remove("content/2025-11/news/cut.png");
    // A bomb: a header claiming 60,000 × 60,000 pixels, refused before decoding.
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bomb.extend(60_000u32.to_be_bytes());
    bomb.extend(60_000u32.to_be_bytes());
    bomb.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::write(f.root().join("content/2025-11/memes/bomb.png"), bomb).unwrap();
    let started = std::time::Instant::now();
    common::expect_error(&f, "content/2025-11/memes/bomb.png:1:1:", "60000 × 60000 pixels");
    assert!(started.elapsed().as_secs() < 20);
    untouched(&f);
    f.remove("content/2025-11/memes/bomb.png");
    // A cover that is no image of the issue.
    f.write(
        "content/2025-11/_index.md",
        "+++\ntitle = \"十一月\"\ndate = 2025-11-30\ncover = \"nope.png\"\n+++\n本月导读。\n",
    );
    common::expect_error(&f, "content/2025-11/_index.md:4:9:", "cover `nope.png`");
    untouched(&f);
}

#[test]
fn check_warns_of_missing_alt_text_and_hotlinked_images() {
    let f = month();
    f.write(
        "content/2025-11/news/bare.md",
        &entry("无说明", "", "正文。\n\n![](../releases/shot.png)\n\n![远程图](https://cdn.example.com/x.png)\n"),
    );
    let run = f.run(&["check"]);
    assert!(
        run.stderr.contains("content/2025-11/news/bare.md:7:1: warning: image `../releases/shot.png` has no alt text"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("content/2025-11/news/bare.md:9:1: warning: image `https://cdn.example.com/x.png` is hotlinked"),
        "{}",
        run.stderr
    );
}
