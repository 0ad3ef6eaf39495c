import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MockChannel, bus, deferred, invokeMock, listenMock, sendOn } from './tauriMock';

vi.mock('@tauri-apps/api/core', () => ({ invoke: (cmd: string, args?: Record<string, unknown>) => invokeMock(cmd, args), Channel: MockChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen: listenMock }));

import { ReceiveFlow } from '../lib/receiveFlow';
import { describeError } from '../lib/i18n';

const INFO = { grantId: 'g1', classification: 'SULIT', size: 2048, expiresAt: '2026-12-01T00:00:00Z', store: 'https://s', storeView: { host: 's', name: null, idn: false, standing: 'trusted' } };
const UNLOCKED = {
  downloadsLeft: 2,
  manifest: { classification: 'SULIT', sender: 'a@b.gov.my', subject: 'S', message: '<b>hi</b>', createdAt: '', expiresAt: '', files: [{ name: 'x.pdf', size: 10 }], senderScan: null },
  localScan: { scanner: null, reason: null },
};
const LINK = 'https://kepil.gov.my/t/ABC#def';

describe('ReceiveFlow', () => {
  let flow: ReceiveFlow;

  beforeEach(async () => {
    bus.reset();
    invokeMock.mockReset();
    flow = new ReceiveFlow();
  });

  async function toUnlocked() {
    invokeMock.mockResolvedValueOnce(INFO).mockResolvedValueOnce(UNLOCKED);
    await flow.open(LINK);
    await flow.unlock('ABCD-EFGH-JKMN-PQRS');
    expect(flow.state.kind).toBe('unlocked');
  }

  it('cleans line breaks from a pasted link before receive_open', async () => {
    invokeMock.mockResolvedValueOnce(INFO);
    await flow.open('  https://kepil.gov.my/t/AB\r\nC#de\nf \n');
    expect(invokeMock).toHaveBeenCalledWith('receive_open', { link: LINK, confirmStore: false });
    expect(flow.state).toMatchObject({ kind: 'opened', info: INFO });
  });

  it('an empty link asks for a link without calling Rust', async () => {
    await flow.open(' \n ');
    expect(invokeMock).not.toHaveBeenCalled();
    expect(flow.state).toMatchObject({ kind: 'idle', error: { code: 'link_not_found' } });
  });

  it('wrong_password stays on the password step with tries left', async () => {
    invokeMock.mockResolvedValueOnce(INFO).mockRejectedValueOnce({ code: 'wrong_password', params: { tries_left: '4' } });
    await flow.open(LINK);
    await flow.unlock('AAAA-BBBB-CCCC-DDDD');
    expect(flow.state).toMatchObject({ kind: 'opened', triesLeft: 4, error: { code: 'wrong_password' } });
    const s = flow.state;
    if (s.kind !== 'opened' || !s.error) throw new Error('unreachable');
    expect(describeError(s.error, 'ms')).toContain('Tinggal 4 cubaan');
  });

  it.each(['locked', 'expired', 'revoked', 'used_up', 'unavailable'])('%s is final: blocked, no more password entry', async (code) => {
    invokeMock.mockResolvedValueOnce(INFO).mockRejectedValueOnce({ code, params: {} });
    await flow.open(LINK);
    await flow.unlock('AAAA-BBBB-CCCC-DDDD');
    expect(flow.state).toMatchObject({ kind: 'blocked', error: { code } });
    await flow.unlock('again');
    expect(invokeMock).toHaveBeenCalledTimes(2);
  });

  it('shows the unlock phases (key derivation) while unlocking', async () => {
    const d = deferred<unknown>();
    invokeMock.mockResolvedValueOnce(INFO).mockReturnValueOnce(d.promise);
    await flow.open(LINK);
    const p = flow.unlock('ABCD-EFGH-JKMN-PQRS');
    expect(invokeMock).toHaveBeenLastCalledWith('receive_unlock', { link: LINK, password: 'ABCD-EFGH-JKMN-PQRS', onEvent: expect.any(MockChannel) });
    sendOn('receive_unlock', 'progress', { jobId: 'r9', phase: 'deriving', done: 0, total: 0, bytesPerSec: 0, etaSecs: null });
    expect(flow.state).toMatchObject({ kind: 'unlocking', progress: { phase: 'deriving' } });
    d.resolve({ ...UNLOCKED, jobId: 'r9' });
    await p;
    expect(flow.state.kind).toBe('unlocked');
  });

  it('start over after unlocking discards the download on the Rust side', async () => {
    invokeMock.mockResolvedValueOnce(INFO).mockResolvedValueOnce({ ...UNLOCKED, jobId: 'r7' }).mockResolvedValue(undefined);
    await flow.open(LINK);
    await flow.unlock('ABCD-EFGH-JKMN-PQRS');
    flow.reset();
    expect(invokeMock).toHaveBeenLastCalledWith('receive_cancel', { jobId: 'r7' });
    expect(flow.state.kind).toBe('idle');
  });

  it('an empty password is refused locally (no try used)', async () => {
    invokeMock.mockResolvedValueOnce(INFO);
    await flow.open(LINK);
    await flow.unlock('   ');
    expect(invokeMock).toHaveBeenCalledTimes(1);
    expect(flow.state).toMatchObject({ kind: 'opened', error: { code: 'password_empty' } });
  });

  it('a dismissed folder dialog changes nothing', async () => {
    await toUnlocked();
    invokeMock.mockResolvedValueOnce(null);
    await flow.chooseFolderAndSave();
    expect(flow.state.kind).toBe('unlocked');
    expect(invokeMock).not.toHaveBeenCalledWith('receive_save', expect.anything());
  });

  it('saves: pick_folder → receive_save → progress → done → open folder', async () => {
    await toUnlocked();
    invokeMock.mockResolvedValueOnce({ id: 'd1', path: '/home/u/Muat Turun' }).mockResolvedValueOnce('rjob');
    await flow.chooseFolderAndSave();
    expect(invokeMock).toHaveBeenCalledWith('receive_save', { folderId: 'd1', onEvent: expect.any(MockChannel) });
    sendOn('receive_save', 'progress', { jobId: 'rjob', phase: 'download', done: 5, total: 10, bytesPerSec: 100, etaSecs: 1 });
    expect(flow.state).toMatchObject({ kind: 'saving', progress: { done: 5 } });
    sendOn('receive_save', 'done', { jobId: 'rjob', folderId: 'd1', folder: '/home/u/Muat Turun', files: [{ name: 'x.pdf', size: 10 }] });
    expect(flow.state.kind).toBe('saved');
    invokeMock.mockResolvedValueOnce(undefined);
    await flow.openFolder();
    expect(invokeMock).toHaveBeenLastCalledWith('open_folder', { folderId: 'd1' });
  });

  it('the channel is followed even before receive_save returns', async () => {
    await toUnlocked();
    const d = deferred<string>();
    invokeMock.mockResolvedValueOnce({ id: 'd2', path: '/tmp' }).mockReturnValueOnce(d.promise);
    const p = flow.chooseFolderAndSave();
    await Promise.resolve();
    await Promise.resolve();
    sendOn('receive_save', 'done', { jobId: 'r2', folderId: 'd2', folder: '/tmp', files: [] });
    d.resolve('r2');
    await p;
    expect(flow.state.kind).toBe('saved');
  });

  it('cancel returns to the manifest with a notice; a failure shows the error', async () => {
    await toUnlocked();
    invokeMock.mockResolvedValueOnce({ id: 'd3', path: '/tmp' }).mockResolvedValueOnce('r3').mockResolvedValueOnce(undefined);
    await flow.chooseFolderAndSave();
    await flow.cancel();
    expect(invokeMock).toHaveBeenLastCalledWith('receive_cancel', { jobId: 'r3' });
    sendOn('receive_save', 'failed', { jobId: 'r3', error: { code: 'cancelled', params: {} } });
    expect(flow.state).toMatchObject({ kind: 'unlocked', notice: 'cancelled' });

    invokeMock.mockResolvedValueOnce({ id: 'd4', path: '/tmp' }).mockResolvedValueOnce('r4');
    await flow.chooseFolderAndSave();
    sendOn('receive_save', 'failed', { jobId: 'r4', error: { code: 'disk_full', params: {} } });
    expect(flow.state).toMatchObject({ kind: 'unlocked', error: { code: 'disk_full' } });
  });
});
