//! Serve stage: builds the site into memory, serves it on loopback and rebuilds it on change.
//!
//! The build is the same load → render pipeline as `digest build`, into a [`MemorySink`]; requests
//! only ever read that map, never the disk. A failed rebuild keeps the last good build online and
//! shows its report on open pages; see [`live`].

pub mod http;
pub mod live;
pub mod path;
pub mod watch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::LoadOptions;
use crate::render::Page;
use crate::render::session::{Dirty, Session};
use crate::write::MemorySink;
use watch::Watcher;

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Include draft issues and entries.
    pub drafts: bool,
    /// Print nothing to the terminal (for tests).
    pub quiet: bool,
}

/// Output path → contents: one complete build. Contents are shared between snapshots, so an
/// incremental rebuild copies the map, not the site.
pub type Outputs = BTreeMap<String, Arc<Vec<u8>>>;

/// What requests see: the last good build and, when the latest rebuild failed, its report.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub outputs: Arc<Outputs>,
    /// Counts good builds; 0 before the first one. Pages carry it so a stream opened after a
    /// rebuild they missed reloads them at once.
    pub generation: u64,
    pub error: Option<String>,
}

/// State shared by the request workers, the event streams and the watcher.
pub struct State {
    snapshot: RwLock<Arc<Snapshot>>,
    pub hub: live::Hub,
    pub port: u16,
    stop: AtomicBool,
}

impl State {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("snapshot lock").clone()
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Swaps in a good build and, with `reload`, tells open pages to reload. Without it the
    /// generation stays: the outputs that changed (feeds) are not shown by any open page.
    fn publish(&self, outputs: Outputs, reload: bool) {
        {
            let mut snap = self.snapshot.write().expect("snapshot lock");
            let generation = snap.generation + u64::from(reload);
            *snap = Arc::new(Snapshot { outputs: Arc::new(outputs), generation, error: None });
        }
        if reload {
            self.hub.broadcast(&live::Event::Reload);
        }
    }

    /// Records a failed rebuild, keeping the last good outputs, and shows the report on open pages.
    fn fail(&self, report: String) {
        {
            let mut snap = self.snapshot.write().expect("snapshot lock");
            let outputs = snap.outputs.clone();
            *snap = Arc::new(Snapshot { outputs, generation: snap.generation, error: Some(report.clone()) });
        }
        self.hub.broadcast(&live::Event::BuildError(report));
    }
}

/// A running preview server; dropping it stops the server.
pub struct Running {
    state: Arc<State>,
    workers: Vec<JoinHandle<()>>,
    watcher: Option<Watcher>,
    server: Option<Arc<tiny_http::Server>>,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.state.port
    }

    /// The address of the site root.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.state.port)
    }

    /// Blocks for as long as the server runs (until the process is interrupted).
    pub fn wait(mut self) {
        for w in std::mem::take(&mut self.workers) {
            let _ = w.join();
        }
    }

    /// Stops watching and serving, and closes the listening socket.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.watcher.take();
        for w in std::mem::take(&mut self.workers) {
            let _ = w.join();
        }
        // The workers are gone, so this is the last handle: dropping it closes the socket.
        self.server.take();
    }
}

/// Builds the site at `root` in memory, serves it on `127.0.0.1:opts.port` and rebuilds on change.
///
/// Fails only when there is no site at `root` or the port cannot be bound; a site that does not
/// build is served anyway, showing its problems until they are fixed.
pub fn start(root: &Path, opts: &Options) -> Result<Running, Diagnostics> {
    if !root.join("config.toml").is_file() {
        return Err(Diagnostic::file(root.join("config.toml"), "no config.toml here: this is not a site folder")
            .with_hint("run `digest serve` in a site folder, pass --root DIR, or create a site with `digest init DIR`")
            .into());
    }
    let server = tiny_http::Server::http(("127.0.0.1", opts.port)).map_err(|e| {
        Diagnostic::file(root, format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))
            .with_hint("is another `digest serve` running? choose another port with --port N")
    })?;
    let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
    let server = Arc::new(server);
    let state = Arc::new(State {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        hub: live::Hub::default(),
        port,
        stop: AtomicBool::new(false),
    });

    let mut builder = Builder {
        root: root.to_path_buf(),
        drafts: opts.drafts,
        quiet: opts.quiet,
        state: state.clone(),
        session: None,
    };
    builder.rebuild(&[]);
    let watcher = watch::watch(root, move |changed| builder.rebuild(&changed))?;
    let workers = http::spawn_workers(server.clone(), state.clone());
    Ok(Running { state, workers, watcher: Some(watcher), server: Some(server) })
}

