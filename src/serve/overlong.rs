//! Serve stage: request targets too long for hyper's parser, shortened on their way in so they
//! are answered like any other path the build lacks (404), not with hyper's bare 414.
//!
//! A connection's bytes pass through [`ShortTargets`], which follows request heads: in each
//! request line, a target longer than [`MAX_TARGET`] is replaced by [`NOWHERE`]. The preview
//! reads no request bodies (it answers GET and HEAD); a body is scanned like a head, which at
//! worst shortens a run of its bytes that nobody reads.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest target passed on as sent: hyper's own limit (`http::Uri` takes no more).
pub const MAX_TARGET: usize = u16::MAX as usize - 1;
/// What replaces a longer target: a NUL segment, which names no output ([`super::path::resolve`]).
pub const NOWHERE: &[u8] = b"/%00";

/// Where the scan is in the request a byte belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The method, or the blank lines before it.
    Method,
    /// The target, held back until its end shows whether it fits.
    Target,
    /// The rest of a target past the limit, dropped.
    Dropping,
    /// The rest of the head; `line` counts the current line's bytes (carriage returns aside).
    Head { line: usize },
}

/// The scanner over one connection's bytes: pure, so every rule is tested without a socket.
#[derive(Debug)]
struct Scan {
    place: Place,
    held: Vec<u8>,
}

impl Scan {
    fn new() -> Scan {
        Scan { place: Place::Method, held: Vec::new() }
    }

    /// Passes `input` on to `out`, shortening targets.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            let ends_target = matches!(b, b' ' | b'\r' | b'\n');
            self.place = match self.place {
                Place::Method => {
                    out.push(b);
                    if b == b' ' { Place::Target } else { Place::Method }
                }
                Place::Target | Place::Dropping if ends_target => {
                    out.append(&mut self.held);
                    out.push(b);
                    Place::Head { line: usize::from(b != b'\n') }
                }
                Place::Target if self.held.len() < MAX_TARGET => {
                    self.held.push(b);
                    Place::Target
                }
                Place::Target => {
                    self.held = NOWHERE.to_vec();
                    Place::Dropping
                }
                Place::Dropping => Place::Dropping,
                Place::Head { line } => {
                    out.push(b);
                    match b {
                        // An empty line ends the head; the next request follows.
                        b'\n' if line == 0 => Place::Method,
                        b'\n' => Place::Head { line: 0 },
                        b'\r' => Place::Head { line },
                        _ => Place::Head { line: line + 1 },
                    }
                }
            };
        }
    }

    /// The connection ended: passes on what was held.
    fn finish(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.held);
    }
}

/// A connection whose request targets are shortened as [`Scan`] says; writes pass straight on.
pub struct ShortTargets<S> {
    inner: S,
    scan: Scan,
    /// Scanned bytes not yet taken by the reader, from `taken` on.
    ready: Vec<u8>,
    taken: usize,
    ended: bool,
}

impl<S> ShortTargets<S> {
    pub fn new(inner: S) -> ShortTargets<S> {
        ShortTargets { inner, scan: Scan::new(), ready: Vec::new(), taken: 0, ended: false }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ShortTargets<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.taken < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.taken);
                buf.put_slice(&this.ready[this.taken..this.taken + n]);
                this.taken += n;
                if this.taken == this.ready.len() {
                    this.ready.clear();
                    this.taken = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.ended {
                return Poll::Ready(Ok(()));
            }
            let mut raw = [0u8; 8192];
            let mut read = ReadBuf::new(&mut raw);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            match read.filled() {
                [] => {
                    this.scan.finish(&mut this.ready);
                    this.ended = true;
                }
                bytes => this.scan.feed(bytes, &mut this.ready),
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ShortTargets<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scans `input` in pieces of `step` bytes, as the socket may deliver it.
    fn scan(input: &[u8], step: usize) -> Vec<u8> {
        let (mut scan, mut out) = (Scan::new(), Vec::new());
        input.chunks(step).for_each(|piece| scan.feed(piece, &mut out));
        scan.finish(&mut out);
        out
    }

    #[test]
    fn requests_that_fit_pass_unchanged() {
        let two = b"GET /a/?x=1 HTTP/1.1\r\nHost: h\r\nX: a b c\r\n\r\n\r\nHEAD / HTTP/1.1\r\nHost: h\r\n\r\n";
        for step in [1, 3, two.len()] {
            assert_eq!(scan(two, step), two, "{step}");
        }
        let fits = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_TARGET - 1));
        assert_eq!(scan(fits.as_bytes(), 1000), fits.as_bytes());
        // A connection that ends mid-target keeps what it sent.
        assert_eq!(scan(b"GET /abc", 2), b"GET /abc");
    }

    #[test]
    fn overlong_targets_become_a_path_that_names_nothing() {
        let long = format!("/{}", "a/".repeat(50 * 1024));
        let input = format!(
            "GET {long} HTTP/1.1\r\nHost: h\r\n\r\nGET {long} HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\n\r\n"
        );
        let want = "GET /%00 HTTP/1.1\r\nHost: h\r\n\r\nGET /%00 HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        for step in [1, 7, 8192, input.len()] {
            assert_eq!(String::from_utf8(scan(input.as_bytes(), step)).unwrap(), want, "{step}");
        }
        // Ending at the line's end (no version) or at the connection's end.
        assert_eq!(scan(format!("GET {long}\r\n\r\n").as_bytes(), 4096), b"GET /%00\r\n\r\n");
        assert_eq!(scan(format!("GET {long}").as_bytes(), 4096), b"GET /%00");
    }
}
