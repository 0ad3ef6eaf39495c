import type { Account, AppState, Policy, Session } from '../lib/ipc';

export const DAY = 86400;

export function policy(over: Partial<Policy> = {}): Policy {
  return {
    classifications: ['TERBUKA', 'TERHAD', 'SULIT'],
    maxExpirySecs: { TERBUKA: 30 * DAY, TERHAD: 14 * DAY, SULIT: 7 * DAY },
    defaultExpirySecs: { TERBUKA: 7 * DAY, TERHAD: 3 * DAY, SULIT: 2 * DAY },
    maxDownloads: 5,
    defaultMaxDownloads: 3,
    maxBlobSize: 10 * 1024 ** 3,
    smsEnabled: false,
    ...over,
  };
}

export function account(over: Partial<Account> = {}): Account {
  return { providers: [], storeRequires: false, policyRequires: false, lockedProvider: null, session: null, ...over };
}

export function session(over: Partial<Session> = {}): Session {
  return {
    email: 'alice@agensi.gov.my',
    name: 'Alice Tan',
    providerId: 'mygovuc',
    provider: 'MyGovUC',
    expiresAt: '2026-12-02T18:00:00Z',
    renewable: true,
    ...over,
  };
}

export function appState(over: Partial<AppState> = {}): AppState {
  return {
    lang: 'ms',
    mail: 'system',
    store: { url: 'https://kepil.example.gov.my', local: false, locked: false },
    tokenSet: true,
    secrets: { keyring: true, fileReason: null, file: '/home/u/.config/kepil/credentials.toml', waiting: false },
    tokenLocked: false,
    account: account(),
    policy: policy(),
    storeError: null,
    locked: [],
    pendingLink: null,
    ...over,
  };
}
