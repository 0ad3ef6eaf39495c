// Typed wrappers over Tauri's `invoke`/`listen` for every command and event in docs/app.md.
// Every rejection is normalised to `UiError { code, params }` so the UI has one error shape.
// A job's progress and outcome come back on the `Channel` its command was called with.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type Lang = 'ms' | 'en';

export interface UiError {
  code: string;
  params: Record<string, string>;
}

export interface Policy {
  classifications: string[];
  maxExpirySecs: Record<string, number>;
  defaultExpirySecs: Record<string, number>;
  maxDownloads: number;
  defaultMaxDownloads: number;
  maxBlobSize: number;
  smsEnabled: boolean;
}

export interface AppState {
  lang: Lang;
  store: { url: string | null; local: boolean; locked: boolean };
  tokenSet: boolean;
  tokenLocked: boolean;
  /** null when the store cannot be reached; `storeError` says why. */
  policy: Policy | null;
  storeError?: UiError | null;
  locked: string[];
  pendingLink?: string | null;
}

export interface PickedFile {
  id: string;
  name: string;
  size: number;
}

export interface ClassificationCheck {
  classification: string;
  requiresPassword: boolean;
}

export interface Recipient {
  email: string;
  phone?: string;
}

export interface SendRequest {
  fileIds: string[];
  classification: string;
  recipients: Recipient[];
  expiresSecs: number;
  maxDownloads: number;
  subject: string;
  message: string;
}

export interface Progress {
  jobId: string;
  phase: string;
  done: number;
  total: number;
  bytesPerSec: number;
  etaSecs: number | null;
}

export interface SentRecipient {
  index: number;
  recipient: string;
  phone?: string | null;
  link: string;
  /** false for TERBUKA sent link-only */
  hasPassword?: boolean;
}

export interface SendDone {
  jobId: string;
  transferId: string;
  expiresAt: string;
  local?: boolean;
  recipients: SentRecipient[];
}

export interface JobFailed {
  jobId: string;
  error: UiError;
}

/** One message on a job's channel; `done` and `failed` end the job. */
export type JobEvent<D> = { event: 'progress'; data: Progress } | { event: 'done'; data: D } | { event: 'failed'; data: JobFailed };

/** What a job's caller hears: every message of its own channel, in order. */
export type OnJobEvent<D> = (event: JobEvent<D>) => void;

function channel<D>(on: OnJobEvent<D>): Channel<JobEvent<D>> {
  return new Channel<JobEvent<D>>(on);
}

export interface ReceiveInfo {
  grantId: string;
  classification: string;
  size: number;
  expiresAt: string;
  store: string;
  local?: boolean;
  /** false for TERBUKA: no password to ask for */
  requiresPassword?: boolean;
}

export interface ManifestFile {
  name: string;
  size: number;
}

export interface Manifest {
  classification: string;
  sender: string;
  subject: string;
  message: string;
  createdAt: string;
  expiresAt: string;
  files: ManifestFile[];
}

export interface Unlocked {
  /** the receive session's job id: its channel messages during unlock and save, receive_cancel */
  jobId?: string;
  downloadsLeft: number;
  manifest: Manifest;
}

export interface ReceiveDone {
  jobId: string;
  folder: string;
  files: ManifestFile[];
}

export interface HistoryItem {
  transferId: string;
  store?: string;
  size?: number;
  createdAt: string;
  expiresAt: string;
  classification: string;
  subject?: string | null;
  recipients: { label: string; grantId: string }[];
}

/** The store's protocol type (snake_case on the wire, as kepil-protocol serialises it). */
export interface GrantStatus {
  grant_id: string;
  label: string;
  downloads: number;
  max_downloads: number;
  failed_proofs: number;
  locked: boolean;
  revoked: boolean;
}

export interface TransferStatus {
  transfer_id: string;
  classification: string;
  size: number;
  created_at: string;
  expires_at: string;
  upload_complete: boolean;
  expired: boolean;
  grants: GrantStatus[];
}

export interface SettingsRequest {
  storeUrl?: string;
  lang?: Lang;
}

