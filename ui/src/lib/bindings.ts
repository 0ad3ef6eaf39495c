// Generated from src-tauri (crate kepil-app) by ts-rs: do not edit. Regenerate with
// `KEPIL_BLESS=1 cargo test -p kepil-app --test ipc_contract`; see docs/app.md.

/** Every command the webview may call (src-tauri/src/commands/list.rs). */
export const COMMANDS = [
  'app_state',
  'settings_save',
  'token_save',
  'ui_ready',
  'sign_in_start',
  'sign_in_cancel',
  'sign_out',
  'account_transfers',
  'account_revoke',
  'pick_files',
  'add_dropped',
  'remove_file',
  'check_classification',
  'send_start',
  'send_cancel',
  'interrupted_list',
  'interrupted_resume',
  'interrupted_discard',
  'reveal_password',
  'password_qr',
  'copy_password',
  'copy_link',
  'compose_email',
  'send_sms',
  'delivery_mark',
  'handover_show',
  'receive_open',
  'receive_unlock',
  'pick_folder',
  'receive_save',
  'receive_cancel',
  'open_folder',
  'history_list',
  'history_status',
  'history_revoke',
  'history_unlock',
] as const;

export type Command = (typeof COMMANDS)[number];

export type Lang = "ms" | "en";

export type UiError = { code: string, params: { [key in string]: string }, };

export type StoreState = { url: string | null, local: boolean, locked: boolean, };

export type Policy = { classifications: Array<string>, maxExpirySecs: { [key in string]: number }, defaultExpirySecs: { [key in string]: number }, maxDownloads: number, defaultMaxDownloads: number, maxBlobSize: number, smsEnabled: boolean, };

export type SecretsView = { keyring: boolean, 
/**
 * Why some secret is in the file: `forced`, `no_keyring`, `unanswered`, `refused`;
 * `None` when the file holds nothing.
 */
fileReason: string | null, file: string, 
/**
 * The keyring has not answered yet (an unlock prompt may be waiting).
 */
waiting: boolean, };

export type Provider = { id: string, displayName: string, };

export type Session = { email: string, name: string | null, 
/**
 * The store's id of the provider.
 */
providerId: string, 
/**
 * Its display name (the id when the store cannot be asked).
 */
provider: string, 
/**
 * When the store session runs out (RFC 3339); renewed before that when `renewable`.
 */
expiresAt: string, 
/**
 * A refresh token is kept, so the session renews itself while the provider allows.
 */
renewable: boolean, };

export type Account = { 
/**
 * The store's identity providers; empty: the store takes machine tokens only (or cannot be
 * reached).
 */
providers: Array<Provider>, 
/**
 * The store takes files only from signed-in people (`sign_in_required`).
 */
storeRequires: boolean, 
/**
 * This desktop's system policy requires sign-in (no machine token here).
 */
policyRequires: boolean, 
/**
 * The provider id this desktop's system policy signs in with.
 */
lockedProvider: string | null, session: Session | null, };

export type AppState = { lang: Lang, 
/**
 * Where the link's email is composed.
 */
mail: "system" | "gmail" | "outlook", store: StoreState, 
/**
 * A machine token is there for the store (never where the system policy requires
 * sign-in).
 */
tokenSet: boolean, 
/**
 * Where this computer's tokens and sessions are kept.
 */
secrets: SecretsView, 
/**
 * The token field is locked: the local store's token is the app's, and a desktop that
 * requires sign-in takes none.
 */
tokenLocked: boolean, 
/**
 * Sign-in with the store's identity providers, and who is signed in.
 */
account: Account, 
/**
 * `None` when the store cannot be reached (`store_error` says why).
 */
policy: Policy | null, storeError: UiError | null, locked: Array<string>, pendingLink: string | null, };

export type SettingsRequest = { 
/**
 * `""` clears the store (back to the local store, when allowed).
 */
storeUrl?: string, lang?: Lang, 
/**
 * `system`, `gmail` or `outlook`.
 */
mail?: string, };

export type PickedFile = { id: string, name: string, size: number, };

export type ClassificationCheck = { classification: string, requiresPassword: boolean, };

export type Recipient = { email: string, phone?: string, };

export type SendRequest = { fileIds: Array<string>, classification: string, recipients: Array<Recipient>, expiresSecs?: number, maxDownloads?: number, subject: string, message: string, 
/**
 * Signed in: a display name to seal with the signed-in address (`Name <address>`); the
 * address itself is never the webview's to choose. Ignored otherwise.
 */
senderName?: string, };

export type ScanView = { 
/**
 * `ClamAV 1.4.6` (a sender's text, its hidden characters written out).
 */
engine: string, signatures: number | null, signaturesDate: string | null, scannedAt: string | null, };

export type LocalScanView = { scanner: ScanView | null, reason: UiError | null, };

export type DeliveryView = { linkSent: boolean, passwordGiven: boolean, };

export type SentRecipient = { index: number, recipient: string, phone: string | null, link: string, hasPassword: boolean, 
/**
 * What the sender has ticked as handed over.
 */
delivery: DeliveryView, };

export type SendDone = { jobId: string, transferId: string, expiresAt: string, local: boolean, recipients: Array<SentRecipient>, 
/**
 * The scan sealed in the package (every file clean); `null`: not scanned.
 */
scan: ScanView | null, 
/**
 * Why the links and passwords are kept only until the app closes (no keyring, or it
 * refused); `null`: the keyring keeps them until they are handed over (History).
 */
notKept: UiError | null, };

