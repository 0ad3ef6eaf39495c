// Turning the store's TransferStatus into what the History screen shows.
import type { GrantStatus, TransferStatus } from './ipc';
import type { MessageKey } from './i18n';

export type Tone = 'ok' | 'info' | 'warn' | 'bad';

export interface Badge {
  key: MessageKey;
  params?: Record<string, string | number>;
  tone: Tone;
}

export function grantBadges(g: GrantStatus, t: TransferStatus): Badge[] {
  const badges: Badge[] = [
    {
      key: g.max_downloads > 0 ? 'hist.downloads' : 'hist.downloads_unlimited',
      params: { n: g.downloads, max: g.max_downloads },
      tone: g.downloads >= g.max_downloads && g.max_downloads > 0 ? 'info' : g.downloads > 0 ? 'ok' : 'info',
    },
  ];
  if (g.failed_proofs > 0) badges.push({ key: 'hist.failed', params: { n: g.failed_proofs }, tone: 'warn' });
  if (g.locked) badges.push({ key: 'hist.locked', tone: 'bad' });
  if (g.revoked) badges.push({ key: 'hist.revoked', tone: 'bad' });
  if (t.expired) badges.push({ key: 'hist.expired', tone: 'bad' });
  return badges;
}

export function transferBadges(t: TransferStatus): Badge[] {
  const badges: Badge[] = [];
  const done = t.grants.reduce((s, g) => s + Math.min(g.downloads, 1), 0);
  badges.push({ key: 'hist.recipients_done', params: { n: done, max: t.grants.length }, tone: done === t.grants.length ? 'ok' : 'info' });
  // Revoked before the upload finished: the send was cancelled, nothing reached anyone.
  if (!t.upload_complete && t.grants.length > 0 && t.grants.every((g) => g.revoked)) {
    return [{ key: 'hist.cancelled', tone: 'bad' }];
  }
  if (!t.upload_complete) badges.push({ key: 'hist.upload_incomplete', tone: 'warn' });
  if (t.expired) badges.push({ key: 'hist.expired', tone: 'bad' });
  else if (t.grants.length > 0 && t.grants.every((g) => g.revoked)) badges.push({ key: 'hist.revoked', tone: 'bad' });
  else badges.push({ key: 'hist.active', tone: 'ok' });
  return badges;
}

/** A locked grant can be unlocked while it is otherwise live: not revoked, transfer not expired. */
export function canUnlock(g: GrantStatus, t: TransferStatus): boolean {
  return g.locked && !g.revoked && !t.expired;
}

/** A grant can still be revoked while it is live: not revoked and the transfer not expired. */
export function canRevoke(g: GrantStatus, t: TransferStatus): boolean {
  return !g.revoked && !t.expired;
}

export function canRevokeAll(t: TransferStatus | undefined): boolean {
  if (!t) return true; // status unknown: let the store decide
  return !t.expired && t.grants.some((g) => !g.revoked);
}
