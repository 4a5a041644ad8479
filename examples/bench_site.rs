//! Library-level timings of a build: `cargo run --release --example bench_site -- SITE_DIR`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use digest::error::Diagnostic;
use digest::render::Sink;

#[derive(Default)]
struct Count(AtomicUsize, AtomicUsize);

impl Sink for Count {
    fn put(&self, _path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.0.fetch_add(1, Ordering::Relaxed);
        self.1.fetch_add(bytes.len(), Ordering::Relaxed);
        Ok(())
    }
}

fn status(key: &str) -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().trim_end_matches(" kB").parse().ok()).unwrap_or(0)
        / 1024
}

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("site dir"));
    let t = Instant::now();
    let site = digest::load::load(&root, &Default::default()).expect("load");
    eprintln!("load   {:>6} ms  rss {} MB peak {} MB", t.elapsed().as_millis(), status("VmRSS:"), status("VmHWM:"));
    sizes(&site);
    let theme = digest::theme::Theme::load(&root, None).expect("theme");
    let t = Instant::now();
    let views = digest::view::Views::build(&site);
    eprintln!("views  {:>6} ms  rss {} MB peak {} MB", t.elapsed().as_millis(), status("VmRSS:"), status("VmHWM:"));
    let t = Instant::now();
    let sink = Count::default();
    digest::render::render_pages(&site, &theme, &views, &digest::render::pages(&site), &sink).expect("render");
    eprintln!(
        "render {:>6} ms  {} files {} MB  rss {} MB peak {} MB",
        t.elapsed().as_millis(),
        sink.0.load(Ordering::Relaxed),
        sink.1.load(Ordering::Relaxed) >> 20,
        status("VmRSS:"),
        status("VmHWM:")
    );
}
#[allow(dead_code)]
fn sizes(site: &digest::site::Site) {
    let mut html = 0;
    let mut sum = 0;
    let mut st = 0;
    let mut n = 0;
    for e in &site.entries {
        for t in e.texts.values() {
            n += 1;
            html += t.body.html.len();
            sum += t.body.summary_html.len();
            st += t.body.summary_text.len();
        }
    }
    eprintln!("texts {n} html {} MB summary {} MB text {} MB", html >> 20, sum >> 20, st >> 20);
}
