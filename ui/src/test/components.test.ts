// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, tick, unmount, type Component } from 'svelte';
import { MockChannel, bus, invokeMock, listenMock, sendOn } from './tauriMock';

vi.mock('@tauri-apps/api/core', () => ({ invoke: (cmd: string, args?: Record<string, unknown>) => invokeMock(cmd, args), Channel: MockChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen: listenMock }));
vi.mock('@tauri-apps/api/webview', () => ({ getCurrentWebview: () => ({ onDragDropEvent: async () => () => {} }) }));

import App from '../App.svelte';
import SendView from '../components/SendView.svelte';
import SettingsView from '../components/SettingsView.svelte';
import ReceiveView from '../components/ReceiveView.svelte';
import ResultCard from '../components/ResultCard.svelte';
import HistoryView from '../components/HistoryView.svelte';
import { app } from '../lib/state.svelte';
import { account, appState, policy, session } from './fixtures';
import type { AppState } from '../lib/ipc';

const settle = async () => {
  for (let i = 0; i < 5; i++) {
    await tick();
    await Promise.resolve();
  }
  flushSync();
};
const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
function submitSend() {
  q('send-button')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}
/** A file picked and a recipient typed: the Send form one press away from sending. */
async function pickFileAndRecipient() {
  q('file-pick')!.click();
  await settle();
  type('recipient-email-0', 'ali@jpm.gov.my');
}
/** Rust's side of a send of one picked file (job `job`). */
const sendsOneFile = async (cmd: string) => (cmd === 'pick_files' ? [{ id: 'f1', name: 'a.pdf', size: 10 }] : cmd === 'send_start' ? 'job' : undefined);
function type(id: string, value: string) {
  const el = q<HTMLInputElement>(id)!;
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

let component: Record<string, unknown> | null = null;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function render<P extends Record<string, any>>(C: Component<P>, props: P) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  component = mount(C, { target, props });
  flushSync();
}

beforeEach(() => {
  bus.reset();
  invokeMock.mockReset();
  app.lang = 'en';
  app.tab = 'send';
});
function cleanup() {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
}
afterEach(cleanup);

