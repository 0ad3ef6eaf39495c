//! `GET /t/{id}`: the page a browser reaches from an emailed link. The same bytes for every
//! id (no lookup, so it cannot be used to probe ids). Its script reads `location.hash`,
//! which browsers never send, and builds the `kepil://` deep link from it.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1a1a1a}\
h1{font-size:1.4em}section{margin-bottom:2em}\
a.btn{display:inline-block;padding:.7em 1.2em;background:#0b4f8a;color:#fff;border-radius:.3em;text-decoration:none;font-weight:600}\
.warn{color:#8a1c0b}";

const SCRIPT: &str = r#"(function(){
var path=location.pathname,hash=location.hash.slice(1);
var i=path.toLowerCase().indexOf('%23');
if(!hash&&i>=0){hash=path.slice(i+3);path=path.slice(0,i);}
var m=path.match(/^(.*)\/t\/([A-Za-z0-9_-]+)\/?$/);
var btn=document.getElementById('open');
if(!m||!hash){document.getElementById('incomplete').hidden=false;btn.hidden=true;return;}
var scheme=location.protocol==='http:'?'http/':'';
btn.href='kepil://'+scheme+location.host+m[1]+'/t/'+m[2]+'#'+hash;
})();"#;

fn csp_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

static PAGE: LazyLock<(String, String)> = LazyLock::new(|| {
    let html = format!(
        r##"<!doctype html>
<html lang="ms"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>Kepil — lampiran selamat / secure attachment</title>
<style>{STYLE}</style></head>
<body>
<section lang="ms">
<h1>Buka pautan ini dalam aplikasi Kepil</h1>
<p>Pautan ini ialah lampiran terperingkat yang disulitkan. Ia hanya boleh dibuka dalam aplikasi
Kepil, dengan kata laluan yang dihantar kepada anda melalui saluran lain (SMS atau telefon).
Jangan masukkan kata laluan dalam pelayar.</p>
<p><a id="open" class="btn" href="#">Buka dalam Kepil / Open in Kepil</a></p>
<p id="incomplete" class="warn" hidden>Pautan ini tidak lengkap (bahagian selepas “#” hilang).
Salin keseluruhan pautan daripada e-mel ke dalam Kepil. / This link is incomplete (the part
after “#” is missing). Copy the whole link from the email into Kepil.</p>
<p>Jika butang tidak berfungsi, buka Kepil dan tampal keseluruhan pautan daripada e-mel.</p>
</section>
<section lang="en">
<h1>Open this link in the Kepil app</h1>
<p>This link is an encrypted classified attachment. It can only be opened in the Kepil app,
with the password sent to you by another channel (SMS or phone). Never type the password into
a browser.</p>
<p>If the button does not work, open Kepil and paste the whole link from the email.</p>
</section>
<script>{SCRIPT}</script>
</body></html>
"##
    );
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    );
    (html, csp)
});

pub async fn page() -> Response {
    let (html, csp) = &*PAGE;
    let mut r = html.clone().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The script and style exactly as hashed into the CSP (tests recompute the hashes).
pub fn inline_parts() -> (&'static str, &'static str) {
    (SCRIPT, STYLE)
}
