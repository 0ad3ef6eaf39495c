// Shared mocks for @tauri-apps/api: a scripted `invoke`, its `Channel`s, and an event bus for
// `listen`.
import { vi } from 'vitest';

export type Handler = (ev: { event: string; id: number; payload: unknown }) => void;

export const bus = {
  handlers: new Map<string, Set<Handler>>(),
  emit(name: string, payload: unknown): void {
    for (const h of bus.handlers.get(name) ?? []) h({ event: name, id: 0, payload });
  },
  reset(): void {
    bus.handlers.clear();
  },
};

export const invokeMock = vi.fn<(cmd: string, args?: Record<string, unknown>) => Promise<unknown>>();

export const listenMock = vi.fn(async (name: string, handler: Handler) => {
  const set = bus.handlers.get(name) ?? new Set<Handler>();
  set.add(handler);
  bus.handlers.set(name, set);
  return () => set.delete(handler);
});

/** Stands in for `Channel` from @tauri-apps/api/core: a test plays the Rust side with `send`. */
export class MockChannel<T = unknown> {
  onmessage: (message: T) => void;
  constructor(onmessage?: (message: T) => void) {
    this.onmessage = onmessage ?? (() => {});
  }
}

/** The channel the last (or `nth`) call of `cmd` was given as `onEvent`. */
export function channelOf(cmd: string, nth = -1): MockChannel {
  const calls = invokeMock.mock.calls.filter(([c]) => c === cmd);
  const call = calls.at(nth);
  const ch = call?.[1]?.onEvent;
  if (!(ch instanceof MockChannel)) throw new Error(`no channel passed to ${cmd}`);
  return ch;
}

/** Sends `{ event, data }` on the channel of the last (or `nth`) call of `cmd`. */
export function sendOn(cmd: string, event: 'progress' | 'done' | 'failed', data: unknown, nth = -1): void {
  channelOf(cmd, nth).onmessage({ event, data });
}

/** A promise with its resolve/reject exposed, to control when a command answers. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
