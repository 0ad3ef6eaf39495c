import { describe, expect, it, vi } from 'vitest';
import { MockChannel, invokeMock } from './tauriMock';

vi.mock('@tauri-apps/api/core', () => ({ invoke: (cmd: string, args?: Record<string, unknown>) => invokeMock(cmd, args), Channel: MockChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));

import { cleanLink, formatDuration, formatEta, formatSize, formatSpeed, groupPassword, passwordGroups, percent } from '../lib/format';
import { isValidEmail, normalisePhone, validateRecipients } from '../lib/validate';
import { clampDownloads, clampExpiry, defaultClassification, defaultExpiry, expiryOptions, isLocked, sendability } from '../lib/policy';
import { canRevoke, canRevokeAll, canUnlock, grantBadges, transferBadges } from '../lib/history';
import { ipc, toUiError } from '../lib/ipc';
import { zoomAfter } from '../lib/zoom';
import { appState, DAY, policy } from './fixtures';

describe('format', () => {
  it('sizes', () => {
    expect(formatSize(0, 'en')).toBe('0 B');
    expect(formatSize(1536, 'en')).toBe('1.5 KB');
    expect(formatSize(5 * 1024 ** 3, 'en')).toBe('5 GB');
    expect(formatSize(-1)).toBe('–');
  });
  it('speeds in MB/s', () => {
    expect(formatSpeed(12.34 * 1024 * 1024, 'en')).toBe('12 MB/s');
    expect(formatSpeed(1.5 * 1024 * 1024, 'en')).toBe('1.5 MB/s');
    expect(formatSpeed(20 * 1024, 'en')).toBe('20 KB/s');
    expect(formatSpeed(0)).toBe('–');
  });
  it('durations and ETA in both languages', () => {
    expect(formatDuration(3900, 'ms')).toBe('1 jam 5 min');
    expect(formatDuration(3900, 'en')).toBe('1 h 5 min');
    expect(formatDuration(2 * DAY + 3600, 'ms')).toBe('2 hari 1 jam');
    expect(formatDuration(45, 'en')).toBe('45 s');
    expect(formatEta(null)).toBe('–');
    expect(formatEta(0.2, 'ms')).toBe('< 1 saat');
  });
  it('percent is bounded and safe with total 0', () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(5, 0)).toBe(0);
    expect(percent(300, 200)).toBe(100);
  });
  it('groups passwords for dictation', () => {
    expect(groupPassword('abcdefghjkmnpqrs')).toBe('ABCD-EFGH-JKMN-PQRS');
    expect(groupPassword('ABCD EFGH-JKMN PQRS')).toBe('ABCD-EFGH-JKMN-PQRS');
    expect(passwordGroups('ABCD-EFGH')).toEqual(['ABCD', 'EFGH']);
  });
  it('cleans links mangled by mail clients', () => {
    expect(cleanLink('<https://k.gov.my/t/AB\n CD#ef\r\ngh>')).toBe('https://k.gov.my/t/ABCD#efgh');
    expect(cleanLink('"kepil://open/x#y".')).toBe('kepil://open/x#y');
  });
});

describe('validate', () => {
  it('emails', () => {
    expect(isValidEmail('ali.abu@jpm.gov.my')).toBe(true);
    expect(isValidEmail('ali@localhost')).toBe(false);
    expect(isValidEmail('ali abu@jpm.gov.my')).toBe(false);
    expect(isValidEmail('a..b@jpm.gov.my')).toBe(false);
    expect(isValidEmail('<a@b.my>')).toBe(false);
  });
  it('Malaysian and international phones', () => {
    expect(normalisePhone('012-345 6789')).toBe('+60123456789');
    expect(normalisePhone('011-2345 6789')).toBe('+601123456789');
    expect(normalisePhone('+60 12 345 6789')).toBe('+60123456789');
    expect(normalisePhone('03-8888 8888')).toBeNull(); // a landline cannot receive SMS
    expect(normalisePhone('+65 9123 4567')).toBe('+6591234567');
    expect(normalisePhone('12345')).toBeNull();
    expect(normalisePhone('abc')).toBeNull();
  });
  it('recipient rows: required, invalid, duplicate (case-insensitive), phone', () => {
    expect(
      validateRecipients([
        { email: '', phone: '' },
        { email: 'x@', phone: '' },
        { email: 'a@b.my', phone: '' },
        { email: 'A@B.my', phone: '999' },
      ]),
    ).toEqual([{ email: 'required' }, { email: 'email_invalid' }, {}, { email: 'email_duplicate', phone: 'phone_invalid' }]);
  });
});

