//! A TCP proxy between a client and a real server that can lose responses: on a lossy
//! connection it forwards the request, waits until the server starts answering (so the server
//! has decided and committed), then closes the client's side without passing a byte of the
//! answer on — what a phone sees when the network drops on the way back. Other connections are
//! forwarded both ways untouched. Plain threads, so any test can use it.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A running proxy; it stops accepting when the test process ends.
pub struct LossyProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    to_drop: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl LossyProxy {
    /// A proxy on a free loopback port in front of `upstream`.
    pub fn start(upstream: SocketAddr) -> LossyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let to_drop = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let (t, d) = (to_drop.clone(), dropped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let lossy = t
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let d = d.clone();
                std::thread::spawn(move || {
                    let Ok(server) = TcpStream::connect(upstream) else {
                        return;
                    };
                    if lossy {
                        lose_response(client, server, &d);
                    } else {
                        forward(client, server);
                    }
                });
            }
        });
        LossyProxy {
            addr,
            to_drop,
            dropped,
        }
    }

    /// `http://ADDR`, for a client's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next `n` connections lose their response (use a client that does not pool
    /// connections, so each request opens one).
    pub fn lose_next_responses(&self, n: usize) {
        self.to_drop.fetch_add(n, Ordering::SeqCst);
    }

    /// Responses lost so far: each one reached the proxy from the server and went no further.
    pub fn responses_lost(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn forward(client: TcpStream, server: TcpStream) {
    let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || pipe(c2, s2));
    pipe(server, client);
    let _ = up.join();
}

fn lose_response(client: TcpStream, mut server: TcpStream, dropped: &AtomicUsize) {
    let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || pipe(c2, s2));
    let _ = server.set_read_timeout(Some(Duration::from_secs(120)));
    let mut first = [0u8; 1];
    // The first byte of the answer: the server has decided. Nothing is passed on.
    if matches!(server.read(&mut first), Ok(1)) {
        dropped.fetch_add(1, Ordering::SeqCst);
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}
