// Typed wrappers over Tauri's `invoke`/`listen` for every command and event in docs/app.md.
// Every rejection is normalised to `UiError { code, params }` so the UI has one error shape.
// A job's progress and outcome come back on the `Channel` its command was called with.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { AccountTransfer, AppState, ClassificationCheck, Command, DeliveryView, HistoryItem, Interrupted, JobEvent, PickedFile, PickedFolder, ReceiveDone, ReceiveInfo, SendDone, SendRequest, SentRecipient, Session, SettingsRequest, SignedOutView, SignInStarted, TransferStatus, UiError, Unlocked } from './bindings';

// The contract's types are generated from the Rust side (bindings.ts, ts-rs); re-exported here
// so components import everything IPC from one place.
export type {
  Account,
  AccountTransfer,
  AppState,
  ClassificationCheck,
  DeliveryView,
  GrantStatus,
  HistoryItem,
  HistoryRecipient,
  Interrupted,
  JobEvent,
  JobFailed,
  Lang,
  Manifest,
  ManifestFile,
  PickedFile,
  PickedFolder,
  Policy,
  Progress,
  ReceiveDone,
  ReceiveInfo,
  Recipient,
  SendDone,
  SendRequest,
  SentRecipient,
  Session,
  SignedOutView,
  SignInStarted,
  SettingsRequest,
  StoreState,
  TransferStatus,
  UiError,
  Unlocked,
} from './bindings';

/** What a job's caller hears: every message of its own channel, in order. */
export type OnJobEvent<D> = (event: JobEvent<D>) => void;

function channel<D>(on: OnJobEvent<D>): Channel<JobEvent<D>> {
  return new Channel<JobEvent<D>>(on);
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

async function call<T>(cmd: Command, args?: Record<string, unknown>): Promise<T> {
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
  interruptedList: () => call<Interrupted[]>('interrupted_list'),
  interruptedResume: (transferId: string, onEvent: OnJobEvent<SendDone>) =>
    call<string>('interrupted_resume', { transferId, onEvent: channel(onEvent) }),
  interruptedDiscard: (transferId: string) => call<void>('interrupted_discard', { transferId }),
  revealPassword: (jobId: string, index: number) => call<string>('reveal_password', { jobId, index }),
  passwordQr: (jobId: string, index: number) => call<string>('password_qr', { jobId, index }),
  copyPassword: (jobId: string, index: number) => call<void>('copy_password', { jobId, index }),
  copyLink: (jobId: string, index: number) => call<void>('copy_link', { jobId, index }),
  composeEmail: (jobId: string, index: number, includeSubject = false) =>
    call<void>('compose_email', { jobId, index, includeSubject }),
  sendSms: (jobId: string, index: number) => call<void>('send_sms', { jobId, index }),
  deliveryMark: (jobId: string, index: number, delivery: DeliveryView) =>
    call<DeliveryView>('delivery_mark', { jobId, index, delivery }),
  handoverShow: (transferId: string) => call<SentRecipient[]>('handover_show', { transferId }),
  receiveOpen: (link: string, confirmStore = false) => call<ReceiveInfo>('receive_open', { link, confirmStore }),
  receiveUnlock: (link: string, password: string | null, onEvent: OnJobEvent<ReceiveDone>) =>
    call<Unlocked>('receive_unlock', { link, password, onEvent: channel(onEvent) }),
  pickFolder: () => call<PickedFolder | null>('pick_folder'),
  receiveSave: (folderId: string, onEvent: OnJobEvent<ReceiveDone>) => call<string>('receive_save', { folderId, onEvent: channel(onEvent) }),
  receiveCancel: (jobId: string) => call<void>('receive_cancel', { jobId }),
  openFolder: (folderId: string) => call<void>('open_folder', { folderId }),
  historyList: () => call<HistoryItem[]>('history_list'),
  historyStatus: (transferId: string) => call<TransferStatus>('history_status', { transferId }),
  historyRevoke: (transferId: string, recipient?: string) =>
    call<string[]>('history_revoke', recipient === undefined ? { transferId } : { transferId, recipient }),
  historyUnlock: (transferId: string, recipient: string) => call<string>('history_unlock', { transferId, recipient }),
  settingsSave: (request: SettingsRequest) => call<AppState>('settings_save', { request }),
  uiReady: () => call<void>('ui_ready'),
  tokenSave: (token: string) => call<'keyring' | 'file'>('token_save', { token }),
  signInStart: (provider: string | null, onEvent: OnJobEvent<Session>) =>
    call<SignInStarted>('sign_in_start', { provider, onEvent: channel(onEvent) }),
  signInCancel: (jobId: string) => call<void>('sign_in_cancel', { jobId }),
  signOut: () => call<SignedOutView>('sign_out'),
  accountTransfers: () => call<AccountTransfer[]>('account_transfers'),
  accountRevoke: (transferId: string) => call<void>('account_revoke', { transferId }),
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
