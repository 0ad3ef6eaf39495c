//! The append-only audit log: the `audit` table and `data_dir/audit.jsonl` (opened with
//! O_APPEND, one JSON object per line). Events carry ids, the client address and byte counts,
//! never a token, auth key, nonce, MAC, label or file name.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::storage::{AuditEvent, MetadataStore};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Created,
    UploadComplete,
    ProofOk,
    ProofFailed,
    /// A proof without a valid link MAC on a grant that has a link key: counted nothing.
    ProofNoLink,
    /// An open of a grant that has an open key without a valid MAC: told nothing.
    OpenNoLink,
    Locked,
    /// The owner gave a locked grant its tries back.
    Unlocked,
    TokenIssued,
    Downloaded,
    Revoked,
    Expired,
    Purged,
    Terminated,
    /// A person signed in and got a session.
    SignedIn,
    /// A sign-in was refused (the actor is the address the ID token claimed, if any).
    SignInRefused,
    /// A person ended their session.
    SignedOut,
    /// An administrator disabled or enabled an identity (the actor is the administrator).
    IdentityDisabled,
    IdentityEnabled,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Created => "created",
            Event::UploadComplete => "upload_complete",
            Event::ProofOk => "proof_ok",
            Event::ProofFailed => "proof_failed",
            Event::ProofNoLink => "proof_no_link",
            Event::OpenNoLink => "open_no_link",
            Event::Locked => "locked",
            Event::Unlocked => "unlocked",
            Event::TokenIssued => "token_issued",
            Event::Downloaded => "downloaded",
            Event::Revoked => "revoked",
            Event::Expired => "expired",
            Event::Purged => "purged",
            Event::Terminated => "terminated",
            Event::SignedIn => "signed_in",
            Event::SignInRefused => "sign_in_refused",
            Event::SignedOut => "signed_out",
            Event::IdentityDisabled => "identity_disabled",
            Event::IdentityEnabled => "identity_enabled",
        }
    }
}

type Pending = (AuditEvent, oneshot::Sender<()>);

/// Writes go through one task that commits whatever is queued as a single transaction and a
/// single file write (group commit): every caller still waits until its event is stored, but
/// 100 concurrent proofs cost a few fsyncs instead of 200.
#[derive(Debug, Clone)]
pub struct Audit {
    tx: mpsc::Sender<Pending>,
    clock: Clock,
}

const BATCH: usize = 512;

impl Audit {
    pub fn open(path: &Path, meta: Arc<dyn MetadataStore>, clock: Clock) -> std::io::Result<Self> {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = Arc::new(Mutex::new(options.open(path)?));
        let (tx, mut rx) = mpsc::channel::<Pending>(4096);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            // Ends when every sender (every clone of the state) is gone.
            while rx.recv_many(&mut batch, BATCH).await > 0 {
                let events: Vec<AuditEvent> = batch.iter().map(|(e, _)| e.clone()).collect();
                if let Err(err) = meta.append_audit(&events).await {
                    tracing::error!(error = %err, n = events.len(), "audit table write failed");
                }
                let mut lines = Vec::new();
                for e in &events {
                    if let Ok(line) = serde_json::to_vec(e) {
                        lines.extend_from_slice(&line);
                        lines.push(b'\n');
                    }
                }
                let file = file.clone();
                // One write call per batch so appends never interleave.
                let result = tokio::task::spawn_blocking(move || {
                    let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
                    f.write_all(&lines)
                })
                .await;
                if !matches!(result, Ok(Ok(()))) {
                    tracing::error!("audit file write failed");
                }
                for (_, done) in batch.drain(..) {
                    let _ = done.send(());
                }
            }
        });
        Ok(Audit { tx, clock })
    }

    /// Records an event in both places and returns once it is stored. Failures are logged,
    /// never answered: the request that caused the event already happened.
    pub async fn record(
        &self,
        event: Event,
        transfer_id: Option<&str>,
        grant_id: Option<&str>,
        client_ip: Option<&str>,
        bytes: Option<u64>,
    ) {
        self.record_by(None, event, transfer_id, grant_id, client_ip, bytes)
            .await
    }

    /// [`Audit::record`] naming who caused the event: the sender, the signed-in person, the
    /// administrator.
    pub async fn record_by(
        &self,
        actor: Option<&str>,
        event: Event,
        transfer_id: Option<&str>,
        grant_id: Option<&str>,
        client_ip: Option<&str>,
        bytes: Option<u64>,
    ) {
        self.append(AuditEvent {
            actor: actor.map(str::to_string),
            subject: None,
            at: self.clock.now(),
            event: event.as_str().to_string(),
            transfer_id: transfer_id.map(str::to_string),
            grant_id: grant_id.map(str::to_string),
            client_ip: client_ip.map(str::to_string),
            bytes,
        })
        .await
    }

    /// An administrator's `event` on the identity `subject`.
    pub async fn record_on(&self, actor: &str, event: Event, subject: &str, ip: Option<&str>) {
        self.append(AuditEvent {
            at: self.clock.now(),
            event: event.as_str().to_string(),
            transfer_id: None,
            grant_id: None,
            client_ip: ip.map(str::to_string),
            bytes: None,
            actor: Some(actor.to_string()),
            subject: Some(subject.to_string()),
        })
        .await
    }

    async fn append(&self, e: AuditEvent) {
        let event = e.event.clone();
        let (done, wait) = oneshot::channel();
        if self.tx.send((e, done)).await.is_err() {
            tracing::error!(%event, "audit writer gone");
            return;
        }
        let _ = wait.await;
    }
}