describe('policy', () => {
  it('RAHSIA and RAHSIA BESAR are always refused', () => {
    const p = policy({ classifications: ['RAHSIA', 'RAHSIA BESAR', 'SULIT'] });
    expect(sendability('RAHSIA', p)).toBe('refused');
    expect(sendability('rahsia besar', p)).toBe('refused');
    expect(sendability('SULIT', p)).toBe('ok');
    expect(sendability('TERHAD', p)).toBe('not_allowed');
  });
  it('default classification is the most protected sendable one', () => {
    expect(defaultClassification(policy())).toBe('SULIT');
    expect(defaultClassification(policy({ classifications: ['TERBUKA'] }))).toBe('TERBUKA');
    expect(defaultClassification(policy({ classifications: [] }))).toBeNull();
  });
  it('expiry options stay within the classification maximum and include default and max', () => {
    const p = policy({ maxExpirySecs: { SULIT: 5 * DAY }, defaultExpirySecs: { SULIT: 36 * 3600 } });
    const opts = expiryOptions(p, 'SULIT').map((o) => o.secs);
    expect(Math.max(...opts)).toBe(5 * DAY);
    expect(opts).toContain(36 * 3600);
    expect(opts).toContain(3600);
    expect(opts).toEqual([...opts].sort((a, b) => a - b));
    expect(expiryOptions(p, 'SULIT').find((o) => o.secs === 5 * DAY)).toEqual({ secs: 5 * DAY, unit: 'd', n: 5 });
  });
  it('default expiry comes from the policy and never exceeds the max', () => {
    expect(defaultExpiry(policy(), 'TERHAD')).toBe(3 * DAY);
    expect(defaultExpiry(policy({ defaultExpirySecs: { SULIT: 30 * DAY } }), 'SULIT')).toBe(7 * DAY);
  });
  it('changing classification keeps a valid expiry', () => {
    expect(clampExpiry(policy(), 'SULIT', 14 * DAY)).toBe(2 * DAY);
    expect(clampExpiry(policy(), 'SULIT', DAY)).toBe(DAY);
  });
  it('downloads are clamped to 1..max', () => {
    expect(clampDownloads(policy(), 0)).toBe(1);
    expect(clampDownloads(policy(), 9)).toBe(5);
    expect(clampDownloads(policy(), Number.NaN)).toBe(3);
  });
  it('locked settings', () => {
    expect(isLocked(appState({ locked: ['storeUrl'] }), 'storeUrl')).toBe(true);
    expect(isLocked(appState({ locked: ['lang'] }), 'storeUrl')).toBe(false);
    expect(isLocked(appState({ store: { url: 'x', local: false, locked: true } }), 'storeUrl')).toBe(true);
    expect(isLocked(appState({ tokenLocked: true }), 'token')).toBe(true);
    expect(isLocked(appState(), 'lang')).toBe(false);
  });
});

