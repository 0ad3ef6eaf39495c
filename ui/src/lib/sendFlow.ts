// The send flow: form → request (validation) and the job state machine
// idle → starting → sending → done | failed | cancelled.
import { ipc as realIpc, toUiError, type AppState, type Ipc, type JobEvent, type PickedFile, type Policy, type Progress, type SendDone, type SendRequest, type UiError } from './ipc';
import { clampDownloads, clampExpiry, sendability } from './policy';
import { hasErrors, normalisePhone, validateRecipients, type RecipientRow } from './validate';

export interface SendForm {
  files: PickedFile[];
  classification: string | null;
  recipients: RecipientRow[];
  expiresSecs: number;
  maxDownloads: number;
  subject: string;
  message: string;
  /** Signed in: a display name sealed with the signed-in address (the address is not the form's). */
  senderName?: string;
}

export type Blocker = 'need_files' | 'need_cls' | 'need_recipients' | 'need_token' | 'need_sign_in' | 'too_big';

/**
 * Who the upload goes as: `true` (a signed-in person, a machine token, the local store),
 * `false` (nobody: a token is needed) or `'need_sign_in'` (only a signed-in person may send).
 */
export type Uploader = boolean | 'need_sign_in';

/** The uploader the app state allows (the system policy or the store may require sign-in). */
export function uploaderOf(state: AppState): Uploader {
  const a = state.account;
  if (a.session) return true;
  if (state.store.local) return true;
  if (a.policyRequires || a.storeRequires) return 'need_sign_in';
  return state.tokenSet;
}

export type BuildResult = { ok: true; request: SendRequest } | { ok: false; blockers: Blocker[] };

/** Checks the form against the policy and builds the `send_start` request. */
export function buildRequest(form: SendForm, policy: Policy, uploader: Uploader): BuildResult {
  const blockers: Blocker[] = [];
  if (form.files.length === 0) blockers.push('need_files');
  const total = form.files.reduce((s, f) => s + f.size, 0);
  if (policy.maxBlobSize > 0 && total > policy.maxBlobSize) blockers.push('too_big');
  if (form.classification === null || sendability(form.classification, policy) !== 'ok') blockers.push('need_cls');
  // TERBUKA has no password, so no phone to hand one over: a number typed before switching
  // to it is neither checked nor sent.
  const rows = form.classification === 'TERBUKA' ? form.recipients.map((r) => ({ ...r, phone: '' })) : form.recipients;
  if (rows.length === 0 || hasErrors(validateRecipients(rows))) blockers.push('need_recipients');
  if (uploader === false) blockers.push('need_token');
  if (uploader === 'need_sign_in') blockers.push('need_sign_in');
  if (blockers.length > 0 || form.classification === null) return { ok: false, blockers };
  const expiresSecs = clampExpiry(policy, form.classification, form.expiresSecs);
  return {
    ok: true,
    request: {
      fileIds: form.files.map((f) => f.id),
      classification: form.classification,
      recipients: rows.map((r) => {
        const phone = r.phone.trim() === '' ? null : normalisePhone(r.phone);
        return phone ? { email: r.email.trim(), phone } : { email: r.email.trim() };
      }),
      expiresSecs,
      maxDownloads: clampDownloads(policy, form.maxDownloads),
      subject: form.subject.trim(),
      message: form.message,
      ...(form.senderName && form.senderName.trim() !== '' ? { senderName: form.senderName.trim() } : {}),
    },
  };
}

export type SendState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'sending'; jobId: string; progress: Progress | null; cancelling: boolean }
  | { kind: 'done'; result: SendDone }
  | { kind: 'failed'; error: UiError }
  | { kind: 'cancelled' };

export class SendFlow {
  state: SendState = { kind: 'idle' };
  private listeners = new Set<(s: SendState) => void>();
  // Which `start` the current job belongs to: a channel of an earlier one is not listened to.
  private run = 0;

  constructor(
    private readonly api: Pick<Ipc, 'sendStart' | 'sendCancel'> & Partial<Pick<Ipc, 'interruptedResume'>> = realIpc,
  ) {}

  /** Stops listening: to the job's channel and for state changes. */
  detach(): void {
    this.run++;
    this.listeners.clear();
  }

  onChange(cb: (s: SendState) => void): () => void {
    this.listeners.add(cb);
    cb(this.state);
    return () => this.listeners.delete(cb);
  }

  private set(s: SendState): void {
    this.state = s;
    for (const l of this.listeners) l(s);
  }

  get busy(): boolean {
    return this.state.kind === 'starting' || this.state.kind === 'sending';
  }

  async start(request: SendRequest): Promise<void> {
    await this.launch((onEvent) => this.api.sendStart(request, onEvent));
  }

  /** Resumes an interrupted upload: the same states and result as a send. */
  async resume(transferId: string): Promise<void> {
    const resume = this.api.interruptedResume;
    if (!resume) return;
    await this.launch((onEvent) => resume(transferId, onEvent));
  }

  private async launch(begin: (onEvent: (ev: JobEvent<SendDone>) => void) => Promise<string>): Promise<void> {
    if (this.busy) return;
    const run = ++this.run;
    this.set({ kind: 'starting' });
    let jobId: string;
    try {
      jobId = await begin((ev) => this.event(run, ev));
    } catch (e) {
      if (run === this.run) this.set({ kind: 'failed', error: toUiError(e) });
      return;
    }
    // The channel may have spoken first (progress, even the end): then it already decided.
    if (run !== this.run || this.state.kind !== 'starting') return;
    this.set({ kind: 'sending', jobId, progress: null, cancelling: false });
  }

  async cancel(): Promise<void> {
    const s = this.state;
    if (s.kind !== 'sending' || s.cancelling) return;
    this.set({ ...s, cancelling: true });
    try {
      await this.api.sendCancel(s.jobId);
    } catch (e) {
      // The job may have finished meanwhile; its own channel decides the outcome.
      const now = this.state;
      if (now.kind === 'sending' && now.jobId === s.jobId) this.set({ ...now, cancelling: false });
      void e;
    }
  }

  reset(): void {
    if (this.busy) return;
    this.set({ kind: 'idle' });
  }

  private event(run: number, ev: JobEvent<SendDone>): void {
    const s = this.state;
    if (run !== this.run || (s.kind !== 'starting' && s.kind !== 'sending')) return;
    switch (ev.event) {
      case 'progress':
        this.set(s.kind === 'sending' ? { ...s, progress: ev.data } : { kind: 'sending', jobId: ev.data.jobId, progress: ev.data, cancelling: false });
        break;
      case 'done':
        this.set({ kind: 'done', result: ev.data });
        break;
      case 'failed': {
        const error = toUiError(ev.data.error);
        this.set(error.code === 'cancelled' ? { kind: 'cancelled' } : { kind: 'failed', error });
        break;
      }
    }
  }
}
