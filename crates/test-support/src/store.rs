//! A real store on 127.0.0.1:0 driven over real HTTP with reqwest, in-process or (`remote`)
//! in another process.

use hmac::{Hmac, Mac};
use kepil_protocol::{
    ApiError, Classification, CreateTransfer, DownloadGrant, ErrorCode, GrantSpec, KdfParams,
    TransferCreated, b64_encode, paths, tus,
};
use kepil_store::{Config, RunningServer, Server};
use rand::RngCore;
use reqwest::{Response, StatusCode};
use sha2::Sha256;

/// A store serving on loopback from a temporary data directory, with an uploader token.
pub struct Store {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub token: String,
    pub http: reqwest::Client,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.server.base_url())
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

pub fn test_config(dir: &std::path::Path) -> Config {
    let mut c = Config::for_data_dir(dir);
    c.proof_rate_per_minute = 100_000;
    c
}

pub async fn start() -> Store {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Store {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    tweak(&mut config);
    let token = kepil_store::admin::create_token(&config, "pengirim@agensi.gov.my")
        .await
        .unwrap();
    let server = Server::bind(config).await.unwrap();
    Store {
        server,
        dir,
        token,
        http: reqwest::Client::new(),
    }
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut v);
    v
}

pub fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut k);
    k
}

pub fn mac(key: &[u8; 32], nonce_b64: &str) -> String {
    let nonce = kepil_protocol::b64_decode(nonce_b64).unwrap();
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(&nonce);
    b64_encode(&m.finalize().into_bytes())
}

/// The whole-blob checksum header's value for `data`.
pub fn checksum_b64url(data: &[u8]) -> String {
    let mut c = kepil_protocol::BlobChecksum::new();
    c.update(data);
    kepil_protocol::BlobChecksum::encode(c.value())
}

/// The link key of every grant the helpers here create (a real client derives one per grant
/// from its link secret, `kepil_core::kdf::derive_link_key`). The helpers' proofs carry a
/// valid MAC by it, so a proof with a wrong `auth_key` is a wrong password from someone who
/// holds the link; tests of callers without the link send their own `link_mac`.
pub const LINK_KEY: [u8; 32] = [0x4c; 32];

/// The open key of every grant the helpers here create (`kepil_core::kdf::derive_open_key`
/// in a real client): [`Store::open_info`] reads a grant's facts with it.
pub const OPEN_KEY: [u8; 32] = [0x6f; 32];

/// A grant as a current client creates it: `key` as its auth key, [`LINK_KEY`] and
/// [`OPEN_KEY`].
pub fn spec(key: &[u8; 32], max_downloads: Option<u32>) -> GrantSpec {
    GrantSpec {
        link_key: Some(b64_encode(&LINK_KEY)),
        open_key: Some(b64_encode(&OPEN_KEY)),
        ..spec_without_link_key(key, max_downloads)
    }
}

/// A grant as a client from before link keys creates it.
pub fn spec_without_link_key(key: &[u8; 32], max_downloads: Option<u32>) -> GrantSpec {
    GrantSpec {
        label: "penerima@agensi.gov.my".into(),
        auth_key: b64_encode(key),
        kdf: KdfParams::DEFAULT,
        max_downloads,
        link_key: None,
        open_key: None,
    }
}

/// The `link_mac` of a proof for `nonce` by someone who holds the link ([`LINK_KEY`]).
pub fn link_mac(nonce_b64: &str) -> Option<String> {
    Some(mac(&LINK_KEY, nonce_b64))
}

