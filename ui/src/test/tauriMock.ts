// Shared mocks for @tauri-apps/api: a scripted `invoke` and an event bus for `listen`.
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
