// The receive flow: link → open → password → manifest → folder → save.
import { ipc as realIpc, toUiError, type Ipc, type JobEvent, type PickedFolder, type Progress, type ReceiveDone, type ReceiveInfo, type UiError, type Unlocked } from './ipc';
import { cleanLink } from './format';

/** Errors after which this link can never work: the user needs a new link from the sender. */
// After these nothing more can be done with this link here (a detection consumed the download).
export const FINAL_CODES: readonly string[] = ['locked', 'expired', 'revoked', 'used_up', 'unavailable', 'infected_receive', 'store_refused'];

export type ReceiveState =
  | { kind: 'idle'; error?: UiError }
  | { kind: 'opening'; link: string }
  // The link's store is not one this computer knows: nothing was contacted; the person decides.
  | { kind: 'confirmStore'; link: string; error: UiError }
  | { kind: 'opened'; link: string; info: ReceiveInfo; error?: UiError; triesLeft?: number }
  | { kind: 'unlocking'; link: string; info: ReceiveInfo; progress: Progress | null }
  | { kind: 'blocked'; link: string; info?: ReceiveInfo; error: UiError }
  | { kind: 'unlocked'; link: string; info: ReceiveInfo; unlocked: Unlocked; error?: UiError; notice?: 'cancelled' }
  | { kind: 'saving'; link: string; info: ReceiveInfo; unlocked: Unlocked; jobId: string | null; folder: PickedFolder; progress: Progress | null; cancelling: boolean }
  | { kind: 'saved'; unlocked: Unlocked; done: ReceiveDone; error?: UiError };

type Api = Pick<Ipc, 'receiveOpen' | 'receiveUnlock' | 'pickFolder' | 'receiveSave' | 'receiveCancel' | 'openFolder'>;

export class ReceiveFlow {
  state: ReceiveState = { kind: 'idle' };
  private listeners = new Set<(s: ReceiveState) => void>();
  // Which unlock or save the current channel belongs to: an earlier one is not listened to.
  private run = 0;

  constructor(private readonly api: Api = realIpc) {}

  /** Stops listening: to the job's channel and for state changes. */
  detach(): void {
    this.run++;
    this.listeners.clear();
  }

  onChange(cb: (s: ReceiveState) => void): () => void {
    this.listeners.add(cb);
    cb(this.state);
    return () => this.listeners.delete(cb);
  }

  private set(s: ReceiveState): void {
    this.state = s;
    for (const l of this.listeners) l(s);
  }

  get busy(): boolean {
    return this.state.kind === 'opening' || this.state.kind === 'unlocking' || this.state.kind === 'saving';
  }

  /** Opens a (possibly mangled) link; nothing is downloaded or counted yet. `confirmStore`:
   * the person has seen the link's unknown store and wants it contacted. */
  async open(raw: string, confirmStore = false): Promise<void> {
    if (this.busy) return;
    const link = cleanLink(raw);
    if (link === '') {
      this.set({ kind: 'idle', error: { code: 'link_not_found', params: {} } });
      return;
    }
    this.set({ kind: 'opening', link });
    try {
      const info = await this.api.receiveOpen(link, confirmStore);
      this.set({ kind: 'opened', link, info });
    } catch (e) {
      const error = toUiError(e);
      if (error.code === 'store_unconfirmed') this.set({ kind: 'confirmStore', link, error });
      else this.set(FINAL_CODES.includes(error.code) ? { kind: 'blocked', link, error } : { kind: 'idle', error });
    }
  }

  /** Contacts the unknown store after all: the person confirmed it. */
  async confirmStore(): Promise<void> {
    const s = this.state;
    if (s.kind !== 'confirmStore') return;
    await this.open(s.link, true);
  }