/// The JSON body of a successful answer; panics with the body otherwise.
pub async fn ok_json<T: serde::de::DeserializeOwned>(r: Response) -> T {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub async fn error_of(r: Response) -> (StatusCode, ApiError) {
    let status = r.status();
    let body = r.text().await.unwrap();
    let err: ApiError =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an ApiError ({e}): {body}"));
    assert_eq!(
        status.as_u16(),
        err.code.http_status(),
        "status matches code for {body}"
    );
    (status, err)
}

pub async fn expect_code(r: Response, code: ErrorCode) -> ApiError {
    let (_, err) = error_of(r).await;
    assert_eq!(err.code, code, "{err:?}");
    err
}

/// A created transfer with one key per grant.
#[derive(Debug)]
pub struct Transfer {
    pub created: TransferCreated,
    pub keys: Vec<[u8; 32]>,
}

impl Transfer {
    pub fn id(&self) -> &str {
        &self.created.transfer_id
    }
    pub fn grant(&self, i: usize) -> &str {
        &self.created.grants[i].grant_id
    }
}

impl Store {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.base_url(), path)
    }

    /// `GET path` (with `bearer`, if any), expecting 200 and a JSON body.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
    ) -> T {
        let mut req = self.http.get(self.url(path));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        ok_json(req.send().await.unwrap()).await
    }

    /// `POST path` with a JSON body and `bearer`, expecting a 2xx JSON answer.
    pub async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        bearer: &str,
        body: &serde_json::Value,
    ) -> T {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(bearer)
            .json(body)
            .send()
            .await
            .unwrap();
        ok_json(r).await
    }

    /// `POST open` with `open_mac` over a fresh challenge's nonce.
    pub async fn open_with(&self, grant: &str, key: &[u8; 32]) -> Response {
        let r = self.challenge(grant).await;
        assert_eq!(r.status(), StatusCode::OK, "challenge");
        let nonce = r.json::<kepil_protocol::Challenge>().await.unwrap().nonce;
        self.http
            .post(self.url(&paths::open(grant)))
            .json(&kepil_protocol::OpenGrant {
                open_mac: mac(key, &nonce),
                nonce,
            })
            .send()
            .await
            .unwrap()
    }

    /// A grant's facts as the holder of its link reads them ([`OPEN_KEY`]).
    pub async fn open_info(&self, grant: &str) -> kepil_protocol::GrantInfo {
        ok_json(self.open_with(grant, &OPEN_KEY).await).await
    }

    pub async fn post_transfer(&self, req: &CreateTransfer) -> Response {
        self.http
            .post(self.url(paths::TRANSFERS))
            .bearer_auth(&self.token)
            .json(req)
            .send()
            .await
            .unwrap()
    }

    /// A valid create-transfer request (TERHAD, an hour) whose keys nobody keeps: for tests of
    /// who may create, not of what follows.
    pub fn create_request(&self, size: u64, grants: usize) -> CreateTransfer {
        CreateTransfer {
            transfer_id: kepil_store::ids::new_id(),
            classification: Classification::Terhad,
            size,
            expires_in_secs: 3600,
            grants: (0..grants).map(|_| spec(&random_key(), None)).collect(),
        }
    }

    pub async fn create(&self, size: u64, grants: usize, max_downloads: Option<u32>) -> Transfer {
        self.create_with(Classification::Terhad, size, 3600, grants, max_downloads)
            .await
    }

    pub async fn create_with(
        &self,
        classification: Classification,
        size: u64,
        expires_in_secs: u64,
        grants: usize,
        max_downloads: Option<u32>,
    ) -> Transfer {
        let keys: Vec<[u8; 32]> = (0..grants).map(|_| random_key()).collect();
        let req = CreateTransfer {
            transfer_id: kepil_store::ids::new_id(),
            classification,
            size,
            expires_in_secs,
            grants: keys.iter().map(|k| spec(k, max_downloads)).collect(),
        };
        let r = self.post_transfer(&req).await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        Transfer {
            created: r.json().await.unwrap(),
            keys,
        }
    }

    pub async fn patch(
        &self,
        tid: &str,
        offset: u64,
        data: Vec<u8>,
        extra: &[(&str, String)],
    ) -> Response {
        let mut req = self
            .http
            .patch(self.url(&paths::upload(tid)))
            .bearer_auth(&self.token)
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .header("content-type", tus::OFFSET_CONTENT_TYPE)
            .header(tus::UPLOAD_OFFSET, offset.to_string());
        for (k, v) in extra {
            req = req.header(*k, v);
        }
        req.body(data).send().await.unwrap()
    }

    pub async fn head_offset(&self, tid: &str) -> u64 {
        let r = self
            .http
            .head(self.url(&paths::upload(tid)))
            .bearer_auth(&self.token)
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.headers()[tus::UPLOAD_OFFSET]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// One PATCH with the whole blob and its hash; asserts completion.
    pub async fn upload(&self, tid: &str, data: &[u8]) {
        let r = self
            .patch(
                tid,
                0,
                data.to_vec(),
                &[(tus::KEPIL_BLOB_CRC64, checksum_b64url(data))],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::NO_CONTENT,
            "{}",
            r.text().await.unwrap()
        );
    }

    pub async fn challenge(&self, grant: &str) -> Response {
        self.http
            .post(self.url(&paths::challenge(grant)))
            .send()
            .await
            .unwrap()
    }

    pub async fn nonce(&self, grant: &str) -> String {
        let r = self.challenge(grant).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<kepil_protocol::Challenge>().await.unwrap().nonce
    }

    /// A proof by someone who holds the link (a valid link MAC) with `mac` for the password.
    pub async fn proof_with(&self, grant: &str, nonce: &str, mac: String) -> Response {
        self.send_proof(
            grant,
            &kepil_protocol::Proof {
                nonce: nonce.to_string(),
                mac,
                link_mac: link_mac(nonce),
            },
        )
        .await
    }

    /// `POST` of exactly `proof`.
    pub async fn send_proof(&self, grant: &str, proof: &kepil_protocol::Proof) -> Response {
        self.http
            .post(self.url(&paths::proof(grant)))
            .json(proof)
            .send()
            .await
            .unwrap()
    }

    /// challenge + proof with `key`.
    pub async fn prove(&self, grant: &str, key: &[u8; 32]) -> Response {
        let nonce = self.nonce(grant).await;
        self.proof_with(grant, &nonce, mac(key, &nonce)).await
    }

    pub async fn prove_ok(&self, grant: &str, key: &[u8; 32]) -> DownloadGrant {
        let r = self.prove(grant, key).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    pub async fn get_blob(&self, grant: &str, token: &str, range: Option<&str>) -> Response {
        let mut req = self
            .http
            .get(self.url(&paths::blob(grant)))
            .bearer_auth(token);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send().await.unwrap()
    }

    pub async fn status(&self, t: &Transfer) -> Response {
        self.http
            .get(self.url(&paths::transfer(t.id())))
            .bearer_auth(&t.created.owner_token)
            .send()
            .await
            .unwrap()
    }

    pub async fn status_ok(&self, t: &Transfer) -> kepil_protocol::TransferStatus {
        let r = self.status(t).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    pub async fn events(&self, tid: &str) -> Vec<String> {
        self.server
            .audit_events(Some(tid))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }
}

/// A request body fed from a channel, so a test can stop sending mid-body.
pub fn channel_body() -> (tokio::sync::mpsc::Sender<Vec<u8>>, reqwest::Body) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    });
    (tx, reqwest::Body::wrap_stream(stream))
}

