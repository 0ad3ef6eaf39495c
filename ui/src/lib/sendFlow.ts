// The send flow: form → request (validation) and the job state machine
// idle → starting → sending → done | failed | cancelled.
import { ipc as realIpc, subscribe as realSubscribe, toUiError, type Ipc, type PickedFile, type Policy, type Progress, type SendDone, type SendRequest, type Subscribe, type UiError } from './ipc';
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
}

export type Blocker = 'need_files' | 'need_cls' | 'need_recipients' | 'need_token' | 'too_big';

export type BuildResult = { ok: true; request: SendRequest } | { ok: false; blockers: Blocker[] };

/** Checks the form against the policy and builds the `send_start` request. */
export function buildRequest(form: SendForm, policy: Policy, tokenSet: boolean): BuildResult {
  const blockers: Blocker[] = [];
  if (form.files.length === 0) blockers.push('need_files');
  const total = form.files.reduce((s, f) => s + f.size, 0);
  if (policy.maxBlobSize > 0 && total > policy.maxBlobSize) blockers.push('too_big');
  if (form.classification === null || sendability(form.classification, policy) !== 'ok') blockers.push('need_cls');
  if (form.recipients.length === 0 || hasErrors(validateRecipients(form.recipients))) blockers.push('need_recipients');
  if (!tokenSet) blockers.push('need_token');
  if (blockers.length > 0 || form.classification === null) return { ok: false, blockers };
  const expiresSecs = clampExpiry(policy, form.classification, form.expiresSecs);
  return {
    ok: true,
    request: {
      fileIds: form.files.map((f) => f.id),
      classification: form.classification,
      recipients: form.recipients.map((r) => {
        const phone = r.phone.trim() === '' ? null : normalisePhone(r.phone);
        return phone ? { email: r.email.trim(), phone } : { email: r.email.trim() };
      }),
      expiresSecs,
      maxDownloads: clampDownloads(policy, form.maxDownloads),
      subject: form.subject.trim(),
      message: form.message,
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

type JobEvent =
  | { type: 'progress'; payload: Progress }
  | { type: 'done'; payload: SendDone }
  | { type: 'failed'; payload: { jobId: string; error: unknown } };

export class SendFlow {
  state: SendState = { kind: 'idle' };
  private listeners = new Set<(s: SendState) => void>();
  private unlisten: (() => void)[] = [];
  // Events can arrive before `send_start` resolves with the job id; keep them until then.
  private early: JobEvent[] = [];

  constructor(
    private readonly api: Pick<Ipc, 'sendStart' | 'sendCancel'> = realIpc,
    private readonly on: Subscribe = realSubscribe,
  ) {}

  async attach(): Promise<void> {
    this.unlisten.push(
      await this.on('send-progress', (p) => this.event({ type: 'progress', payload: p })),
      await this.on('send-done', (p) => this.event({ type: 'done', payload: p })),
      await this.on('send-failed', (p) => this.event({ type: 'failed', payload: p })),
    );
  }

  detach(): void {
    for (const u of this.unlisten.splice(0)) u();
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
    if (this.busy) return;
    this.early = [];
    this.set({ kind: 'starting' });
    let jobId: string;
    try {
      jobId = await this.api.sendStart(request);
    } catch (e) {
      this.set({ kind: 'failed', error: toUiError(e) });
      return;
    }
    if (this.state.kind !== 'starting') return;
    this.set({ kind: 'sending', jobId, progress: null, cancelling: false });
    const early = this.early.splice(0);
    for (const ev of early) this.event(ev);
  }

  async cancel(): Promise<void> {
    const s = this.state;
    if (s.kind !== 'sending' || s.cancelling) return;
    this.set({ ...s, cancelling: true });
    try {
      await this.api.sendCancel(s.jobId);
    } catch (e) {
      // The job may have finished meanwhile; its own event decides the outcome.
      const now = this.state;
      if (now.kind === 'sending' && now.jobId === s.jobId) this.set({ ...now, cancelling: false });
      void e;
    }
  }

  reset(): void {
    if (this.busy) return;
    this.set({ kind: 'idle' });
  }

  private event(ev: JobEvent): void {
    const s = this.state;
    if (s.kind === 'starting') {
      this.early.push(ev);
      return;
    }
    if (s.kind !== 'sending' || ev.payload.jobId !== s.jobId) return;
    switch (ev.type) {
      case 'progress':
        this.set({ ...s, progress: ev.payload });
        break;
      case 'done':
        this.set({ kind: 'done', result: ev.payload });
        break;
      case 'failed': {
        const error = toUiError(ev.payload.error);
        this.set(error.code === 'cancelled' ? { kind: 'cancelled' } : { kind: 'failed', error });
        break;
      }
    }
  }
}