export type Interrupted = { transferId: string, classification: string, subject: string, files: Array<string>, recipients: Array<string>, 
/**
 * Ciphertext length.
 */
size: number, expiresAt: string, };

export type Progress = { jobId: string, phase: string, done: number, total: number, bytesPerSec: number, etaSecs: number | null, };

export type JobFailed = { jobId: string, error: UiError, };

export type JobEvent<D> = { "event": "progress", "data": Progress } | { "event": "done", "data": D } | { "event": "failed", "data": JobFailed };

export type StoreTrust = { 
/**
 * `host[:port]` in ASCII: punycode (`xn--…`) for an internationalised name.
 */
host: string, 
/**
 * The policy's name for it.
 */
name: string | null, idn: boolean, 
/**
 * `trusted` (the policy's or the person's own store), `local` (this computer's), or
 * `confirmed` (another store the person confirmed this session).
 */
standing: "trusted" | "local" | "confirmed", };

export type ReceiveInfo = { grantId: string, classification: string, size: number, expiresAt: string, store: string, 
/**
 * The link's store is this computer's local store.
 */
local: boolean, requiresPassword: boolean, 
/**
 * The store as a person recognises it, and why it was contacted.
 */
storeView: StoreTrust, };

export type ManifestFile = { 
/**
 * The name in the package, the sender's: for the save itself.
 */
name: string, 
/**
 * The name as it will be saved (sanitised), its bidirectional and invisible characters
 * written out as `<U+XXXX>`: what the screen shows.
 */
shown: string, size: number, 
/**
 * `program`, `macro` or `disk_image` when opening it can run code.
 */
danger: "program" | "macro" | "disk_image" | null, };

export type Manifest = { 
/**
 * What to handle the files as: the higher of the sealed and the store's classification.
 */
classification: string, 
/**
 * The package's claim, shown with its hidden characters written out.
 */
sender: string, subject: string, message: string, createdAt: string, expiresAt: string, files: Array<ManifestFile>, 
/**
 * What the sender's Kepil sealed about its scan (the sender's word); `null`: the sender
 * did not scan.
 */
senderScan: ScanView | null, };

export type VerifiedSender = { email: string, name: string | null, 
/**
 * The account of a service (machine) token, not a person who signed in.
 */
serviceToken: boolean, };

export type Trust = { 
/**
 * The store that vouches, as `host` or `host:port`.
 */
store: string, 
/**
 * `None`: the store did not say who uploaded; the sender is only the package's claim.
 */
verifiedSender: VerifiedSender | null, senderCheck: "matches" | "differs" | "unverified", sealedClassification: string, declaredClassification: string, };

export type Unlocked = { jobId: string, downloadsLeft: number, manifest: Manifest, trust: Trust, 
/**
 * What the recipient should weigh before saving (`sender_differs`, `sender_unverified`,
 * `classification_differs`, `dangerous_file`), as `{code, params}` for the catalogue.
 */
warnings: Array<UiError>, 
/**
 * Whether this computer scans the files before they are saved.
 */
localScan: LocalScanView, };

export type PickedFolder = { id: string, path: string, };

export type ReceiveDone = { jobId: string, 
/**
 * For `open_folder`.
 */
folderId: string, 
/**
 * Shown to the person.
 */
folder: string, files: Array<ManifestFile>, };

export type HistoryRecipient = { label: string, grantId: string, delivery: DeliveryView, };

export type HistoryItem = { transferId: string, store: string, createdAt: string, expiresAt: string, classification: string, size: number, recipients: Array<HistoryRecipient>, 
/**
 * Local to this computer, as the files' names: what tells transfers apart.
 */
subject: string, files: Array<string>, 
/**
 * The keyring still keeps links and passwords to hand over (`handover_show`).
 */
handover: boolean, };

export type SignInStarted = { jobId: string, 
/**
 * The provider's display name.
 */
provider: string, 
/**
 * The authorization URL. It carries the PKCE challenge, state and nonce, none of which
 * lets anyone else finish this sign-in, so it may be shown and copied.
 */
url: string, 
/**
 * `false` when no browser could be started: the person opens `url` themselves.
 */
browserOpened: boolean, };

export type SignedOutView = { 
/**
 * Who was signed in; `None` when nobody was.
 */
email: string | null, 
/**
 * Why the store could not be told (its session then lasts until it expires there); the
 * session and the refresh token are forgotten here all the same.
 */
storeError: UiError | null, };

export type AccountTransfer = { transferId: string, sender: string, classification: string, size: number, createdAt: string, expiresAt: string, uploadComplete: boolean, grants: number, downloads: number, 
/**
 * Sent from this computer (it is in the local history too).
 */
here: boolean, };

export type TransferStatus = { transfer_id: string, classification: string, size: number, created_at: string, expires_at: string, upload_complete: boolean, expired: boolean, grants: Array<GrantStatus>, };

export type GrantStatus = { grant_id: string, label: string, downloads: number, max_downloads: number, 
/**
 * Consecutive failed proofs (reset by a valid one).
 */
failed_proofs: number, locked: boolean, revoked: boolean, };

export type DeepLinkPayload = { link: string, };
