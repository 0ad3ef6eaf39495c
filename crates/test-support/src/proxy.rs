//! A loopback TCP proxy for tests between a client and a store: counts the bytes each way,
//! cuts the connection at chosen cumulative byte counts (a network that drops mid-upload or
//! mid-download) and throttles client→store traffic (a slow link), so resume and cancel paths
//! run against real TCP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback TCP proxy between kepil and the store. It counts bytes each way, can cut the
/// connection carrying a given cumulative byte (client→store or store→client), and can
/// throttle client→store traffic.
#[derive(Debug, Clone)]
pub struct Proxy {
    addr: std::net::SocketAddr,
    upstream: Arc<std::sync::Mutex<Option<std::net::SocketAddr>>>,
    pub up_bytes: Arc<AtomicU64>,
    pub down_bytes: Arc<AtomicU64>,
    up_cuts: Arc<std::sync::Mutex<Vec<u64>>>,
    down_cuts: Arc<std::sync::Mutex<Vec<u64>>>,
    /// Bytes per second client→store; 0 = unthrottled.
    pub up_rate: Arc<AtomicU64>,
    pub cuts_done: Arc<AtomicU64>,
}

impl Proxy {
    pub async fn bind() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            upstream: Default::default(),
            up_bytes: Default::default(),
            down_bytes: Default::default(),
            up_cuts: Default::default(),
            down_cuts: Default::default(),
            up_rate: Default::default(),
            cuts_done: Default::default(),
        };
        let p = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move { p.serve(client).await });
            }
        });
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_upstream(&self, addr: std::net::SocketAddr) {
        *self.upstream.lock().unwrap() = Some(addr);
    }

    /// Cut the connection that carries these cumulative client→store byte counts.
    pub fn cut_up_at(&self, points: &[u64]) {
        let mut cuts = self.up_cuts.lock().unwrap();
        cuts.extend_from_slice(points);
        cuts.sort_unstable();
    }

    pub fn cut_down_at(&self, points: &[u64]) {
        let mut cuts = self.down_cuts.lock().unwrap();
        cuts.extend_from_slice(points);
        cuts.sort_unstable();
    }

    async fn serve(&self, client: TcpStream) {
        let Some(upstream) = *self.upstream.lock().unwrap() else {
            return;
        };
        let Ok(server) = TcpStream::connect(upstream).await else {
            return;
        };
        let (mut cr, mut cw) = client.into_split();
        let (mut sr, mut sw) = server.into_split();
        let up = {
            let p = self.clone();
            async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let rate = p.up_rate.load(Ordering::Relaxed);
                    if rate > 0 {
                        tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
                    }
                    let before = p.up_bytes.fetch_add(n as u64, Ordering::SeqCst);
                    if p.should_cut(&p.up_cuts, before, n) {
                        // Deliver part of the buffer, then drop: the store sees a short body.
                        let _ = sw.write_all(&buf[..n / 2]).await;
                        break;
                    }
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = sw.shutdown().await;
            }
        };
        let down = {
            let p = self.clone();
            async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let before = p.down_bytes.fetch_add(n as u64, Ordering::SeqCst);
                    if p.should_cut(&p.down_cuts, before, n) {
                        let _ = cw.write_all(&buf[..n / 2]).await;
                        break;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = cw.shutdown().await;
            }
        };
        // Either direction ending (or being cut) ends the whole connection.
        tokio::select! {
            _ = up => {},
            _ = down => {},
        }
    }

    fn should_cut(&self, cuts: &std::sync::Mutex<Vec<u64>>, before: u64, n: usize) -> bool {
        let mut cuts = cuts.lock().unwrap();
        if let Some(&first) = cuts.first()
            && first < before + n as u64
        {
            cuts.remove(0);
            self.cuts_done.fetch_add(1, Ordering::SeqCst);
            return true;
        }
        false
    }
}
