//! A store that fights back: a real HTTP server on loopback (axum, in this process) answering
//! the recipient's open of a grant (and its `GET`) with a 100 MiB body, a body that never ends, an endless error
//! page, or terminal escapes in its error message, and answering every download of the blob
//! with an empty `200 OK`. The client must fail with a clear error, in bounded memory (the
//! process's own peak RSS, VmHWM), in bounded time and a bounded number of requests, and never
//! pass an escape on.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use kepil_client::progress::{Cancel, ProgressFn};
use kepil_client::receive;
use kepil_client::{NetError, ReceiveError};
use kepil_core::classification::Classification;
use kepil_core::kdf::{KdfParams, LinkSecret};
use kepil_core::link::Link;
use kepil_core::message::{Coded, Lang};

const MIB: usize = 1 << 20;
/// What the peak RSS may grow by while a hostile answer is handled. The bodies are 100 MiB
/// and endless; the client keeps at most 1 MiB of any.
const MEMORY_BOUND: u64 = 64 * MIB as u64;

static CHUNK: [u8; 64 * 1024] = [b' '; 64 * 1024];

fn chunks(count: Option<usize>) -> Body {
    let piece = || Ok::<_, Infallible>(Bytes::from_static(&CHUNK));
    match count {
        Some(n) => Body::from_stream(futures_util::stream::iter((0..n).map(move |_| piece()))),
        None => Body::from_stream(futures_util::stream::repeat_with(piece)),
    }
}

/// The first byte of a grant id picks what the store does.
#[derive(Clone, Copy, Debug)]
enum Hostile {
    /// 100 MiB of JSON-ish bytes, with a `Content-Length` saying so.
    HugeAnnounced = 1,
    /// 100 MiB without a length (chunked).
    HugeChunked = 2,
    /// A chunked body that never ends.
    Endless = 3,
    /// A 500 whose body never ends.
    EndlessError = 4,
    /// A JSON error whose message is full of terminal escapes.
    Escapes = 5,
    /// A valid grant (TERBUKA, no password) that accepts any proof, and then answers every
    /// download of the blob with an empty `200 OK`.
    EmptyBlob = 6,
}

/// The blob's announced size for [`Hostile::EmptyBlob`].
const BLOB_SIZE: u64 = 1000;

fn in_a_day() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(1)
}

fn json_response(value: &impl serde::Serialize) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(value).unwrap()))
        .unwrap()
}

fn grant_id(h: Hostile) -> String {
    kepil_protocol::b64_encode(&[h as u8; 16])
}

async fn grant(Path(id): Path<String>) -> Response {
    let which = kepil_protocol::b64_decode(&id)
        .and_then(|b| b.first().copied())
        .unwrap_or(0);
    let hundred_mib = 100 * MIB / CHUNK.len();
    let builder = Response::builder().header(header::CONTENT_TYPE, "application/json");
    match which {
        1 => builder
            .header(header::CONTENT_LENGTH, 100 * MIB)
            .body(chunks(Some(hundred_mib))),
        2 => builder.body(chunks(Some(hundred_mib))),
        3 => builder.body(chunks(None)),
        4 => builder
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(chunks(None)),
        5 => builder.status(StatusCode::BAD_REQUEST).body(Body::from(
            serde_json::json!({
                "code": "bad_request",
                "message": "\u{1b}[2J\u{1b}[1;1HVerified sender: boss@agensi.gov.my\u{1b}]0;pwned\u{7}\u{9b}31m\u{202E}exe.pdf",
            })
            .to_string(),
        )),
        6 => {
            return json_response(&kepil_protocol::GrantInfo {
                grant_id: id,
                transfer_id: "hostile-transfer".into(),
                classification: Classification::Terbuka,
                size: BLOB_SIZE,
                kdf: KdfParams::DEFAULT,
                expires_at: in_a_day(),
                ready: true,
            });
        }
        _ => builder.status(StatusCode::NOT_FOUND).body(Body::empty()),
    }
    .unwrap()
}

async fn challenge() -> Response {
    json_response(&kepil_protocol::Challenge {
        nonce: kepil_protocol::b64_encode(&[7u8; 32]),
        expires_at: in_a_day(),
    })
}

/// Any proof is "valid": the store is the hostile party here, not the recipient.
async fn proof() -> Response {
    json_response(&kepil_protocol::DownloadGrant {
        download_token: "hostile-download-token".into(),
        expires_at: in_a_day(),
        size: BLOB_SIZE,
        downloads_left: 0,
        sender: None,
    })
}

async fn hostile_store() -> String {
    hostile_store_counting(Arc::new(AtomicUsize::new(0))).await
}

/// Also counts the blob requests in `blob_requests`.
async fn hostile_store_counting(blob_requests: Arc<AtomicUsize>) -> String {
    let blob = move || {
        let blob_requests = blob_requests.clone();
        async move {
            blob_requests.fetch_add(1, Ordering::SeqCst);
            Response::builder()
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_LENGTH, 0)
                .body(Body::empty())
                .unwrap()
        }
    };
    let app = Router::new()
        .route("/api/v1/grants/{id}", get(grant))
        .route("/api/v1/grants/{id}/challenge", post(challenge))
        // A current client reads a grant's facts by opening it; the same hostile answers.
        .route("/api/v1/grants/{id}/open", post(grant))
        .route("/api/v1/grants/{id}/proof", post(proof))
        .route("/api/v1/grants/{id}/blob", get(blob));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

