import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MockChannel, bus, deferred, invokeMock, listenMock, sendOn } from './tauriMock';

vi.mock('@tauri-apps/api/core', () => ({ invoke: (cmd: string, args?: Record<string, unknown>) => invokeMock(cmd, args), Channel: MockChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen: listenMock }));

import { buildRequest, SendFlow, uploaderOf, type SendForm } from '../lib/sendFlow';
import type { SendState } from '../lib/sendFlow';
import { DAY, account, appState, policy, session } from './fixtures';

function form(over: Partial<SendForm> = {}): SendForm {
  return {
    files: [{ id: 'f1', name: 'a.pdf', size: 1000 }],
    classification: 'SULIT',
    recipients: [{ email: 'ali@jpm.gov.my', phone: '012-345 6789' }],
    expiresSecs: 2 * DAY,
    maxDownloads: 3,
    subject: '  Mesyuarat  ',
    message: 'Sila semak.',
    ...over,
  };
}

describe('uploaderOf', () => {
  it('needs a sign-in where the policy or the store requires one, whatever token is saved', () => {
    expect(uploaderOf(appState({ account: account({ policyRequires: true }) }))).toBe('need_sign_in');
    expect(uploaderOf(appState({ account: account({ storeRequires: true }) }))).toBe('need_sign_in');
    expect(uploaderOf(appState({ tokenSet: false, account: account({ policyRequires: true, session: session() }) }))).toBe(true);
    expect(uploaderOf(appState({ tokenSet: false }))).toBe(false);
    expect(uploaderOf(appState({ tokenSet: true }))).toBe(true);
    expect(uploaderOf(appState({ tokenSet: false, store: { url: 'http://127.0.0.1:1/', local: true, locked: false } }))).toBe(true);
  });

  it('blocks the request without a sign-in, and carries a display name only when given', () => {
    expect(buildRequest(form(), policy(), 'need_sign_in')).toEqual({ ok: false, blockers: ['need_sign_in'] });
    const r = buildRequest(form({ senderName: '  Alice Tan ' }), policy(), true);
    expect(r.ok && r.request.senderName).toBe('Alice Tan');
    const r2 = buildRequest(form({ senderName: ' ' }), policy(), true);
    expect(r2.ok && 'senderName' in r2.request).toBe(false);
  });
});

describe('buildRequest', () => {
  it('builds the send_start request with normalised phone and trimmed subject', () => {
    const r = buildRequest(form(), policy(), true);
    expect(r).toEqual({
      ok: true,
      request: {
        fileIds: ['f1'],
        classification: 'SULIT',
        recipients: [{ email: 'ali@jpm.gov.my', phone: '+60123456789' }],
        expiresSecs: 2 * DAY,
        maxDownloads: 3,
        subject: 'Mesyuarat',
        message: 'Sila semak.',
      },
    });
  });

  it('omits an empty phone', () => {
    const r = buildRequest(form({ recipients: [{ email: 'a@b.gov.my', phone: ' ' }] }), policy(), true);
    expect(r.ok && r.request.recipients).toEqual([{ email: 'a@b.gov.my' }]);
  });

  it('TERBUKA has no password, so a phone typed earlier is neither checked nor sent', () => {
    const r = buildRequest(form({ classification: 'TERBUKA', recipients: [{ email: 'a@b.gov.my', phone: 'not a phone' }] }), policy(), true);
    expect(r.ok && r.request.recipients).toEqual([{ email: 'a@b.gov.my' }]);
    const sulit = buildRequest(form({ recipients: [{ email: 'a@b.gov.my', phone: 'not a phone' }] }), policy(), true);
    expect(sulit).toEqual({ ok: false, blockers: ['need_recipients'] });
  });

  it('refuses RAHSIA even when a (misconfigured) policy lists it', () => {
    const r = buildRequest(form({ classification: 'RAHSIA' }), policy({ classifications: ['RAHSIA', 'SULIT'] }), true);
    expect(r).toEqual({ ok: false, blockers: ['need_cls'] });
    const r2 = buildRequest(form({ classification: 'RAHSIA BESAR' }), policy(), true);
    expect(r2.ok).toBe(false);
  });

  it('refuses a classification the policy does not allow', () => {
    const r = buildRequest(form({ classification: 'TERBUKA' }), policy({ classifications: ['SULIT'] }), true);
    expect(r).toEqual({ ok: false, blockers: ['need_cls'] });
  });

  it('lists every blocker', () => {
    const r = buildRequest(form({ files: [], classification: null, recipients: [{ email: 'not-an-email', phone: '' }] }), policy(), false);
    expect(r).toEqual({ ok: false, blockers: ['need_files', 'need_cls', 'need_recipients', 'need_token'] });
  });

  it('blocks duplicate recipients and oversize transfers', () => {
    const dup = buildRequest(form({ recipients: [{ email: 'a@b.my', phone: '' }, { email: 'A@b.my', phone: '' }] }), policy(), true);
    expect(dup).toEqual({ ok: false, blockers: ['need_recipients'] });
    const big = buildRequest(form({ files: [{ id: 'x', name: 'x', size: 11 * 1024 ** 3 }] }), policy(), true);
    expect(big).toEqual({ ok: false, blockers: ['too_big'] });
  });

  it('clamps expiry and downloads to the policy', () => {
    const r = buildRequest(form({ expiresSecs: 30 * DAY, maxDownloads: 99 }), policy(), true);
    expect(r.ok && r.request.expiresSecs).toBe(2 * DAY); // SULIT default, since 30 d > 7 d max
    expect(r.ok && r.request.maxDownloads).toBe(5);
  });
});

