import { useSyncExternalStore } from 'react';

/**
 * The wall clock in epoch seconds, ticking once a second for every
 * subscriber from one shared timer (countdowns in a virtualised table mount
 * and unmount constantly; they must not each start an interval).
 */
const listeners = new Set<() => void>();
let now = Math.floor(Date.now() / 1000);
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  const t = Math.floor(Date.now() / 1000);
  if (t === now) return;
  now = t;
  for (const fn of listeners) fn();
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  if (!timer) {
    now = Math.floor(Date.now() / 1000);
    // A quarter-second poll keeps the displayed second within 250 ms of the real one.
    timer = setInterval(tick, 250);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useNowSeconds(): number {
  return useSyncExternalStore(subscribe, () => now);
}