/** Turns whatever `invoke` rejected with into `{ code, params }`. */
export function toUiError(e: unknown): UiError {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    const raw = (e as { params?: unknown }).params;
    const params: Record<string, string> = {};
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (v !== null && v !== undefined) params[k] = String(v);
      }
    } else if (Array.isArray(raw)) {
      // Tolerate `[[key, value], ...]` in case params arrive as pairs.
      for (const pair of raw) {
        if (Array.isArray(pair) && pair.length === 2) params[String(pair[0])] = String(pair[1]);
      }
    }
    return { code: (e as { code: string }).code, params };
  }
  if (typeof e === 'string') {
    // A plain string: a Tauri-level failure (unknown command, denied permission, bad args).
    return { code: 'ipc_error', params: { message: e.slice(0, 300) } };
  }
  if (e instanceof Error) return { code: 'ipc_error', params: { message: e.message.slice(0, 300) } };
  return { code: 'ipc_error', params: {} };
}

export function isUiError(e: unknown): e is UiError {
  return !!e && typeof e === 'object' && typeof (e as UiError).code === 'string' && typeof (e as UiError).params === 'object';
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toUiError(e);
  }
}

export const ipc = {
  appState: () => call<AppState>('app_state'),
  pickFiles: () => call<PickedFile[]>('pick_files'),
  addDropped: (paths: string[]) => call<PickedFile[]>('add_dropped', { paths }),
  removeFile: (id: string) => call<void>('remove_file', { id }),
  checkClassification: (value: string) => call<ClassificationCheck>('check_classification', { value }),
  sendStart: (request: SendRequest, onEvent: OnJobEvent<SendDone>) => call<string>('send_start', { request, onEvent: channel(onEvent) }),
  sendCancel: (jobId: string) => call<void>('send_cancel', { jobId }),
  revealPassword: (jobId: string, index: number) => call<string>('reveal_password', { jobId, index }),
  passwordQr: (jobId: string, index: number) => call<string>('password_qr', { jobId, index }),
  copyPassword: (jobId: string, index: number) => call<void>('copy_password', { jobId, index }),
  copyLink: (jobId: string, index: number) => call<void>('copy_link', { jobId, index }),
  composeEmail: (jobId: string, index: number) => call<void>('compose_email', { jobId, index }),
  sendSms: (jobId: string, index: number) => call<void>('send_sms', { jobId, index }),
  receiveOpen: (link: string) => call<ReceiveInfo>('receive_open', { link }),
  receiveUnlock: (link: string, password: string | null, onEvent: OnJobEvent<ReceiveDone>) =>
    call<Unlocked>('receive_unlock', { link, password, onEvent: channel(onEvent) }),
  pickFolder: () => call<string | null>('pick_folder'),
  receiveSave: (folder: string, onEvent: OnJobEvent<ReceiveDone>) => call<string>('receive_save', { folder, onEvent: channel(onEvent) }),
  receiveCancel: (jobId: string) => call<void>('receive_cancel', { jobId }),
  openFolder: (folder: string) => call<void>('open_folder', { folder }),
  historyList: () => call<HistoryItem[]>('history_list'),
  historyStatus: (transferId: string) => call<TransferStatus>('history_status', { transferId }),
  historyRevoke: (transferId: string, recipient?: string) =>
    call<string[]>('history_revoke', recipient === undefined ? { transferId } : { transferId, recipient }),
  settingsSave: (request: SettingsRequest) => call<AppState>('settings_save', { request }),
  tokenSave: (token: string) => call<void>('token_save', { token }),
};

export type Ipc = typeof ipc;

/** The only global event: a link handed over by the OS (deep link, second launch). */
export interface EventMap {
  'deep-link': { link: string };
}

export type Subscribe = <K extends keyof EventMap>(
  name: K,
  handler: (payload: EventMap[K]) => void,
) => Promise<UnlistenFn>;

export const subscribe: Subscribe = (name, handler) => listen(name, (ev) => handler(ev.payload as never));