describe('SendFlow', () => {
  let flow: SendFlow;
  let states: SendState['kind'][];

  beforeEach(async () => {
    bus.reset();
    invokeMock.mockReset();
    flow = new SendFlow();
    states = [];
    flow.onChange((s) => states.push(s.kind));
  });

  const req = () => {
    const r = buildRequest(form(), policy(), true);
    if (!r.ok) throw new Error('bad fixture');
    return r.request;
  };

  it('goes idle → starting → sending → done, passing the request as `request` and a channel as `onEvent`', async () => {
    invokeMock.mockResolvedValueOnce('job-1');
    await flow.start(req());
    expect(invokeMock).toHaveBeenCalledWith('send_start', { request: req(), onEvent: expect.any(MockChannel) });
    sendOn('send_start', 'progress', { jobId: 'job-1', phase: 'upload', done: 50, total: 100, bytesPerSec: 1e6, etaSecs: 1 });
    expect(flow.state).toMatchObject({ kind: 'sending', progress: { done: 50 } });
    sendOn('send_start', 'done', { jobId: 'job-1', transferId: 't', expiresAt: '2026-12-01T00:00:00Z', recipients: [{ index: 0, recipient: 'ali@jpm.gov.my', link: 'https://s/t/x#y' }] });
    expect(flow.state.kind).toBe('done');
    expect(states).toEqual(['idle', 'starting', 'sending', 'sending', 'done']);
  });

  it('does not listen to the channel of an earlier send', async () => {
    invokeMock.mockResolvedValueOnce('job-1').mockResolvedValueOnce('job-2');
    await flow.start(req());
    sendOn('send_start', 'done', { jobId: 'job-1', transferId: 't', expiresAt: '', recipients: [] });
    flow.reset();
    await flow.start(req());
    sendOn('send_start', 'failed', { jobId: 'job-1', error: { code: 'network', params: {} } }, 0);
    expect(flow.state).toMatchObject({ kind: 'sending', jobId: 'job-2' });
  });

  it('follows the channel even before send_start returns, and is not sent back by its answer', async () => {
    const d = deferred<string>();
    invokeMock.mockReturnValueOnce(d.promise);
    const p = flow.start(req());
    sendOn('send_start', 'progress', { jobId: 'job-2', phase: 'keys', done: 0, total: 10, bytesPerSec: 0, etaSecs: null });
    expect(flow.state).toMatchObject({ kind: 'sending', jobId: 'job-2', progress: { phase: 'keys' } });
    sendOn('send_start', 'done', { jobId: 'job-2', transferId: 't2', expiresAt: '', recipients: [] });
    d.resolve('job-2');
    await p;
    expect(flow.state).toMatchObject({ kind: 'done', result: { transferId: 't2' } });
  });

  it('a failed send_start shows the normalised error', async () => {
    invokeMock.mockRejectedValueOnce({ code: 'no_token', params: { store: 'https://s' } });
    await flow.start(req());
    expect(flow.state).toEqual({ kind: 'failed', error: { code: 'no_token', params: { store: 'https://s' } } });
  });

  it('send-failed moves to failed, with a string error normalised', async () => {
    invokeMock.mockResolvedValueOnce('job-3');
    await flow.start(req());
    sendOn('send_start', 'failed', { jobId: 'job-3', error: 'boom' });
    expect(flow.state).toEqual({ kind: 'failed', error: { code: 'ipc_error', params: { message: 'boom' } } });
  });

  it('cancel calls send_cancel and ends in cancelled when Rust reports it', async () => {
    invokeMock.mockResolvedValueOnce('job-4').mockResolvedValueOnce(undefined);
    await flow.start(req());
    await flow.cancel();
    expect(invokeMock).toHaveBeenLastCalledWith('send_cancel', { jobId: 'job-4' });
    expect(flow.state).toMatchObject({ kind: 'sending', cancelling: true });
    sendOn('send_start', 'failed', { jobId: 'job-4', error: { code: 'cancelled', params: {} } });
    expect(flow.state.kind).toBe('cancelled');
  });

  it('does not start twice while busy', async () => {
    const d = deferred<string>();
    invokeMock.mockReturnValueOnce(d.promise);
    const p = flow.start(req());
    await flow.start(req());
    d.resolve('job-5');
    await p;
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });

  it('detach stops listening to the channel', async () => {
    invokeMock.mockResolvedValueOnce('job-6');
    await flow.start(req());
    flow.detach();
    sendOn('send_start', 'done', { jobId: 'job-6', transferId: 't', expiresAt: '', recipients: [] });
    expect(flow.state.kind).toBe('sending');
  });
});
