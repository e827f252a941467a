//! The TCP listener the site is served from, with one addition: the answers hyper writes by
//! itself carry the security headers too.
//!
//! hyper answers a request it cannot parse (400), a URI too long (414) or headers too large
//! (431) on its own, before any service sees the request, so the router's header layer
//! cannot reach those answers and hyper offers no hook. The connection's writer therefore
//! looks at the first bytes of each response head: a head that is one of those three
//! statuses and lacks `x-content-type-options` (every answer of the router has it) gets the
//! security headers inserted before it goes out. Bodies and every other head pass through
//! untouched, byte for byte.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::security;

/// A `TcpListener` whose connections add the security headers to hyper's own answers.
pub struct HardenedListener(TcpListener);

impl HardenedListener {
    /// Wraps a bound listener.
    pub fn new(listener: TcpListener) -> HardenedListener {
        HardenedListener(listener)
    }
}

impl Listener for HardenedListener {
    type Io = HardenedStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        (HardenedStream::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The TCP peer of a request, recorded for sign-in throttling and the localhost-only setup
/// page.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, HardenedListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, HardenedListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// A connection that rewrites hyper's own error heads (see the module documentation).
pub struct HardenedStream<S> {
    inner: S,
    /// A rewritten head still being written: the bytes, how many went out, and how many
    /// bytes of the caller's buffer it stands for (reported once all went out).
    pending: Option<Pending>,
}

struct Pending {
    bytes: Vec<u8>,
    written: usize,
    stands_for: usize,
}

impl<S> HardenedStream<S> {
    /// Wraps a connection.
    pub fn new(inner: S) -> HardenedStream<S> {
        HardenedStream {
            inner,
            pending: None,
        }
    }
}

/// The statuses hyper writes by itself on the server side.
const HYPER_OWN_STATUSES: [&[u8]; 3] = [b"HTTP/1.1 400 ", b"HTTP/1.1 414 ", b"HTTP/1.1 431 "];

/// `buf` with the security headers inserted, when it starts with one of hyper's own error
/// heads that lacks them; `None` for everything else.
fn with_security_headers(buf: &[u8]) -> Option<Vec<u8>> {
    if !HYPER_OWN_STATUSES.iter().any(|s| buf.starts_with(s)) {
        return None;
    }
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = buf.get(..head_end)?.to_ascii_lowercase();
    if head
        .windows(b"\r\nx-content-type-options:".len())
        .any(|w| w == b"\r\nx-content-type-options:")
    {
        return None;
    }
    let mut out = Vec::with_capacity(buf.len() + 512);
    out.extend_from_slice(&buf[..head_end + 2]);
    for (name, value) in security::HEADERS {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&buf[head_end + 2..]);
    Some(out)
}

impl<S: AsyncWrite + Unpin> HardenedStream<S> {
    /// Writes what is pending; `Ready(Some(n))` when it all went out (n = the caller's bytes
    /// it stood for), `Ready(None)` when nothing was pending.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<usize>>> {
        while let Some(pending) = self.pending.as_mut() {
            if pending.written == pending.bytes.len() {
                let done = pending.stands_for;
                self.pending = None;
                return Poll::Ready(Ok(Some(done)));
            }
            let n = ready!(
                Pin::new(&mut self.inner).poll_write(cx, &pending.bytes[pending.written..])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            pending.written += n;
        }
        Poll::Ready(Ok(None))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HardenedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HardenedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        // A caller retrying after Pending hands in the same bytes again; the rewritten
        // copy is already on its way, so those bytes are what it stands for.
        if this.pending.is_none() {
            match with_security_headers(buf) {
                Some(bytes) => {
                    this.pending = Some(Pending {
                        bytes,
                        written: 0,
                        stands_for: buf.len(),
                    })
                }
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        match ready!(this.poll_pending(cx))? {
            Some(n) => Poll::Ready(Ok(n)),
            None => Poll::Ready(Ok(0)),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs.iter().find(|b| !b.is_empty());
        let rewrite = self.pending.is_some()
            || first.is_some_and(|b| HYPER_OWN_STATUSES.iter().any(|s| b.starts_with(s)));
        match first {
            // Only the head goes through the rewriting path; a short write is allowed.
            Some(head) if rewrite => self.poll_write(cx, head),
            _ => Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.pending.is_some() {
            // Flushing without the caller taking the count back would lose it: keep the
            // finished state for the caller's next write of the same bytes.
            while let Some(p) = this.pending.as_mut() {
                if p.written == p.bytes.len() {
                    break;
                }
                let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &p.bytes[p.written..]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                p.written += n;
            }
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n";

    async fn written(chunks: &[&[u8]]) -> Vec<u8> {
        let (client, mut server) = tokio::io::duplex(16);
        let mut stream = HardenedStream::new(client);
        let reader = tokio::spawn(async move {
            let mut out = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut server, &mut out)
                .await
                .expect("read");
            out
        });
        for chunk in chunks {
            stream.write_all(chunk).await.expect("write");
        }
        stream.shutdown().await.expect("shutdown");
        drop(stream);
        reader.await.expect("reader")
    }

    #[tokio::test]
    async fn hyper_s_own_error_head_gets_the_security_headers_even_through_a_small_pipe() {
        let out = String::from_utf8(written(&[HYPER_431]).await).expect("utf-8");
        assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
        assert!(
            out.contains("\r\nx-content-type-options: nosniff\r\n"),
            "{out}"
        );
        assert!(out.contains("\r\ncontent-security-policy: "), "{out}");
        assert!(out.contains("\r\nx-frame-options: DENY\r\n"), "{out}");
        assert!(out.ends_with("\r\n\r\n"), "{out}");
        assert!(out.contains("content-length: 0\r\n"), "{out}");
    }

    #[tokio::test]
    async fn other_bytes_pass_through_untouched() {
        let ours: &[u8] = b"HTTP/1.1 400 Bad Request\r\nx-content-type-options: nosniff\r\ncontent-length: 2\r\n\r\nno";
        let ok: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        let body_like: &[u8] = b"HTTP/1.1 400 appears inside a body\r\n\r\n";
        assert_eq!(written(&[ours]).await, ours);
        assert_eq!(written(&[ok]).await, ok);
        let mut both = ok.to_vec();
        both.extend_from_slice(ours);
        assert_eq!(written(&[ok, ours]).await, both);
        // Only the start of a write is looked at; hyper writes each head from its start.
        let mut tail = b"x".to_vec();
        tail.extend_from_slice(body_like);
        assert_eq!(written(&[&tail]).await, tail);
    }
}
