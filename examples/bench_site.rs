//! Library-level timings of a site: the build's stages, and the incremental rebuild `serve` does
//! after one entry is saved.
//!
//! ```text
//! cargo run --release --example bench_site -- SITE_DIR [ROUNDS]
//! ```
//!
//! Prints one `name ms` line per measurement (medians over ROUNDS, default 5). The incremental
//! rounds edit the body of an entry of the latest issue (the worst case: the home page shows it)
//! and of an older one, and restore the files afterwards.

use std::path::{Path, PathBuf};
use std::time::Instant;

use digest::load::LoadOptions;
use digest::render::session::{Dirty, Session};
use digest::write::MemorySink;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The main file of the first entry of issue `i`.
fn entry_file(session: &Session, i: usize) -> PathBuf {
    let site = session.site();
    let e = site.issues[digest::site::IssueId(i)].topics.iter().flatten().next().copied().expect("an entry");
    let entry = &site.entries[e];
    entry.texts[&entry.primary].path.clone()
}

/// Edits `file` (adds a line to its body), updates the session and renders the dirty pages into
/// `outputs`: returns (update ms, render ms, pages rendered).
fn edit_round(session: &mut Session, outputs: &MemorySink, root: &Path, file: &Path, n: usize) -> (f64, f64, usize) {
    let path = root.join(file);
    let original = std::fs::read_to_string(&path).expect("read entry");
    std::fs::write(&path, format!("{original}\nEdited in round {n}.\n")).expect("write entry");
    let t = Instant::now();
    let dirty = session.update(std::slice::from_ref(&path)).expect("update");
    let update = ms(t);
    let t = Instant::now();
    session.render(&dirty, outputs).expect("render");
    let render = ms(t);
    std::fs::write(&path, original).expect("restore entry");
    let pages = match &dirty {
        Dirty::Pages(p) => p.len(),
        Dirty::All => panic!("one entry's body should not need a full rebuild"),
    };
    (update, render, pages)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: bench_site SITE_DIR [ROUNDS]"));
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("ROUNDS"));

    let (mut load, mut views, mut render) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let site = digest::load::load(&root, &LoadOptions::default()).expect("load");
        load.push(ms(t));
        let theme = digest::load::theme::Theme::load(&root, site.config.theme.as_deref()).expect("theme");
        let t = Instant::now();
        let v = digest::render::view::Views::build(&site);
        views.push(ms(t));
        let sink = MemorySink::default();
        let t = Instant::now();
        digest::render::render_pages(&site, &theme, &v, &digest::render::all_pages(&site), &sink).expect("render");
        render.push(ms(t));
    }
    println!("load {:.0}", median(load));
    println!("views {:.0}", median(views));
    println!("render_in_memory {:.0}", median(render));

    let t = Instant::now();
    let mut session = Session::load(&root, LoadOptions::default()).expect("session");
    let outputs = MemorySink::default();
    session.render(&Dirty::All, &outputs).expect("render");
    println!("session_start {:.0}", ms(t));

    for (name, issue) in [("latest", 0), ("older", session.site().issues.len() / 2)] {
        let file = entry_file(&session, issue);
        let (mut update, mut render, mut total, mut pages) = (Vec::new(), Vec::new(), Vec::new(), 0);
        for n in 0..rounds {
            let (u, r, p) = edit_round(&mut session, &outputs, &root, &file, n);
            update.push(u);
            render.push(r);
            total.push(u + r);
            pages = p;
        }
        // The restored file: back to the original outputs.
        session.update(&[root.join(&file)]).expect("update");
        println!("incremental_{name}_update {:.1}", median(update));
        println!("incremental_{name}_render {:.1}", median(render));
        println!("incremental_{name}_total {:.1}", median(total));
        println!("incremental_{name}_pages {pages}");
    }
}
