//! Serve stage: the listening socket — every connection a task of its own on a Tokio runtime
//! (hyper with a header read timeout), at most [`MAX_CONNECTIONS`] at once, a short 503 past that.
//!
//! No client can hold up another: a connection that stalls mid-request costs one task and one
//! place among the connections until its header read timeout closes it.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// Open connections at most, event streams included; a browser opens about six per page.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may wait for its next request, before it is closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a refused connection gets to read its 503.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);
/// A pause after a failed accept (out of file descriptors, say), so the loop does not spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// The server's thread; dropping it stops the server and closes every connection.
pub struct Server {
    shutdown: Arc<Notify>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `app` on `listener` (bound, in blocking mode or not) from a thread of its own.
    pub fn spawn(listener: std::net::TcpListener, app: Router) -> std::io::Result<Server> {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()?;
        let listener = {
            let _inside = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let shutdown = Arc::new(Notify::new());
        let stop = shutdown.clone();
        let thread = std::thread::Builder::new().name("digest-http".into()).spawn(move || {
            runtime.block_on(async move {
                tokio::select! {
                    () = accept(listener, app) => {}
                    () = stop.notified() => {}
                }
            });
            // Dropping the runtime ends every connection task, closing its socket.
            drop(runtime);
        })?;
        Ok(Server { shutdown, thread: Some(thread) })
    }

    /// Blocks for as long as the server runs.
    pub fn wait(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // `notify_one` keeps the wake-up should the loop not be waiting yet.
        self.shutdown.notify_one();
        self.wait();
    }
}

async fn accept(listener: TcpListener, app: Router) {
    let places = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        match places.clone().try_acquire_owned() {
            Ok(place) => {
                tokio::spawn(connection(stream, app.clone(), place));
            }
            Err(_) => {
                tokio::spawn(refuse(stream));
            }
        }
    }
}

/// Serves one connection's requests until the client closes it or stalls past a timeout.
async fn connection(stream: TcpStream, app: Router, _place: OwnedSemaphorePermit) {
    let _ = stream.set_nodelay(true);
    let service = TowerToHyperService::new(app);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    // The client went away or timed out: nothing to report.
    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
}

/// Answers a connection past the bound with a 503 without reading its request, then closes it.
async fn refuse(mut stream: TcpStream) {
    let body = "503 Service Unavailable: too many open connections\n";
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Retry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let answer = async {
        stream.write_all(format!("{head}{body}").as_bytes()).await?;
        stream.shutdown().await?;
        // Reads what the client sent until it closes: closing with unread data would reset the
        // connection and could lose the answer.
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        std::io::Result::Ok(())
    };
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, answer).await;
}
