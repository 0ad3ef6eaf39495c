//! Load driver for bench/store-load.sh: N concurrent uploads of SIZE bytes, then N concurrent
//! challenge + proof + download, then 100 sequential proofs and a burst of 100 concurrent
//! ones. Prints throughput, proof latency percentiles and (given the stores' pids) each
//! store's peak RSS.
//!
//! usage: load BASE_URL[,BASE_URL...] UPLOADER_TOKEN [N=100] [SIZE_MIB=10] [PID[,PID...]]
//!
//! With several instances behind one shared backend, request i goes to instance i mod k
//! and each transfer is created on one instance, uploaded through the next and proved and
//! downloaded through the one after, the way a load balancer without affinity spreads them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use kepil_protocol::{
    BlobChecksum, Challenge, Classification, CreateTransfer, DownloadGrant, GrantSpec, KdfParams,
    Proof, TransferCreated, b64_decode, b64_encode, paths, tus,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn mac(key: &[u8; 32], nonce: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(&b64_decode(nonce).expect("nonce is base64url"));
    b64_encode(&m.finalize().into_bytes())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn create(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    size: u64,
    key: &[u8; 32],
    max: u32,
) -> Res<TransferCreated> {
    let r = http
        .post(format!("{base}{}", paths::TRANSFERS))
        .bearer_auth(token)
        .json(&CreateTransfer {
            transfer_id: kepil_store::ids::new_id(),
            classification: Classification::Terhad,
            size,
            expires_in_secs: 3600,
            grants: vec![GrantSpec {
                label: "bench@agensi.gov.my".into(),
                auth_key: b64_encode(key),
                kdf: KdfParams::DEFAULT,
                max_downloads: Some(max),
                // As an older client creates it: the link check would add one HMAC.
                link_key: None,
                open_key: None,
            }],
        })
        .send()
        .await?;
    if r.status() != 201 {
        return Err(format!("create: {} {}", r.status(), r.text().await?).into());
    }
    Ok(r.json().await?)
}

async fn prove(
    http: &reqwest::Client,
    base: &str,
    grant: &str,
    key: &[u8; 32],
) -> Res<(DownloadGrant, Duration)> {
    let c: Challenge = http
        .post(format!("{base}{}", paths::challenge(grant)))
        .send()
        .await?
        .json()
        .await?;
    let started = Instant::now();
    let r = http
        .post(format!("{base}{}", paths::proof(grant)))
        .json(&Proof {
            mac: mac(key, &c.nonce),
            link_mac: None,
            nonce: c.nonce,
        })
        .send()
        .await?;
    let status = r.status();
    let body = r.bytes().await?;
    let took = started.elapsed();
    if status != 200 {
        return Err(format!("proof: {status} {}", String::from_utf8_lossy(&body)).into());
    }
    Ok((serde_json::from_slice(&body)?, took))
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let bases: Vec<String> = args
        .get(1)
        .ok_or("BASE_URL")?
        .split(',')
        .map(|b| b.trim_end_matches('/').to_string())
        .collect();
    let at = |i: usize| bases[i % bases.len()].clone();
    let token = args.get(2).ok_or("UPLOADER_TOKEN")?.clone();
    let n: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(100);
    let size_mib: u64 = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(10);
    let pids: Vec<u32> = match args.get(5) {
        Some(list) => list
            .split(',')
            .map(|p| p.parse())
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let size = size_mib << 20;

    let mut data = vec![0u8; size as usize];
    rand::thread_rng().fill_bytes(&mut data);
    let data = bytes::Bytes::from(data);
    let digest = Sha256::digest(&data);
    let sha = checksum_of(&data);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(n)
        .build()?;

    let mut keys = Vec::new();
    let mut transfers = Vec::new();
    for i in 0..n {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        transfers.push(create(&http, &at(i), &token, size, &key, 1).await?);
        keys.push(key);
    }

    // Uploads
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, t) in transfers.iter().enumerate() {
        // The upload URL names the instance that created it; send it through the next one.
        let url = format!("{}{}", at(i + 1), paths::upload(&t.transfer_id));
        let (http, url, token, data, sha) =
            (http.clone(), url, token.clone(), data.clone(), sha.clone());
        tasks.push(tokio::spawn(async move {
            let t0 = Instant::now();
            let r = http
                .patch(url)
                .bearer_auth(token)
                .header(tus::TUS_RESUMABLE, tus::VERSION)
                .header("content-type", tus::OFFSET_CONTENT_TYPE)
                .header(tus::UPLOAD_OFFSET, "0")
                .header(tus::KEPIL_BLOB_CRC64, sha)
                .body(data)
                .send()
                .await?;
            if r.status() != 204 {
                return Err(format!("upload: {} {}", r.status(), r.text().await?).into());
            }
            Res::Ok(t0.elapsed())
        }));
    }
    let mut up_lat = Vec::new();
    for t in tasks {
        up_lat.push(t.await??);
    }
    let up = started.elapsed();
    up_lat.sort();

    // Downloads: challenge + proof + GET, verified.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (t, key)) in transfers.iter().zip(&keys).enumerate() {
        let (http, base, grant, key) =
            (http.clone(), at(i + 2), t.grants[0].grant_id.clone(), *key);
        tasks.push(tokio::spawn(async move {
            let (dl, proof_took) = prove(&http, &base, &grant, &key).await?;
            let body = http
                .get(format!("{base}{}", paths::blob(&grant)))
                .bearer_auth(&dl.download_token)
                .send()
                .await?
                .bytes()
                .await?;
            Res::Ok((proof_took, Sha256::digest(&body)))
        }));
    }
    let mut proof_lat = Vec::new();
    for t in tasks {
        let (took, got) = t.await??;
        if got != digest {
            return Err("downloaded blob differs".into());
        }
        proof_lat.push(took);
    }
    let down = started.elapsed();

    // Proof-only phase: 20 grants x 10 downloads.
    let mut burst = Vec::new();
    let small = bytes::Bytes::from_static(b"0123456789abcdef");
    let small_sha = checksum_of(&small);
    for _ in 0..20 {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        let t = create(&http, &at(0), &token, small.len() as u64, &key, 10).await?;
        http.patch(&t.upload_url)
            .bearer_auth(&token)
            .header(tus::TUS_RESUMABLE, tus::VERSION)
            .header("content-type", tus::OFFSET_CONTENT_TYPE)
            .header(tus::UPLOAD_OFFSET, "0")
            .header(tus::KEPIL_BLOB_CRC64, &small_sha)
            .body(small.clone())
            .send()
            .await?;
        for _ in 0..10 {
            burst.push((t.grants[0].grant_id.clone(), key));
        }
    }
    // 100 sequential proofs first (latency without queueing), then 100 at once.
    let mut seq_lat = Vec::new();
    for (i, (g, k)) in burst.drain(..100).enumerate() {
        seq_lat.push(prove(&http, &at(i), &g, &k).await?.1);
    }
    seq_lat.sort();
    let http2 = Arc::new(http.clone());
    let tasks: Vec<_> = burst
        .into_iter()
        .enumerate()
        .map(|(i, (g, k))| {
            let (http, base) = (http2.clone(), at(i));
            tokio::spawn(async move { prove(&http, &base, &g, &k).await.map(|(_, d)| d) })
        })
        .collect();
    for t in tasks {
        proof_lat.push(t.await??);
    }
    proof_lat.sort();

    let total_mib = (n as u64 * size) as f64 / (1 << 20) as f64;
    println!(
        "uploads:   {n} x {size_mib} MiB in {:.2} s = {:.0} MiB/s (per-upload p50 {:.0} ms, p99 {:.0} ms)",
        up.as_secs_f64(),
        total_mib / up.as_secs_f64(),
        pct(&up_lat, 0.5).as_secs_f64() * 1e3,
        pct(&up_lat, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "downloads: {n} x {size_mib} MiB (proof + GET, verified) in {:.2} s = {:.0} MiB/s",
        down.as_secs_f64(),
        total_mib / down.as_secs_f64()
    );
    println!(
        "proofs:    {} concurrent (100 beside the downloads, 100 in one burst): p50 {:.2} ms, p99 {:.2} ms",
        proof_lat.len(),
        pct(&proof_lat, 0.5).as_secs_f64() * 1e3,
        pct(&proof_lat, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "proofs:    {} sequential: p50 {:.2} ms, p99 {:.2} ms",
        seq_lat.len(),
        pct(&seq_lat, 0.5).as_secs_f64() * 1e3,
        pct(&seq_lat, 0.99).as_secs_f64() * 1e3
    );
    for (i, pid) in pids.iter().enumerate() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("store {} {line}", bases.get(i).map_or("?", String::as_str));
        }
    }
    Ok(())
}

fn checksum_of(data: &[u8]) -> String {
    let mut c = BlobChecksum::new();
    c.update(data);
    BlobChecksum::encode(c.value())
}