/// Rebuilds the site into the shared state and reports on the terminal.
struct Builder {
    root: PathBuf,
    drafts: bool,
    quiet: bool,
    state: Arc<State>,
    /// The loaded site, kept between rebuilds so that saving one entry re-renders only the
    /// pages that show it (see `session`); none until a build succeeds.
    session: Option<Session>,
}

impl Builder {
    fn rebuild(&mut self, changed: &[PathBuf]) {
        let started = Instant::now();
        let first = self.state.snapshot().generation == 0 && changed.is_empty();
        let what = match changed {
            [] => String::new(),
            [one] => format!("{} changed; ", one.display()),
            many => format!("{} files changed; ", many.len()),
        };
        let result = self.build(changed);
        if result.is_err() {
            // The files on disk and the session now disagree, and the next save may touch a
            // different file than the one that failed: it starts again from a full load.
            self.session = None;
        }
        match result {
            Ok(built) => {
                if !self.quiet {
                    for w in &built.warnings {
                        eprintln!("{w}");
                    }
                    let verb = if first { "built" } else { "rebuilt" };
                    let ms = started.elapsed().as_millis();
                    match built.rendered == built.total {
                        true => eprintln!("{what}{verb} {} files in {ms} ms", built.total),
                        false => eprintln!("{what}{verb} {} of {} files in {ms} ms", built.rendered, built.total),
                    }
                }
            }
            Err(diags) => {
                let report = diags.to_string();
                if !self.quiet {
                    eprintln!("{report}");
                    if self.state.snapshot().generation == 0 {
                        eprintln!("error: the site could not be built; the preview reloads once it is fixed");
                    } else {
                        eprintln!("{what}error: the site could not be rebuilt; still serving the last good build");
                    }
                }
                self.state.fail(report);
            }
        }
    }

    /// Brings the session up to date with `changed` (a full load when there is none yet, or
    /// nothing changed: the first build) and publishes what it says to render: the whole site,
    /// or the pages that show a changed entry over the current outputs. Those go out in two
    /// steps, pages then feeds, so that the open page reloads without waiting for the feeds,
    /// which carry every issue.
    fn build(&mut self, changed: &[PathBuf]) -> Result<Built, Diagnostics> {
        let dirty = match self.session.as_mut() {
            Some(session) if !changed.is_empty() => session.update(changed)?,
            _ => {
                let base_url = format!("http://127.0.0.1:{}", self.state.port);
                let opts = LoadOptions { drafts: self.drafts, base_url: Some(base_url) };
                self.session = Some(Session::load(&self.root, opts)?.with_search());
                Dirty::All
            }
        };
        let session = self.session.as_ref().expect("a loaded session");
        let warnings = session.site().warnings.clone();
        let pages = match dirty {
            Dirty::All => {
                let outputs = render_outputs(session, &Dirty::All)?;
                let total = outputs.len();
                self.state.publish(outputs, true);
                return Ok(Built { rendered: total, total, warnings });
            }
            Dirty::Pages(pages) => pages,
        };
        let (feeds, pages): (Vec<Page>, Vec<Page>) = pages.into_iter().partition(|p| p.is_feed());
        let mut rendered = 0;
        for (batch, reload) in [(pages, true), (feeds, false)] {
            if batch.is_empty() {
                continue;
            }
            let fresh = render_outputs(session, &Dirty::Pages(batch))?;
            rendered += fresh.len();
            let mut outputs = (*self.state.snapshot().outputs).clone();
            outputs.extend(fresh);
            self.state.publish(outputs, reload);
        }
        // Last, the search index with the records of the pages rendered again: no open page
        // shows it, and it is built from every record, which takes longest.
        let index = MemorySink::default();
        if session.write_search_index(&index)? {
            let fresh = index.into_inner();
            rendered += fresh.len();
            let mut outputs = (*self.state.snapshot().outputs).clone();
            // Its files are named by their contents: the previous ones go.
            outputs.retain(|path, _| {
                !path.starts_with(crate::search::BUNDLE_DIR)
                    || !path[crate::search::BUNDLE_DIR.len()..].starts_with('/')
            });
            outputs.extend(fresh.into_iter().map(|(k, v)| (k, Arc::new(v))));
            self.state.publish(outputs, false);
        }
        Ok(Built { rendered, total: self.state.snapshot().outputs.len(), warnings })
    }
}

/// What a good rebuild did, for the console.
struct Built {
    rendered: usize,
    total: usize,
    warnings: Vec<Diagnostic>,
}

/// Renders `dirty` of the session into a map of its own.
fn render_outputs(session: &Session, dirty: &Dirty) -> Result<Outputs, Diagnostics> {
    let sink = MemorySink::default();
    session.render(dirty, &sink)?;
    Ok(sink.into_inner().into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}