pub use crate::process::spawn_serving;

impl Store {
    /// Stops the server and starts it again on the same data directory with `config`.
    pub async fn restart(self, config: Config) -> Store {
        let Store {
            server,
            dir,
            token,
            http,
        } = self;
        server.shutdown().await;
        Store {
            server: Server::bind(config).await.unwrap(),
            dir,
            token,
            http,
        }
    }
}

/// Helpers for a store reached only by its base URL (separate processes).
pub mod remote {
    use kepil_protocol::{
        Challenge, Classification, CreateTransfer, DownloadGrant, Proof, TransferCreated, paths,
        tus,
    };
    use reqwest::StatusCode;

    /// A SULIT transfer with one grant per key.
    pub async fn create(
        http: &reqwest::Client,
        base: &str,
        token: &str,
        size: u64,
        keys: &[[u8; 32]],
        max_downloads: Option<u32>,
    ) -> TransferCreated {
        let r = http
            .post(format!("{base}{}", paths::TRANSFERS))
            .bearer_auth(token)
            .json(&CreateTransfer {
                transfer_id: kepil_store::ids::new_id(),
                classification: Classification::Sulit,
                size,
                expires_in_secs: 3600,
                grants: keys.iter().map(|k| super::spec(k, max_downloads)).collect(),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub fn patch(
        http: &reqwest::Client,
        base: &str,
        token: &str,
        tid: &str,
        offset: u64,
    ) -> reqwest::RequestBuilder {
        http.patch(format!("{base}{}", paths::upload(tid)))
            .bearer_auth(token)
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .header("content-type", tus::OFFSET_CONTENT_TYPE)
            .header(tus::UPLOAD_OFFSET, offset.to_string())
    }

    pub async fn offset(http: &reqwest::Client, base: &str, token: &str, tid: &str) -> u64 {
        let r = http
            .head(format!("{base}{}", paths::upload(tid)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.headers()[tus::UPLOAD_OFFSET]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    pub async fn prove(
        http: &reqwest::Client,
        base: &str,
        grant: &str,
        key: &[u8; 32],
    ) -> reqwest::Response {
        let c: Challenge = http
            .post(format!("{base}{}", paths::challenge(grant)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        http.post(format!("{base}{}", paths::proof(grant)))
            .json(&Proof {
                mac: super::mac(key, &c.nonce),
                link_mac: super::link_mac(&c.nonce),
                nonce: c.nonce,
            })
            .send()
            .await
            .unwrap()
    }

    pub async fn download(
        http: &reqwest::Client,
        base: &str,
        grant: &str,
        key: &[u8; 32],
    ) -> Vec<u8> {
        let r = prove(http, base, grant, key).await;
        assert_eq!(r.status(), StatusCode::OK);
        let dl: DownloadGrant = r.json().await.unwrap();
        let r = http
            .get(format!("{base}{}", paths::blob(grant)))
            .bearer_auth(&dl.download_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.bytes().await.unwrap().to_vec()
    }
}