describe('App', () => {
  it('zooms with Ctrl+= / Ctrl+- / Ctrl+0 and remembers the level', async () => {
    invokeMock.mockImplementation(async (cmd) => (cmd === 'app_state' ? appState() : []));
    localStorage.removeItem('kepil.zoom');
    render(App, {});
    await settle();
    const zoom = () => document.documentElement.style.getPropertyValue('--zoom');
    expect(zoom()).toBe('1');
    const press = (key: string, ctrlKey = true) => {
      const ev = new KeyboardEvent('keydown', { key, ctrlKey, cancelable: true });
      window.dispatchEvent(ev);
      return ev.defaultPrevented;
    };
    expect(press('=')).toBe(true);
    expect(press('=')).toBe(true);
    expect(zoom()).toBe('1.25');
    expect(press('=', false)).toBe(false); // a plain "=" is typing, not zoom
    expect(zoom()).toBe('1.25');
    press('-');
    expect(zoom()).toBe('1.1');
    expect(localStorage.getItem('kepil.zoom')).toBe('1.1');
    cleanup();
    render(App, {});
    await settle();
    expect(zoom()).toBe('1.1');
    press('0');
    expect(zoom()).toBe('1');
  });

  it('loads app_state, shows BM by default and operates the tabs by keyboard', async () => {
    invokeMock.mockImplementation(async (cmd) => (cmd === 'app_state' ? appState({ lang: 'ms' }) : []));
    render(App, {});
    await settle();
    const send = q('tab-send')!;
    expect(send.getAttribute('role')).toBe('tab');
    expect(send.getAttribute('aria-selected')).toBe('true');
    expect(send.textContent?.trim()).toBe('Hantar');
    expect(q('tab-receive')!.getAttribute('tabindex')).toBe('-1');
    send.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    expect(q('tab-receive')!.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(q('tab-receive'));
    expect(document.getElementById('panel-send')!.hidden).toBe(true);
    send.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    flushSync();
    expect(q('tab-settings')!.getAttribute('aria-selected')).toBe('true');
  });

  it('shows the local-store banner in both languages and opens a pending link in Receive', async () => {
    invokeMock.mockImplementation(async (cmd) => {
      if (cmd === 'app_state') return appState({ store: { url: 'http://127.0.0.1:8080', local: true, locked: false }, pendingLink: 'kepil://x#y' });
      if (cmd === 'receive_open') return { grantId: 'g', classification: 'TERHAD', size: 1, expiresAt: '2026-12-01T00:00:00Z', store: 's', storeView: { host: 's', name: null, idn: false, standing: 'trusted' } };
      return [];
    });
    render(App, {});
    await settle();
    const banner = q('local-store-banner')!;
    expect(banner.textContent).toContain('Stor tempatan: pautan hanya berfungsi pada komputer ini.');
    expect(banner.textContent).toContain('Local store: links only work on this computer.');
    expect(q('tab-receive')!.getAttribute('aria-selected')).toBe('true');
    expect(invokeMock).toHaveBeenCalledWith('receive_open', { link: 'kepil://x#y', confirmStore: false });
  });
});

describe('App without a reachable store', () => {
  it('shows the store error on Send, with Settings one click away', async () => {
    invokeMock.mockImplementation(async (cmd) => (cmd === 'app_state' ? appState({ policy: null, storeError: { code: 'network', params: {} } }) : []));
    render(App, {});
    await settle();
    expect(q('store-unavailable')!.textContent).toMatch(/Tidak dapat berhubung dengan stor Kepil/);
    expect(q('send-button')).toBeNull();
  });
});

describe('SendView', () => {
  it('RAHSIA BESAR shows the refusal and sends nothing; SULIT with a file and a recipient sends', async () => {
    invokeMock.mockImplementation(async (cmd) => (cmd === 'pick_files' ? [{ id: 'f1', name: 'a.pdf', size: 10 }] : undefined));
    render(SendView, { appState: appState(), policy: policy() });
    await pickFileAndRecipient();
    flushSync();
    expect(q('send-blockers')).toBeNull();

    // The refused ones are not in the radio group that arrow keys move through.
    const radios = [...document.querySelectorAll<HTMLInputElement>('input[type=radio][name=classification]')].map((r) => r.value);
    expect(radios).toEqual(['SULIT', 'TERHAD', 'TERBUKA']);
    expect(q('cls-RAHSIA_BESAR')!.tagName).toBe('BUTTON');
    q('cls-RAHSIA_BESAR')!.click();
    flushSync();
    // Nothing stays chosen that could go out instead.
    expect(document.querySelector('input[name=classification]:checked')).toBeNull();
    expect(q('cls-RAHSIA_BESAR')!.getAttribute('aria-pressed')).toBe('true');
    expect(q('cls-refusal')!.textContent).toMatch(/3\.2 A ii 6/);
    expect(q('cls-refusal')!.parentElement!.getAttribute('aria-live')).toBe('assertive');
    // Send can be pressed; it sends nothing and takes the focus to the classification.
    submitSend();
    await settle();
    expect(invokeMock).not.toHaveBeenCalledWith('send_start', expect.anything());
    expect(q('send-blockers')!.getAttribute('role')).toBe('alert');
    expect(q('send-blockers')!.textContent).toMatch(/choose an allowed classification/);
    expect(document.activeElement).toBe(q('cls-SULIT'));

    q('cls-SULIT')!.click();
    flushSync();
    expect(q('cls-refusal')).toBeNull();
    expect(q('send-blockers')).toBeNull();
  });

  it('the focus follows the send: to the progress, then to what happened after a cancel', async () => {
    invokeMock.mockImplementation(sendsOneFile);
    render(SendView, { appState: appState(), policy: policy() });
    await settle();
    await pickFileAndRecipient();
    submitSend();
    await settle();
    expect(document.activeElement).toBe(q('send-progress'));
    sendOn('send_start', 'progress', { jobId: 'job', phase: 'uploading', done: 1, total: 10, bytesPerSec: 1, etaSecs: 9 });
    flushSync();
    expect(document.activeElement).toBe(q('send-progress'));
    sendOn('send_start', 'failed', { jobId: 'job', error: { code: 'cancelled', params: {} } });
    await settle();
    expect(document.activeElement).toBe(q('send-outcome'));
    expect(q('send-outcome')!.textContent).toMatch(/cancel/i);
  });

  it('an empty form can be sent: every error shows at its field and the focus goes to the first', async () => {
    render(SendView, { appState: appState(), policy: policy() });
    await settle();
    // Before any try: no red, and the hint asks for what is missing, not for a correction.
    expect(q('send-blockers')!.textContent).toMatch(/choose at least one file; enter a recipient’s email/);
    expect(q('send-blockers')!.getAttribute('role')).toBeNull();
    submitSend();
    await settle();
    expect(document.activeElement).toBe(q('file-pick'));
    expect(q('send-blockers')!.getAttribute('role')).toBe('alert');
    expect(document.getElementById('recipient-email-err-0')).not.toBeNull();

    invokeMock.mockImplementation(async (cmd) => (cmd === 'pick_files' ? [{ id: 'f1', name: 'a.pdf', size: 10 }] : undefined));
    q('file-pick')!.click();
    await settle();
    type('recipient-email-0', 'not an email');
    submitSend();
    await settle();
    expect(document.activeElement).toBe(q('recipient-email-0'));
    expect(q('send-blockers')!.textContent).toMatch(/correct the recipients/);
    expect(invokeMock).not.toHaveBeenCalledWith('send_start', expect.anything());
  });

  it('asks for a phone only where a password is handed over, for SMS only with a gateway', async () => {
    render(SendView, { appState: appState(), policy: policy({ smsEnabled: false }) });
    await settle();
    expect(document.querySelector('label[for="recipient-phone-0"]')!.textContent).toMatch(/to call with the password/);
    q('cls-TERBUKA')!.click();
    flushSync();
    expect(q('recipient-phone-0')).toBeNull();
    cleanup();
    render(SendView, { appState: appState(), policy: policy({ smsEnabled: true }) });
    await settle();
    expect(document.querySelector('label[for="recipient-phone-0"]')!.textContent).toMatch(/by SMS or a call/);
  });

  it('offers an interrupted upload, resumes it as a send, and gives one up only when asked', async () => {
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
    const item = (id: string) => ({ transferId: id, classification: 'SULIT', subject: `Minit ${id}`, files: ['minit.pdf'], recipients: ['a@b.my'], size: 10, expiresAt: '2099-12-05T08:00:00Z' });
    let left = [item('T1'), item('T2')];
    invokeMock.mockImplementation(async (cmd, args) => {
      if (cmd === 'interrupted_list') return left;
      if (cmd === 'interrupted_resume') return 'job';
      if (cmd === 'interrupted_discard') {
        left = left.filter((i) => i.transferId !== (args as { transferId: string }).transferId);
        return undefined;
      }
      return undefined;
    });
    render(SendView, { appState: appState(), policy: policy() });
    await settle();
    expect(q('interrupted-0')!.textContent).toMatch(/Minit T1/);
    expect(q('interrupted-1')!.textContent).toMatch(/minit\.pdf to a@b\.my/);
    q('interrupted-discard-1')!.click();
    await settle();
    expect(invokeMock).not.toHaveBeenCalledWith('interrupted_discard', expect.anything());
    document.querySelector<HTMLButtonElement>('dialog[open] [data-testid="confirm-ok"]')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('interrupted_discard', { transferId: 'T2' });
    expect(q('interrupted-1')).toBeNull();
    q('interrupted-resume-0')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('interrupted_resume', expect.objectContaining({ transferId: 'T1' }));
    expect(q('send-progress')).not.toBeNull();
    sendOn('interrupted_resume', 'done', { jobId: 'job', transferId: 'T1', expiresAt: '2099-12-05T08:00:00Z', local: false, recipients: [{ index: 0, recipient: 'a@b.my', phone: null, link: 'https://s/t/a#b', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }], scan: null, notKept: null });
    await settle();
    expect(q('result-link-0')!.textContent).toBe('https://s/t/a#b');
    expect(q('result-kept')).not.toBeNull();
  });

  it('sends, shows progress with speed and time left, then the result cards', async () => {
    invokeMock.mockImplementation(sendsOneFile);
    render(SendView, { appState: appState(), policy: policy() });
    await settle();
    await pickFileAndRecipient();
    flushSync();
    q('send-button')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    sendOn('send_start', 'progress', { jobId: 'job', phase: 'upload', done: 50 * 1024 ** 2, total: 100 * 1024 ** 2, bytesPerSec: 5 * 1024 ** 2, etaSecs: 10 });
    flushSync();
    expect(q('send-progress-detail')!.textContent).toBe('50% · 50 MB of 100 MB · 5 MB/s · 10 s left');
    expect(q('send-progress')!.querySelector('[role=progressbar]')!.getAttribute('aria-valuenow')).toBe('50');
    sendOn('send_start', 'done', { jobId: 'job', transferId: 't', expiresAt: '2026-12-01T00:00:00Z', recipients: [{ index: 0, recipient: 'ali@jpm.gov.my', phone: null, link: 'https://s/t/a#b', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }], scan: null, notKept: { code: 'handover_not_kept', params: { reason: 'this computer has no system keyring' } } });
    await settle();
    expect(q('result-link-0')!.textContent).toBe('https://s/t/a#b');
    expect(document.body.textContent).toMatch(/never in the same email/);
    expect(q('result-sms-0')).toBeNull(); // SMS disabled by policy and no phone
    expect(q('result-title')!.textContent).toMatch(/Uploaded: now give each recipient the link and the password/);

    // "New transfer" would drop the passwords: it asks, and going back keeps the result.
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
    q('send-new')!.click();
    await settle();
    const dialog = document.querySelector('dialog[open]')!;
    expect(dialog.textContent).toMatch(/gone once you start a new transfer/);
    // Without a keyring the result says the passwords last only as long as the app.
    expect(q('result-not-kept')!.textContent).toMatch(/this computer has no system keyring/);
    expect(q('result-kept')).toBeNull();
    dialog.querySelector<HTMLButtonElement>('[data-testid="confirm-cancel"]')!.click();
    await settle();
    expect(q('result-link-0')).not.toBeNull();
    q('send-new')!.click();
    await settle();
    document.querySelector<HTMLButtonElement>('dialog[open] [data-testid="confirm-ok"]')!.click();
    await settle();
    expect(q('result-link-0')).toBeNull();
    expect(q('file-pick')).not.toBeNull();
  });

  it('refuses to send without a sign-in where it is required, and sends as the signed-in person', async () => {
    invokeMock.mockImplementation(sendsOneFile);
    render(SendView, { appState: appState({ tokenSet: true, account: account({ policyRequires: true }) }), policy: policy() });
    await pickFileAndRecipient();
    flushSync();
    expect(q('send-blockers')!.textContent).toMatch(/sign in with your agency account in Settings/);
    submitSend();
    await settle();
    expect(invokeMock).not.toHaveBeenCalledWith('send_start', expect.anything());
    expect(q('send-sign-in')!.textContent).toMatch(/You are not signed in/);
    expect(q('sender')).toBeNull();
    unmount(component!);
    document.body.innerHTML = '';

    render(SendView, { appState: appState({ tokenSet: false, account: account({ policyRequires: true, session: session() }) }), policy: policy() });
    await pickFileAndRecipient();
    type('sender-name', 'Alice T.');
    flushSync();
    const sender = q<HTMLInputElement>('sender')!;
    expect(sender.value).toBe('alice@agensi.gov.my');
    expect(sender.readOnly).toBe(true);
    expect(q('send-sign-in')).toBeNull();
    q('send-button')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    const call = invokeMock.mock.calls.find(([c]) => c === 'send_start')!;
    expect((call[1] as { request: { senderName?: string } }).request.senderName).toBe('Alice T.');
  });
});

describe('ResultCard', () => {
  it('reveals the password on request and shows the QR code as a data: image, not markup', async () => {
    invokeMock.mockImplementation(async (cmd) => (cmd === 'reveal_password' ? 'abcdefghjkmnpqrs' : cmd === 'password_qr' ? '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' : undefined));
    render(ResultCard, { jobId: 'j', recipient: { index: 3, recipient: 'a@b.my', phone: '+60123456789', link: 'L', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: true, mail: 'system' });
    expect(q('result-password-0')).toBeNull();
    q('result-reveal-0')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('reveal_password', { jobId: 'j', index: 3 });
    expect(q('result-password-0')!.textContent).toBe('ABCD-EFGH-JKMN-PQRS');
    q('result-reveal-0')!.click();
    await settle();
    expect(q('result-password-0')).toBeNull();
    q('result-qr-0')!.click();
    await settle();
    const img = q<HTMLImageElement>('result-qr-image-0')!;
    expect(img.tagName).toBe('IMG');
    expect(img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(document.querySelector('svg, script')).toBeNull();
    expect(q('result-qr-hint-0')!.textContent).toMatch(/holds this password only/);
    expect(q('result-sms-0')).not.toBeNull();
    expect(q('result-phone-0')!.textContent).toContain('+60123456789');
  });

  it('shows the phone for a call where there is no SMS gateway, and keeps what was handed over', async () => {
    invokeMock.mockImplementation(async (cmd, args) => (cmd === 'delivery_mark' ? (args as { delivery: unknown }).delivery : undefined));
    render(ResultCard, { jobId: 'j', recipient: { index: 0, recipient: 'a@b.my', phone: '+60123456789', link: 'L', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: false, mail: 'system' });
    expect(q('result-sms-0')).toBeNull();
    expect(q('result-phone-0')!.textContent).toMatch(/\+60123456789 \(call to read the password out\)/);
    expect(q('result-all-given-0')).toBeNull();
    q<HTMLInputElement>('result-link-given-0')!.click();
    flushSync();
    expect(q('result-all-given-0')).toBeNull();
    expect(q('result-forget-note-0')!.textContent).toMatch(/forgets this recipient/);
    q<HTMLInputElement>('result-password-given-0')!.click();
    await settle();
    expect(q('result-all-given-0')!.textContent).toMatch(/Everything handed over to a@b\.my/);
    // Each tick is kept on the Rust side (History shows it after a restart).
    expect(invokeMock).toHaveBeenCalledWith('delivery_mark', { jobId: 'j', index: 0, delivery: { linkSent: true, passwordGiven: false } });
    expect(invokeMock).toHaveBeenCalledWith('delivery_mark', { jobId: 'j', index: 0, delivery: { linkSent: true, passwordGiven: true } });
  });

  it('shows the confidential-mode steps of the mail system first, then composes under a neutral subject unless the sealed one is ticked', async () => {
    invokeMock.mockResolvedValue(undefined);
    render(ResultCard, { jobId: 'j', recipient: { index: 2, recipient: 'a@b.my', phone: null, link: 'L', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: false, mail: 'gmail' });
    q('result-email-0')!.click();
    await settle();
    expect(invokeMock).not.toHaveBeenCalledWith('compose_email', expect.anything());
    const steps = q('result-compose-0')!.textContent!;
    expect(steps).toMatch(/lock-and-clock icon/);
    expect(steps).toMatch(/3\.2 A ii 4/);
    expect(document.activeElement?.id).toBe('compose-title-0');
    expect(q('result-compose-open-0')!.textContent).toBe('Open the draft in Gmail');
    q('result-compose-open-0')!.click();
    await settle();
    expect(invokeMock).toHaveBeenLastCalledWith('compose_email', { jobId: 'j', index: 2, includeSubject: false });
    expect(q('result-compose-0')).toBeNull();
    expect(document.querySelector('[data-testid="result-0"] .status')!.textContent).toMatch(/Switch on confidential mode/);
    q<HTMLInputElement>('result-email-subject-0')!.click();
    flushSync();
    q('result-email-0')!.click();
    await settle();
    q('result-compose-open-0')!.click();
    await settle();
    expect(invokeMock).toHaveBeenLastCalledWith('compose_email', { jobId: 'j', index: 2, includeSubject: true });
  });

  it('Outlook on the web and the mail program get their own steps, and Close opens nothing', async () => {
    invokeMock.mockResolvedValue(undefined);
    render(ResultCard, { jobId: 'j', recipient: { index: 0, recipient: 'a@b.my', phone: null, link: 'L', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: false, mail: 'outlook' });
    q('result-email-0')!.click();
    await settle();
    expect(q('result-compose-0')!.textContent).toMatch(/choose Encrypt/);
    q('result-compose-close-0')!.click();
    await settle();
    expect(q('result-compose-0')).toBeNull();
    expect(invokeMock).not.toHaveBeenCalledWith('compose_email', expect.anything());
    cleanup();
    render(ResultCard, { jobId: 'j', recipient: { index: 0, recipient: 'a@b.my', phone: null, link: 'L', hasPassword: true, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: false, mail: 'system' });
    q('result-email-0')!.click();
    await settle();
    expect(q('result-compose-0')!.textContent).toMatch(/If your mail program has a confidential mode/);
  });

  it('a link-only recipient has nothing to tick but the link, and no phone', () => {
    render(ResultCard, { jobId: 'j', recipient: { index: 0, recipient: 'a@b.my', phone: null, link: 'L', hasPassword: false, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: true, mail: 'system' });
    expect(q('result-password-given-0')).toBeNull();
    expect(q('result-phone-0')).toBeNull();
    q<HTMLInputElement>('result-link-given-0')!.click();
    flushSync();
    expect(q('result-all-given-0')).not.toBeNull();
  });
});

describe('ReceiveView', () => {
  it('keeps a refused link to check, and the focus never falls to the page', async () => {
    invokeMock.mockImplementation(async (cmd) => {
      if (cmd === 'receive_open') throw { code: 'unavailable', params: {} };
      throw { code: 'unexpected', params: {} };
    });
    render(ReceiveView, {});
    await settle();
    type('receive-link', 'https://kepil.agensi.gov.my/t/AAAAAAAAAAAAAAAAAAAAAA#BBBBBBBBBBBBBBBBBBBBBB');
    q('receive-open')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('receive-error')).not.toBeNull();
    expect(document.activeElement).toBe(q('receive-start-over'));
    expect(q('receive-start-over')!.textContent).toMatch(/Back to the link/);
    q('receive-start-over')!.click();
    await settle();
    // The message says to check the link: it is still there to check.
    expect(q<HTMLTextAreaElement>('receive-link')!.value).toMatch(/AAAAAAAAAAAAAAAAAAAAAA/);
    expect(document.activeElement).toBe(q('receive-link'));
  });

  it('shows tries left on a wrong password and renders the manifest as text', async () => {
    const info = { grantId: 'g', classification: 'SULIT', size: 1, expiresAt: '2026-12-01T00:00:00Z', store: 's', storeView: { host: 's', name: null, idn: false, standing: 'trusted' } };
    invokeMock
      .mockResolvedValueOnce(info)
      .mockRejectedValueOnce({ code: 'wrong_password', params: { tries_left: '2' } })
      .mockResolvedValueOnce({ downloadsLeft: 1, manifest: { classification: 'SULIT', sender: 'x@y.my', subject: 's', message: '<img src=x onerror=alert(1)>', createdAt: '', expiresAt: '', files: [{ name: '<b>n</b>.pdf', shown: '<b>n</b>.pdf', size: 1, danger: null }] }, trust: { store: 's', verifiedSender: null, senderCheck: 'unverified', sealedClassification: 'SULIT', declaredClassification: 'SULIT' }, warnings: [], localScan: { scanner: null, reason: null } });
    render(ReceiveView, {});
    await settle();
    type('receive-link', 'https://s/t/a\n#b');
    flushSync();
    q('receive-open')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    type('receive-password', 'AAAA');
    q('receive-unlock')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('receive-error')!.textContent).toMatch(/2 tries left/);
    expect(q('receive-password')!.getAttribute('aria-invalid')).toBe('true');
    q('receive-unlock')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('manifest-message')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(q('manifest-files')!.textContent).toContain('<b>n</b>.pdf');
    expect(document.querySelector('img, b')).toBeNull();
    expect(q('receive-save')).not.toBeNull();
  });
});

describe('TERBUKA (no password)', () => {
  it('a link-only recipient has no password controls', () => {
    render(ResultCard, { jobId: 'j', recipient: { index: 0, recipient: 'a@b.my', phone: null, link: 'L', hasPassword: false, delivery: { linkSent: false, passwordGiven: false } }, position: 0, smsEnabled: true, mail: 'system' });
    expect(q('result-reveal-0')).toBeNull();
    expect(q('result-no-password-0')).not.toBeNull();
  });

  it('shows who the store vouches for apart from the package, and the warnings before saving', async () => {
    invokeMock
      .mockResolvedValueOnce({ grantId: 'g', classification: 'SULIT', size: 1, expiresAt: '', store: 's', requiresPassword: false, storeView: { host: 's', name: null, idn: false, standing: 'trusted' } })
      .mockResolvedValueOnce({
        jobId: 'r1',
        downloadsLeft: 1,
        manifest: { classification: 'SULIT', sender: 'ketua@agensi.gov.my', subject: '', message: '', createdAt: '', expiresAt: '', files: [{ name: 'a.exe', shown: 'a.exe', size: 1, danger: 'program' }] },
        trust: { store: 'kepil.agensi.gov.my', verifiedSender: { email: 'pengirim@agensi.gov.my', name: null, serviceToken: false }, senderCheck: 'differs', sealedClassification: 'SULIT', declaredClassification: 'SULIT' },
        warnings: [{ code: 'sender_differs', params: { sealed: 'ketua@agensi.gov.my', verified: 'pengirim@agensi.gov.my', store: 'kepil.agensi.gov.my' } }],
        localScan: { scanner: null, reason: { code: 'scanner_unreachable', params: { address: 'unix:/run/clamav/clamd.ctl', reason: 'No such file' } } }
      });
    render(ReceiveView, {});
    type('receive-link', 'https://s/t/a#b');
    flushSync();
    q('receive-open')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    q('receive-unlock')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('verified-sender')!.textContent).toMatch(/pengirim@agensi\.gov\.my.*kepil\.agensi\.gov\.my/);
    expect(q('manifest-sender')!.textContent).toBe('ketua@agensi.gov.my');
    expect(q('file-danger')).not.toBeNull();
    // Neither end scanned: said plainly, with why this computer did not.
    expect(q('sender-scan')!.textContent).toMatch(/Tidak diimbas oleh penghantar|Not scanned by the sender/);
    expect(q('local-scan')!.textContent).toMatch(/(TIDAK|NOT) (diimbas|scanned).*clamd\.ctl/s);
    const warnings = q('receive-warnings')!;
    expect(warnings.querySelector('[data-code="sender_differs"]')!.textContent).toMatch(/ketua@agensi\.gov\.my/);
    expect(q('receive-save')!.textContent).toMatch(/Simpan juga|Save anyway/);
  });

  it("a detection on saving shows the report to copy, and the sender's scan as the package seals it", async () => {
    invokeMock
      .mockResolvedValueOnce({ grantId: 'g', classification: 'SULIT', size: 1, expiresAt: '', store: 's', requiresPassword: false, storeView: { host: 's', name: null, idn: false, standing: 'trusted' } })
      .mockResolvedValueOnce({
        jobId: 'r1',
        downloadsLeft: 1,
        manifest: { classification: 'SULIT', sender: 'a@agensi.gov.my', subject: '', message: '', createdAt: '', expiresAt: '', files: [{ name: 'a.pdf', shown: 'a.pdf', size: 1, danger: null }], senderScan: { engine: 'ClamAV 1.4.6', signatures: 27480, signaturesDate: '2026-12-01T09:00:00Z', scannedAt: '2026-12-02T08:00:00Z' } },
        trust: { store: 'kepil.agensi.gov.my', verifiedSender: { email: 'a@agensi.gov.my', name: null, serviceToken: false }, senderCheck: 'matches', sealedClassification: 'SULIT', declaredClassification: 'SULIT' },
        warnings: [],
        localScan: { scanner: { engine: 'ClamAV 1.4.6', signatures: 27480, signaturesDate: null, scannedAt: null }, reason: null }
      })
      .mockResolvedValueOnce({ id: 'd1', path: '/home/u/Dokumen' })
      .mockResolvedValueOnce('r1');
    render(ReceiveView, {});
    type('receive-link', 'https://s/t/a#b');
    flushSync();
    q('receive-open')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    q('receive-unlock')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('sender-scan')!.textContent).toMatch(/ClamAV 1\.4\.6/);
    expect(q('local-scan')!.textContent).toMatch(/ClamAV 1\.4\.6/);
    q('receive-save')!.click();
    await settle();
    sendOn('receive_save', 'failed', { jobId: 'r1', error: { code: 'infected_receive', params: { name: 'a.pdf', signature: 'Win.Test.EICAR_HDB-1', transfer_id: 'T123', sender: 'a@agensi.gov.my', sender_status: 'verified', store: 'kepil.agensi.gov.my' } } });
    await settle();
    expect(q('receive-error')!.dataset.code).toBe('infected_receive');
    const report = q('infected-report')!.textContent!;
    for (const part of ['T123', 'a@agensi.gov.my', 'kepil.agensi.gov.my', 'Win.Test.EICAR_HDB-1']) expect(report).toContain(part);
    expect(q('receive-save')).toBeNull();
  });

  it('a link to a store this computer does not know is contacted only after the person confirms it', async () => {
    invokeMock
      .mockRejectedValueOnce({ code: 'store_unconfirmed', params: { host: 'xn--kepl-9cd.agensi.gov.my', idn: 'yes' } })
      .mockResolvedValueOnce({ grantId: 'g', classification: 'SULIT', size: 1, expiresAt: '', store: 's', requiresPassword: true, storeView: { host: 'xn--kepl-9cd.agensi.gov.my', name: null, idn: true, standing: 'confirmed' } });
    render(ReceiveView, {});
    type('receive-link', 'https://xn--kepl-9cd.agensi.gov.my/t/a#b');
    flushSync();
    q('receive-open')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('receive-store-host')!.textContent).toBe('xn--kepl-9cd.agensi.gov.my');
    expect(q('receive-store-unknown')!.textContent).toMatch(/xn--|non-Latin|bukan Latin/);
    expect(q('receive-password')).toBeNull();
    expect(invokeMock).toHaveBeenCalledTimes(1);
    q('receive-contact-store')!.click();
    await settle();
    expect(invokeMock).toHaveBeenLastCalledWith('receive_open', { link: 'https://xn--kepl-9cd.agensi.gov.my/t/a#b', confirmStore: true });
    expect(q('receive-store')!.textContent).toMatch(/xn--kepl-9cd\.agensi\.gov\.my/);
    expect(q('receive-password')).not.toBeNull();
  });

  it('receiving needs no password', async () => {
    invokeMock
      .mockResolvedValueOnce({ grantId: 'g', classification: 'TERBUKA', size: 1, expiresAt: '', store: 's', requiresPassword: false, storeView: { host: 's', name: null, idn: false, standing: 'trusted' } })
      .mockResolvedValueOnce({ jobId: 'r1', downloadsLeft: 1, manifest: { classification: 'TERBUKA', sender: 'x', subject: '', message: '', createdAt: '', expiresAt: '', files: [] }, trust: { store: 's', verifiedSender: null, senderCheck: 'unverified', sealedClassification: 'TERBUKA', declaredClassification: 'TERBUKA' }, warnings: [], localScan: { scanner: null, reason: null } });
    render(ReceiveView, {});
    type('receive-link', 'https://s/t/a#b');
    flushSync();
    q('receive-open')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(q('receive-password')).toBeNull();
    q('receive-unlock')!.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(invokeMock).toHaveBeenLastCalledWith('receive_unlock', { link: 'https://s/t/a#b', password: null, onEvent: expect.any(MockChannel) });
    expect(q('receive-save')).not.toBeNull();
  });
});

describe('SettingsView', () => {
  it('shows locked settings disabled with the policy note, and never shows the token', () => {
    render(SettingsView, { appState: appState({ locked: ['storeUrl', 'lang'], tokenSet: true }) });
    expect(q<HTMLInputElement>('settings-store-url')!.disabled).toBe(true);
    expect(q('settings-store-url-locked')!.textContent).toMatch(/Locked by your agency/);
    expect(q('settings-save')).toBeNull();
    expect(q<HTMLInputElement>('settings-lang-en')!.closest('fieldset')!.disabled).toBe(true);
    expect(q('settings-token-status')!.textContent).toMatch(/A token is set/);
    expect(q<HTMLInputElement>('settings-token')!.type).toBe('password');
    expect(q<HTMLInputElement>('settings-token')!.value).toBe('');
  });

  it('chooses where the link’s email is composed, unless the policy locks it', async () => {
    invokeMock.mockImplementation(async (cmd, args) => (cmd === 'settings_save' ? appState({ mail: (args as { request: { mail: AppState['mail'] } }).request.mail }) : undefined));
    render(SettingsView, { appState: appState() });
    expect(q<HTMLInputElement>('settings-mail-system')!.checked).toBe(true);
    q<HTMLInputElement>('settings-mail-gmail')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('settings_save', { request: { mail: 'gmail' } });
    cleanup();
    render(SettingsView, { appState: appState({ mail: 'gmail', locked: ['mail'] }) });
    expect(q<HTMLInputElement>('settings-mail-gmail')!.checked).toBe(true);
    expect(q<HTMLInputElement>('settings-mail-outlook')!.closest('fieldset')!.disabled).toBe(true);
  });

  it('says where the secrets really are, and when the keyring has not answered', () => {
    render(SettingsView, { appState: appState() });
    expect(q('settings-secrets-keyring')!.textContent).toMatch(/system keyring|storan kelayakan sistem/);
    expect(q('settings-secrets-file')).toBeNull();
    expect(q('settings-secrets-waiting')).toBeNull();
    cleanup();

    const path = '/home/u/.config/kepil/credentials.toml';
    render(SettingsView, { appState: appState({ tokenSet: false, secrets: { keyring: true, fileReason: 'unanswered', file: path, waiting: true } }) });
    expect(q('settings-secrets-waiting')).not.toBeNull();
    expect(q('settings-secrets-file')!.textContent).toContain(path);
    // Not "no token": the keyring may hold one behind its prompt.
    expect(q('settings-token-status')!.textContent).toMatch(/cannot be read|tidak dapat dibaca/);
    cleanup();

    render(SettingsView, { appState: appState({ tokenSet: true, secrets: { keyring: false, fileReason: 'no_keyring', file: path, waiting: false } }) });
    expect(q('settings-secrets-keyring')).toBeNull();
    expect(q('settings-secrets-file')!.textContent).toMatch(/no system keyring|tiada storan kelayakan/);
  });

  it('signs in through the browser and shows who is signed in', async () => {
    const providers = [{ id: 'mygovuc', displayName: 'MyGovUC' }];
    invokeMock.mockImplementation(async (cmd) => {
      if (cmd === 'sign_in_start') return { jobId: 'i1', provider: 'MyGovUC', url: 'https://idp.example/auth?x=1', browserOpened: true };
      if (cmd === 'app_state') return appState({ account: account({ providers, session: session() }) });
      throw { code: 'unexpected', params: {} };
    });
    render(SettingsView, { appState: appState({ account: account({ providers }) }) });
    expect(q('account-signed-out')!.textContent).toMatch(/not signed in/);
    q('account-sign-in')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('sign_in_start', expect.objectContaining({ provider: 'mygovuc' }));
    expect(q('account-waiting')!.textContent).toMatch(/Finish signing in in the browser that opened for MyGovUC/);
    sendOn('sign_in_start', 'done', session());
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('app_state', undefined);
  });

  it('shows the signed-in person with Sign out, and the policy that requires it', async () => {
    invokeMock.mockImplementation(async (cmd) => {
      if (cmd === 'sign_out') return { email: 'alice@agensi.gov.my', storeError: null };
      if (cmd === 'app_state') return appState({ account: account({ policyRequires: true }) });
      throw { code: 'unexpected', params: {} };
    });
    render(SettingsView, { appState: appState({ account: account({ policyRequires: true, providers: [{ id: 'mygovuc', displayName: 'MyGovUC' }], session: session() }) }) });
    expect(q('account-signed-in')!.textContent).toMatch(/Signed in as Alice Tan <alice@agensi.gov.my> with MyGovUC/);
    expect(q('account-required')).not.toBeNull();
    q('account-sign-out')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('sign_out', undefined);
    expect(document.body.textContent).toMatch(/You are signed out/);
  });

  it('a locked token has no input, and says who locked it', () => {
    render(SettingsView, { appState: appState({ tokenLocked: true }) });
    expect(q('settings-token')).toBeNull();
    expect(q('settings-token-locked')!.textContent).toMatch(/agency’s policy/);
    expect(q('settings-limits-source')!.textContent).toMatch(/Set by the store kepil\.example\.gov\.my/);
    cleanup();
    // The local store: no agency and no policy are involved, so none is named.
    render(SettingsView, { appState: appState({ tokenLocked: true, store: { url: 'http://127.0.0.1:4000/', local: true, locked: false } }) });
    expect(q('settings-token-locked')!.textContent).toMatch(/Kepil makes and keeps its own/);
    expect(q('settings-token-locked')!.textContent).not.toMatch(/policy/);
    expect(q('settings-limits-source')!.textContent).toMatch(/no agency policy applies/);
  });
});

describe('HistoryView', () => {
  it("signed in, shows the person's transfers sent from other computers and revokes one", async () => {
    // jsdom may lack the modal API of <dialog>; the dialog's own behaviour is the browser's.
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
    app.state = appState({ account: account({ session: session() }) });
    const elsewhere = { transferId: 'T1', sender: 'alice@agensi.gov.my', classification: 'SULIT', size: 2048, createdAt: '2026-12-02T08:00:00Z', expiresAt: '2026-12-05T08:00:00Z', uploadComplete: true, grants: 2, downloads: 1, here: false };
    const mine = { ...elsewhere, transferId: 'T2', here: true };
    invokeMock.mockImplementation(async (cmd, args) => {
      if (cmd === 'history_list') return [];
      if (cmd === 'account_transfers') return [elsewhere, mine];
      if (cmd === 'account_revoke') return args?.transferId === 'T1' ? null : Promise.reject({ code: 'unavailable', params: {} });
      throw { code: 'unexpected', params: {} };
    });
    render(HistoryView, { active: true });
    await settle();
    expect(q('history-remote-section')!.textContent).toContain('alice@agensi.gov.my');
    expect(q('history-remote-0')!.textContent).toMatch(/SULIT/);
    expect(q('history-remote-1')).toBeNull();
    q('history-remote-revoke-0')!.click();
    await settle();
    document.querySelector<HTMLButtonElement>('dialog[open] [data-testid="confirm-ok"]')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('account_revoke', { transferId: 'T1' });
    expect(q('history-remote-error')).toBeNull();
    expect(q('history-remote-section')!.textContent).toMatch(/Ditarik balik: tiada penerima|Revoked: no recipient/);
  });

  it('an earlier send whose passwords the keyring keeps shows its cards, addressed by transfer and history place', async () => {
    app.state = appState();
    const D = { linkSent: false, passwordGiven: false };
    const item = { transferId: 'T1', store: 'https://stor.gov.my', createdAt: '2026-12-02T08:00:00Z', expiresAt: '2099-12-05T08:00:00Z', classification: 'SULIT', size: 10, recipients: [{ label: 'a@b.my', grantId: 'g1', delivery: { linkSent: true, passwordGiven: true } }, { label: 'c@d.my', grantId: 'g2', delivery: { linkSent: true, passwordGiven: false } }], subject: 'Minit', files: ['minit.pdf'], handover: true };
    invokeMock.mockImplementation(async (cmd) => {
      if (cmd === 'history_list') return [item];
      if (cmd === 'history_status') throw { code: 'store_unreachable', params: {} };
      // The first recipient has everything: only the second is still kept.
      if (cmd === 'handover_show') return [{ index: 1, recipient: 'c@d.my', phone: '+60123456789', link: 'https://s/t/g2#x', hasPassword: true, delivery: { ...D, linkSent: true } }];
      if (cmd === 'reveal_password') return 'abcdefghjkmnpqrs';
      return undefined;
    });
    render(HistoryView, { active: true });
    await settle();
    expect(q('result-reveal-h0-0')).toBeNull();
    q('history-handover-0')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('handover_show', { transferId: 'T1' });
    expect(q('result-link-h0-0')!.textContent).toBe('https://s/t/g2#x');
    expect(q<HTMLInputElement>('result-link-given-h0-0')!.checked).toBe(true);
    expect(q<HTMLInputElement>('result-password-given-h0-0')!.checked).toBe(false);
    q('result-reveal-h0-0')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('reveal_password', { jobId: 'T1', index: 1 });
    expect(q('result-password-h0-0')!.textContent).toBe('ABCD-EFGH-JKMN-PQRS');
    q('history-handover-0')!.click();
    await settle();
    expect(q('result-password-h0-0')).toBeNull();
  });

  it('a locked recipient gets an Unlock that asks first, then shows the fresh status', async () => {
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
    app.state = appState();
    const item = { transferId: 'T1', store: 'https://stor.gov.my', createdAt: '2026-12-02T08:00:00Z', expiresAt: '2099-12-05T08:00:00Z', classification: 'SULIT', size: 10, recipients: [{ label: 'a@b.my', grantId: 'g1' }, { label: 'c@d.my', grantId: 'g2' }], subject: 'Minit mesyuarat', files: ['minit.pdf', 'lampiran.xlsx'] };
    const grant = (id: string, label: string, locked: boolean) => ({ grant_id: id, label, downloads: 0, max_downloads: 3, failed_proofs: locked ? 10 : 0, locked, revoked: false });
    let locked = true;
    invokeMock.mockImplementation(async (cmd, args) => {
      if (cmd === 'history_list') return [item];
      if (cmd === 'history_status')
        return { transfer_id: 'T1', classification: 'SULIT', size: 10, created_at: '', expires_at: '', upload_complete: true, expired: false, grants: [grant('g1', 'a@b.my', false), grant('g2', 'c@d.my', locked)] };
      if (cmd === 'history_unlock' && args?.recipient === 'g2') {
        locked = false;
        return 'c@d.my';
      }
      throw { code: 'unexpected', params: {} };
    });
    render(HistoryView, { active: true });
    await settle();
    // What tells transfers apart: the subject and the files, kept on this computer.
    expect(q('history-subject-0')!.textContent).toBe('Minit mesyuarat');
    expect(q('history-files-0')!.textContent).toMatch(/minit\.pdf, lampiran\.xlsx/);
    expect(q('history-unlock-0-0')).toBeNull();
    q('history-unlock-0-1')!.click();
    await settle();
    const dialog = document.querySelector('dialog[open]')!;
    expect(dialog.textContent).toMatch(/c@d\.my/);
    expect(invokeMock).not.toHaveBeenCalledWith('history_unlock', expect.anything());
    dialog.querySelector<HTMLButtonElement>('[data-testid="confirm-ok"]')!.click();
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('history_unlock', { transferId: 'T1', recipient: 'g2' });
    expect(q('history-item-0')!.textContent).toMatch(/Dibuka kunci: c@d\.my|Unlocked: c@d\.my/);
    expect(q('history-unlock-0-1')).toBeNull();
    expect(q('history-item-error')).toBeNull();
  });

  it('signed out, there is no such section and the store is not asked', async () => {
    app.state = appState();
    invokeMock.mockImplementation(async (cmd) => {
      if (cmd === 'history_list') return [];
      throw { code: 'unexpected', params: {} };
    });
    render(HistoryView, { active: true });
    await settle();
    expect(q('history-remote-section')).toBeNull();
    expect(invokeMock).not.toHaveBeenCalledWith('account_transfers', undefined);
  });
});