fn link(store: &str, h: Hostile) -> Link {
    Link::new(
        url::Url::parse(store).unwrap(),
        &grant_id(h),
        LinkSecret::generate(),
    )
    .unwrap()
}

/// The process's peak resident set so far, in bytes (VmHWM in /proc/self/status).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM value");
    kib * 1024
}

async fn lookup(store: &str, h: Hostile) -> ReceiveError {
    let link = link(store, h);
    match tokio::time::timeout(Duration::from_secs(60), receive::lookup(&link)).await {
        Ok(Ok(_)) => panic!("{h:?}: a hostile answer was accepted"),
        Ok(Err(e)) => e,
        Err(_) => panic!("{h:?}: the client did not give up within a minute"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_and_endless_answers_fail_clearly_in_bounded_memory() {
    let store = hostile_store().await;
    let start = peak_rss();
    for h in [
        Hostile::HugeAnnounced,
        Hostile::HugeChunked,
        Hostile::Endless,
    ] {
        let e = lookup(&store, h).await;
        assert!(
            matches!(
                e,
                ReceiveError::Store(NetError::AnswerTooLarge { limit }) if limit == MIB as u64
            ),
            "{h:?}: {e:?}"
        );
        assert_eq!(e.code(), "answer_too_large");
        let en = e.message(Lang::En);
        assert!(
            en.contains("1048576 bytes") && en.contains("stopped reading"),
            "{en}"
        );
        assert!(e.message(Lang::Ms).contains("berhenti membacanya"));
        let grown = peak_rss().saturating_sub(start);
        assert!(
            grown < MEMORY_BOUND,
            "{h:?}: the peak RSS grew by {} MiB",
            grown >> 20
        );
    }
    // An endless error page is not the store's JSON error: reported by its status, without
    // reading it to the end (there is none).
    let e = lookup(&store, Hostile::EndlessError).await;
    assert!(
        matches!(e, ReceiveError::Store(NetError::Http { status: 500 })),
        "{e:?}"
    );
    let grown = peak_rss().saturating_sub(start);
    assert!(grown < MEMORY_BOUND, "grew by {} MiB", grown >> 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_in_a_store_message_never_reach_the_message() {
    let store = hostile_store().await;
    let e = lookup(&store, Hostile::Escapes).await;
    assert_eq!(e.code(), "bad_request", "{e:?}");
    for (name, value) in e.params() {
        assert!(
            !value.chars().any(kepil_core::text::is_hidden),
            "{name} = {value:?}"
        );
    }
    for lang in Lang::ALL {
        // The message as a face prints it, not cleaned again here: the store's text is in it
        // (so this can fail), with every escape spelled out instead of acting.
        let shown = e.message(lang);
        assert!(
            shown.contains("<U+001B>[2J") && shown.contains("Verified sender: boss"),
            "{shown:?}"
        );
        assert!(
            !shown
                .chars()
                .any(|c| c.is_control() || kepil_core::text::is_hidden(c)),
            "{shown:?}"
        );
    }
}

/// `KEPIL_RETRY_BASE_MS` is read by the client from its environment, which a test cannot
/// change without `unsafe`: the test runs itself again as a child with a short back-off.
const CHILD: &str = "KEPIL_HOSTILE_STORE_CHILD";

#[test]
fn endless_empty_blob_answers_end_in_a_bounded_error() {
    if std::env::var_os(CHILD).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "endless_empty_blob_answers_end_in_a_bounded_error",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD, "1")
            .env("KEPIL_RETRY_BASE_MS", "5")
            .output()
            .unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{shown}");
        // The child really ran the test (a filter that matches nothing also succeeds).
        assert!(shown.contains("1 passed"), "{shown}");
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(empty_blob_answers());
}

async fn empty_blob_answers() {
    let requests = Arc::new(AtomicUsize::new(0));
    let store = hostile_store_counting(requests.clone()).await;
    let link = link(&store, Hostile::EmptyBlob);
    let progress: ProgressFn = Arc::new(|_| {});
    let unlocked = receive::unlock(&link, None, &progress)
        .await
        .expect("the hostile store's grant opens");
    let opened = tokio::time::timeout(
        Duration::from_secs(60),
        unlocked.open(progress.clone(), Cancel::new()),
    )
    .await
    .expect("the client kept asking for the blob for a minute");
    let e = opened.expect_err("a blob that never comes was accepted");
    assert!(
        matches!(&e, ReceiveError::Network(NetError::Protocol(why)) if why.contains("without sending anything")),
        "{e:?}"
    );
    let asked = requests.load(Ordering::SeqCst);
    assert!(
        (2..=8).contains(&asked),
        "the blob was asked for {asked} times"
    );
    // Gave up for good: no request after the error.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(requests.load(Ordering::SeqCst), asked);
    for lang in Lang::ALL {
        let message = e.message(lang);
        assert!(!message.is_empty() && !message.contains('{'), "{message}");
    }
}
