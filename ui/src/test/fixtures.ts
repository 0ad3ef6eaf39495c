import type { AppState, Policy } from '../lib/ipc';

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

export function appState(over: Partial<AppState> = {}): AppState {
  return {
    lang: 'ms',
    store: { url: 'https://kepil.example.gov.my', local: false, locked: false },
    tokenSet: true,
    tokenLocked: false,
    policy: policy(),
    storeError: null,
    locked: [],
    pendingLink: null,
    ...over,
  };
}
