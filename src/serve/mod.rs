//! Serve stage: builds the site into memory, serves it on loopback and rebuilds it on change.
//!
//! The build is the same load → render pipeline as `digest build`, into a [`MemorySink`]; requests
//! only ever read that map, never the disk. A failed rebuild keeps the last good build online and
//! shows its report on open pages; see [`live`].

pub mod http;
pub mod listen;
pub mod live;
pub mod path;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::LoadOptions;
use crate::render::Output;
use crate::render::session::{Dirty, Session};
use crate::search::background::Indexer;
use crate::write::MemorySink;
use listen::Server;
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
    /// Serve no search index (it costs memory and, on a first build, processor time).
    pub no_search: bool,
}

/// Output path → contents: one complete build (the search indexer takes them as they are).
pub use crate::search::background::Outputs;

/// What requests see: the last good build and, when the latest rebuild failed, its report.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub outputs: Arc<Outputs>,
    /// Counts good builds; 0 before the first one. Pages carry it so a stream opened after a
    /// rebuild they missed reloads them at once.
    pub generation: u64,
    pub error: Option<String>,
}

/// Which open pages a published build reloads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reload {
    /// None: what changed (feeds) is shown by no page.
    Nothing,
    Every,
    /// The pages at these paths, as served.
    Pages(Vec<String>),
}

/// State shared by the requests, the event streams and the watcher.
pub struct State {
    snapshot: RwLock<Arc<Snapshot>>,
    pub hub: Arc<live::Hub>,
    pub port: u16,
}

impl State {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("snapshot lock").clone()
    }

    /// Swaps in a good build, made by `change` from the current outputs, and tells the open
    /// pages `reload` names to reload. With [`Reload::Nothing`] the generation stays. `change`
    /// runs under the lock, so that files the search indexer publishes meanwhile
    /// ([`State::publish_search`]) are not lost.
    fn publish(&self, change: impl FnOnce(&Outputs) -> Outputs, reload: Reload) {
        let generation = {
            let mut snap = self.snapshot.write().expect("snapshot lock");
            let generation = snap.generation + u64::from(reload != Reload::Nothing);
            let outputs = Arc::new(change(&snap.outputs));
            *snap = Arc::new(Snapshot { outputs, generation, error: None });
            generation
        };
        let paths = match reload {
            Reload::Nothing => return,
            Reload::Every => None,
            Reload::Pages(paths) => Some(paths),
        };
        self.hub.broadcast(&live::Event::Reload { generation, paths });
    }

    /// Puts the search bundle `files` in place of the one served (its files are named by their
    /// contents, so the previous ones go). No open page shows them: nothing reloads, and the
    /// report of a failed rebuild stays.
    fn publish_search(&self, files: crate::search::Files) {
        let mut snap = self.snapshot.write().expect("snapshot lock");
        let mut outputs = (*snap.outputs).clone();
        outputs.retain(|path, _| !crate::site::layout::in_search_bundle(path));
        outputs.extend(files.into_iter().map(|(k, v)| (k, Arc::new(v))));
        *snap =
            Arc::new(Snapshot { outputs: Arc::new(outputs), generation: snap.generation, error: snap.error.clone() });
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
    watcher: Option<Watcher>,
    server: Option<Server>,
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
        if let Some(server) = self.server.as_mut() {
            server.wait();
        }
    }

    /// Stops watching and serving, and closes the listening socket.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.watcher.take();
        // Ends the server's thread and with it every connection and the listening socket.
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
    let cannot_listen = |e: std::io::Error| {
        Diagnostic::file(root, format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))
            .with_hint("is another `digest serve` running? choose another port with --port N")
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", opts.port)).map_err(cannot_listen)?;
    let port = listener.local_addr().map_or(opts.port, |a| a.port());
    let state = Arc::new(State { snapshot: RwLock::new(Arc::new(Snapshot::default())), hub: Arc::default(), port });

    let indexer = (!opts.no_search).then(|| {
        let (to, quiet) = (state.clone(), opts.quiet);
        Indexer::spawn(
            crate::cache::Cache::open(root),
            move |files| to.publish_search(files),
            move |diags| {
                if !quiet {
                    eprintln!("{diags}\nwarning: no search index until the next full rebuild");
                }
            },
        )
    });
    let mut builder = Builder {
        root: root.to_path_buf(),
        drafts: opts.drafts,
        quiet: opts.quiet,
        state: state.clone(),
        session: None,
        indexer,
    };
    builder.rebuild(&[]);
    let watcher = watch::watch(root, move |changed| builder.rebuild(&changed))?;
    let server = Server::spawn(listener, http::router(state.clone())).map_err(cannot_listen)?;
    Ok(Running { state, watcher: Some(watcher), server: Some(server) })
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
    /// Keeps the search index, off this thread; none with `--no-search`.
    indexer: Option<Indexer>,
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
                self.session = Some(Session::load(&self.root, opts)?);
                Dirty::All
            }
        };
        let session = self.session.as_ref().expect("a loaded session");
        let warnings = session.site().warnings.clone();
        let pages = match dirty {
            Dirty::All => {
                let outputs = render_outputs(session, &Dirty::All)?;
                let total = outputs.len();
                // The previous search index stays until the indexer has the new one.
                self.state.publish(|old| with_search_files_of(outputs, old), Reload::Every);
                if let Some(indexer) = &mut self.indexer {
                    indexer.all(session.site());
                }
                return Ok(Built { rendered: total, total, warnings });
            }
            Dirty::Pages(pages) => pages,
        };
        // Three steps: the pages of the entry's own issue, which the editor most likely has open;
        // the pages that list the whole archive (topics, tags), which grow with it; the feeds,
        // which no page shows. Each reloads only the open pages it changed.
        if let Some(indexer) = &mut self.indexer {
            indexer.update(session.site(), &pages);
        }
        let (wide, near): (Vec<Output>, Vec<Output>) = pages.into_iter().partition(|p| p.spans_archive());
        let (feeds, wide): (Vec<Output>, Vec<Output>) = wide.into_iter().partition(|p| p.is_feed());
        let mut rendered = 0;
        for (batch, reloads) in [(near, true), (wide, true), (feeds, false)] {
            if batch.is_empty() {
                continue;
            }
            let fresh = render_outputs(session, &Dirty::Pages(batch))?;
            rendered += fresh.len();
            let reload = match reloads {
                true => Reload::Pages(fresh.keys().map(|path| crate::site::layout::url_of_output(path)).collect()),
                false => Reload::Nothing,
            };
            self.state.publish(
                |old| {
                    let mut outputs = old.clone();
                    outputs.extend(fresh);
                    outputs
                },
                reload,
            );
        }
        let total = self.state.snapshot().outputs.len();
        Ok(Built { rendered, total, warnings })
    }
}

/// A fresh full render, `outputs`, with the search bundle of `old`.
fn with_search_files_of(mut outputs: Outputs, old: &Outputs) -> Outputs {
    let bundle = old.iter().filter(|(path, _)| crate::site::layout::in_search_bundle(path));
    outputs.extend(bundle.map(|(k, v)| (k.clone(), v.clone())));
    outputs
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