  async unlock(password: string): Promise<void> {
    const s = this.state;
    if (s.kind !== 'opened') return;
    const needsPassword = s.info.requiresPassword !== false;
    if (needsPassword && password.trim() === '') {
      this.set({ ...s, error: { code: 'password_empty', params: {} } });
      return;
    }
    const unlocking: Extract<ReceiveState, { kind: 'unlocking' }> = { kind: 'unlocking', link: s.link, info: s.info, progress: null };
    this.set(unlocking);
    const run = ++this.run;
    try {
      // Key derivation and the manifest report their phases on this channel.
      const unlocked = await this.api.receiveUnlock(s.link, needsPassword ? password : null, (ev) => {
        const now = this.state;
        if (run === this.run && now.kind === 'unlocking' && ev.event === 'progress') this.set({ ...now, progress: ev.data });
      });
      this.set({ kind: 'unlocked', link: s.link, info: s.info, unlocked });
    } catch (e) {
      const error = toUiError(e);
      if (FINAL_CODES.includes(error.code)) {
        this.set({ kind: 'blocked', link: s.link, info: s.info, error });
        return;
      }
      const n = Number(error.params.tries_left);
      const triesLeft = error.code === 'wrong_password' && Number.isFinite(n) ? n : s.triesLeft;
      this.set({ kind: 'opened', link: s.link, info: s.info, error, ...(triesLeft !== undefined ? { triesLeft } : {}) });
    }
  }

  /** Asks for a folder, then saves; a dismissed dialog changes nothing. */
  async chooseFolderAndSave(): Promise<void> {
    const s = this.state;
    if (s.kind !== 'unlocked') return;
    let folder: PickedFolder | null;
    try {
      folder = await this.api.pickFolder();
    } catch (e) {
      this.set({ ...s, error: toUiError(e), notice: undefined });
      return;
    }
    if (folder === null || (this.state as ReceiveState) !== s) return;
    const run = ++this.run;
    const saving: Extract<ReceiveState, { kind: 'saving' }> = { kind: 'saving', link: s.link, info: s.info, unlocked: s.unlocked, jobId: null, folder, progress: null, cancelling: false };
    this.set(saving);
    try {
      const jobId = await this.api.receiveSave(folder.id, (ev) => this.event(run, ev));
      // The channel may have spoken first (the end, even): then it already decided.
      const now = this.state as ReceiveState;
      if (run !== this.run || now.kind !== 'saving' || now.jobId !== null) return;
      this.set({ ...now, jobId });
    } catch (e) {
      this.set({ kind: 'unlocked', link: s.link, info: s.info, unlocked: s.unlocked, error: toUiError(e) });
    }
  }

  async cancel(): Promise<void> {
    const s = this.state;
    if (s.kind !== 'saving' || s.jobId === null || s.cancelling) return;
    this.set({ ...s, cancelling: true });
    try {
      await this.api.receiveCancel(s.jobId);
    } catch {
      const now = this.state;
      if (now.kind === 'saving' && now.jobId === s.jobId) this.set({ ...now, cancelling: false });
    }
  }

  async openFolder(): Promise<void> {
    const s = this.state;
    if (s.kind !== 'saved') return;
    try {
      await this.api.openFolder(s.done.folderId);
    } catch (e) {
      this.set({ ...s, error: toUiError(e) });
    }
  }

  /** Back to an empty link; an unlocked but unsaved download is discarded on the Rust side. */
  reset(): void {
    if (this.busy) return;
    const s = this.state;
    if (s.kind === 'unlocked' && s.unlocked.jobId) void this.api.receiveCancel(s.unlocked.jobId).catch(() => undefined);
    this.set({ kind: 'idle' });
  }

  private event(run: number, ev: JobEvent<ReceiveDone>): void {
    const s = this.state;
    if (run !== this.run || s.kind !== 'saving') return;
    switch (ev.event) {
      case 'progress':
        this.set({ ...s, jobId: s.jobId ?? ev.data.jobId, progress: ev.data });
        break;
      case 'done':
        this.set({ kind: 'saved', unlocked: s.unlocked, done: ev.data });
        break;
      case 'failed': {
        const error = toUiError(ev.data.error);
        const base = { link: s.link, info: s.info, unlocked: s.unlocked };
        if (error.code === 'cancelled') this.set({ kind: 'unlocked', ...base, notice: 'cancelled' });
        else if (FINAL_CODES.includes(error.code)) this.set({ kind: 'blocked', link: s.link, info: s.info, error });
        else this.set({ kind: 'unlocked', ...base, error });
        break;
      }
    }
  }
}
