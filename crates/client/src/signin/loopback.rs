//! The loopback redirect of RFC 8252 §7.3: a listener on `127.0.0.1`, a port the system picks,
//! that takes the one browser request the provider redirects to and answers it with a short
//! page. Plain tokio and a few lines of HTTP/1.1, so that the client carries no server
//! framework: only a request line is read, and only `GET /callback` is taken.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The redirect path, registered with the provider as `http://127.0.0.1/callback` (the port
/// is free for loopback redirects of native clients).
pub(crate) const CALLBACK_PATH: &str = "/callback";

/// A request head larger than this is not a browser following a redirect.
const MAX_HEAD: usize = 16 * 1024;
/// Browsers open connections they never use (pre-connects); one that sends nothing for this
/// long is dropped without holding up the others.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct Loopback {
    listener: TcpListener,
    port: u16,
    // Connections are read on their own tasks and land here, so a silent one blocks nothing.
    tx: mpsc::Sender<Request>,
    rx: mpsc::Receiver<Request>,
}

impl std::fmt::Debug for Loopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loopback")
            .field("port", &self.port)
            .finish()
    }
}

struct Request {
    target: String,
    stream: TcpStream,
}

/// The browser's request to the redirect URI, waiting for its answer.
pub(crate) struct Callback {
    /// The query's name/value pairs (`code`, `state`, `iss`, or `error`, …).
    pub params: Vec<(String, String)>,
    stream: TcpStream,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The query carries the authorization code.
        let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Callback").field("params", &names).finish()
    }
}

/// What the browser is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    Done,
    Failed,
}

impl Loopback {
    /// Binds `127.0.0.1:0`: the IPv4 loopback literal rather than `localhost`, which may
    /// resolve elsewhere or to IPv6 only (RFC 8252 §8.3).
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let (tx, rx) = mpsc::channel(8);
        Ok(Loopback {
            listener,
            port,
            tx,
            rx,
        })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for `GET /callback?…`. Anything else (a favicon, a probe) gets a 404 and the wait
    /// goes on.
    pub async fn next_callback(&mut self) -> Callback {
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        let tx = self.tx.clone();
                        tokio::spawn(async move {
                            if let Some(request) = read_request(stream).await {
                                let _ = tx.send(request).await;
                            }
                        });
                    }
                }
                Some(request) = self.rx.recv() => {
                    match parse_target(&request.target) {
                        Some(params) => {
                            return Callback { params, stream: request.stream };
                        }
                        None => {
                            let mut stream = request.stream;
                            let _ = respond(&mut stream, "404 Not Found", "").await;
                        }
                    }
                }
            }
        }
    }
}

impl Callback {
    pub async fn answer(mut self, page: Page) {
        let (status, body) = match page {
            Page::Done => ("200 OK", page_html(DONE)),
            Page::Failed => ("400 Bad Request", page_html(FAILED)),
        };
        let _ = respond(&mut self.stream, status, &body).await;
    }
}

/// Reads up to the end of the request head; `None` for a silent, oversized or non-GET one.
async fn read_request(mut stream: TcpStream) -> Option<Request> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    let read = async {
        loop {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") {
                return Some(());
            }
            if head.len() > MAX_HEAD {
                return None;
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    let line_end = head.iter().position(|&b| b == b'\r')?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    if method != "GET" || !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    Some(Request {
        target: target.to_string(),
        stream,
    })
}

/// The query pairs of `/callback?…`; `None` for any other path.
fn parse_target(target: &str) -> Option<Vec<(String, String)>> {
    let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != CALLBACK_PATH {
        return None;
    }
    Some(
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    // The page names no resource and must not leak the callback URL (with its code) onward.
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// (Bahasa Melayu, English): the browser's language is not known here, so the page says it
/// in both, Malay first as everywhere in Kepil.
type Wording = [(&'static str, &'static str); 2];

const DONE: Wording = [
    ("Log masuk selesai", "Sign-in complete"),
    (
        "Anda boleh menutup tetingkap ini dan kembali ke Kepil.",
        "You may close this window and return to Kepil.",
    ),
];

const FAILED: Wording = [
    ("Log masuk tidak berjaya", "Sign-in failed"),
    (
        "Kembali ke Kepil untuk melihat sebabnya dan cuba lagi.",
        "Return to Kepil to see why, and try again.",
    ),
];

fn page_html(words: Wording) -> String {
    let [(title_ms, title_en), (text_ms, text_en)] = words;
    format!(
        "<!DOCTYPE html>\n<html lang=\"ms\"><head><meta charset=\"utf-8\">\
         <title>Kepil: {title_ms} / {title_en}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;padding:0 1em}}</style>\
         </head><body>\
         <h1>{title_ms}</h1><p>{text_ms}</p>\
         <h1 lang=\"en\">{title_en}</h1><p lang=\"en\">{text_en}</p>\
         </body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_path_is_taken() {
        let params = parse_target("/callback?code=abc&state=x%20y").unwrap();
        assert_eq!(
            params,
            vec![
                ("code".to_string(), "abc".to_string()),
                ("state".to_string(), "x y".to_string())
            ]
        );
        assert_eq!(parse_target("/callback").unwrap(), vec![]);
        assert!(parse_target("/favicon.ico").is_none());
        assert!(parse_target("/callback/../other?code=1").is_none());
    }

    #[tokio::test]
    async fn answers_a_browser_and_ignores_other_paths_and_silent_connections() {
        let mut lo = Loopback::bind().await.unwrap();
        let uri = lo.redirect_uri();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let addr = uri
            .trim_start_matches("http://")
            .trim_end_matches("/callback")
            .to_string();
        // A pre-connect that never speaks, then a favicon, then the redirect.
        let _silent = TcpStream::connect(&addr).await.unwrap();
        let addr2 = addr.clone();
        let browser = tokio::spawn(async move {
            let mut other = TcpStream::connect(&addr2).await.unwrap();
            other
                .write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let mut answer = String::new();
            other.read_to_string(&mut answer).await.unwrap();
            assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
            let mut s = TcpStream::connect(&addr2).await.unwrap();
            s.write_all(b"GET /callback?code=c1&state=s1 HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).await.unwrap();
            answer
        });
        let callback = lo.next_callback().await;
        assert_eq!(callback.params[0], ("code".into(), "c1".into()));
        callback.answer(Page::Done).await;
        let answer = browser.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert!(answer.contains("Log masuk selesai"), "{answer}");
        assert!(answer.contains("Sign-in complete"), "{answer}");
        assert!(answer.contains("Referrer-Policy: no-referrer"), "{answer}");
    }
}