describe('history', () => {
  const status = (over = {}) => ({
    transfer_id: 't', classification: 'SULIT', size: 1, created_at: '', expires_at: '', upload_complete: true, expired: false,
    grants: [
      { grant_id: 'g1', label: 'a@b.my', downloads: 1, max_downloads: 3, failed_proofs: 0, locked: false, revoked: false },
      { grant_id: 'g2', label: 'c@d.my', downloads: 0, max_downloads: 3, failed_proofs: 10, locked: true, revoked: true },
    ],
    ...over,
  });
  it('grant badges show downloads, failed tries, locked and revoked', () => {
    const s = status();
    expect(grantBadges(s.grants[0]!, s).map((b) => b.key)).toEqual(['hist.downloads']);
    expect(grantBadges(s.grants[1]!, s).map((b) => b.key)).toEqual(['hist.downloads', 'hist.failed', 'hist.locked', 'hist.revoked']);
    expect(grantBadges(s.grants[0]!, s)[0]!.params).toEqual({ n: 1, max: 3 });
  });
  it('transfer badges count recipients who downloaded', () => {
    expect(transferBadges(status())[0]).toMatchObject({ key: 'hist.recipients_done', params: { n: 1, max: 2 } });
    expect(transferBadges(status({ expired: true })).map((b) => b.key)).toContain('hist.expired');
  });
  it('a send cancelled before its upload finished is not shown as sent', () => {
    const s = status({ upload_complete: false });
    s.grants = s.grants.map((g) => ({ ...g, revoked: true }));
    expect(transferBadges(s).map((b) => b.key)).toEqual(['hist.cancelled']);
    // Only revoked later, after the upload: revoked, not cancelled.
    expect(transferBadges({ ...s, upload_complete: true }).map((b) => b.key)).toContain('hist.revoked');
  });
  it('revocability', () => {
    const s = status();
    expect(canRevoke(s.grants[0]!, s)).toBe(true);
    expect(canRevoke(s.grants[1]!, s)).toBe(false);
    expect(canRevokeAll(status({ expired: true }))).toBe(false);
    expect(canRevokeAll(undefined)).toBe(true);
  });
  it('only a locked grant that is otherwise live can be unlocked', () => {
    const s = status();
    const locked = { ...s.grants[1]!, revoked: false };
    expect(canUnlock(s.grants[0]!, s)).toBe(false);
    expect(canUnlock(s.grants[1]!, s)).toBe(false);
    expect(canUnlock(locked, s)).toBe(true);
    expect(canUnlock(locked, status({ expired: true }))).toBe(false);
  });
});

describe('ipc', () => {
  it('normalises errors', () => {
    expect(toUiError({ code: 'locked', params: { a: 1, b: null } })).toEqual({ code: 'locked', params: { a: '1' } });
    expect(toUiError({ code: 'x', params: [['k', 'v']] })).toEqual({ code: 'x', params: { k: 'v' } });
    expect(toUiError('command not found')).toEqual({ code: 'ipc_error', params: { message: 'command not found' } });
    expect(toUiError(new Error('e'))).toEqual({ code: 'ipc_error', params: { message: 'e' } });
    expect(toUiError(undefined)).toEqual({ code: 'ipc_error', params: {} });
  });
  it('uses the documented command names and argument keys', async () => {
    invokeMock.mockReset().mockResolvedValue(undefined);
    await ipc.revealPassword('j', 2);
    expect(invokeMock).toHaveBeenLastCalledWith('reveal_password', { jobId: 'j', index: 2 });
    await ipc.historyRevoke('t1');
    expect(invokeMock).toHaveBeenLastCalledWith('history_revoke', { transferId: 't1' });
    await ipc.historyRevoke('t1', 'g1');
    expect(invokeMock).toHaveBeenLastCalledWith('history_revoke', { transferId: 't1', recipient: 'g1' });
    await ipc.historyUnlock('t1', 'g1');
    expect(invokeMock).toHaveBeenLastCalledWith('history_unlock', { transferId: 't1', recipient: 'g1' });
    await ipc.addDropped(['/a']);
    expect(invokeMock).toHaveBeenLastCalledWith('add_dropped', { paths: ['/a'] });
    await ipc.settingsSave({ lang: 'en' });
    expect(invokeMock).toHaveBeenLastCalledWith('settings_save', { request: { lang: 'en' } });
  });
  it('rejects with a UiError', async () => {
    invokeMock.mockReset().mockRejectedValue({ code: 'setting_locked', params: { setting: 'storeUrl' } });
    await expect(ipc.settingsSave({ storeUrl: 'https://x' })).rejects.toEqual({ code: 'setting_locked', params: { setting: 'storeUrl' } });
  });
});

describe('zoom', () => {
  it('steps with the usual keys and comes back to 100 %', () => {
    expect(zoomAfter(1, '=')).toBe(1.1);
    expect(zoomAfter(1, '+')).toBe(1.1);
    expect(zoomAfter(1, '-')).toBe(0.9);
    expect(zoomAfter(1.5, '0')).toBe(1);
    expect(zoomAfter(2.5, '=')).toBe(2.5);
    expect(zoomAfter(0.67, '-')).toBe(0.67);
    expect(zoomAfter(1, 'a')).toBeNull();
  });
});
