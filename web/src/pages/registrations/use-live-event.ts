import { useEffect, useRef } from 'react';
import { useConnection } from '../../socket/socket-context';

/**
 * Runs `handler` for every socket.io event `name` while mounted. The
 * registrar and msilo events are not in the shared `PbxEventMap` yet, so
 * their payload types live with the pages that use them; once they are,
 * `useSocketEvent` replaces this.
 */
export function useLiveEvent<T>(name: string, handler: (payload: T) => void): void {
  const { socket } = useConnection();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!socket) return;
    const untyped = socket as unknown as { on(n: string, l: (p: T) => void): void; off(n: string, l: (p: T) => void): void };
    const listener = (payload: T) => ref.current(payload);
    untyped.on(name, listener);
    return () => untyped.off(name, listener);
  }, [socket, name]);
}

/**
 * Collects items and hands them over in one batch at most every `ms`
 * (a busy registrar announces dozens of changes a second; the table
 * re-renders once per batch, not once per event).
 */
export function createBatcher<T>(ms: number, flush: (items: T[]) => void): { push(item: T): void; cancel(): void } {
  let items: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    push(item) {
      items.push(item);
      timer ??= setTimeout(() => {
        timer = undefined;
        const batch = items;
        items = [];
        flush(batch);
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      items = [];
    },
  };
}

/** Runs `fn` at most once per `ms`, at the end of the window (the last call wins). */
export function createTrailingThrottle(ms: number, fn: () => void): { schedule(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    schedule() {
      timer ??= setTimeout(() => {
        timer = undefined;
        fn();
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
