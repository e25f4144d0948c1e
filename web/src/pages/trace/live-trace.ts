import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSocketEvent } from '../../socket/socket-context';
import { markStopped, mergeMessages } from './capture-cache';
import { keptCaptures } from './kept-captures';
import { holdEarlyMessages } from './early-messages';
import { captureKey, captureListKey } from './trace-keys';
import type { CaptureSummary, TraceCapture, TracedMessage } from './trace-types';

/** A busy source can match hundreds of messages a second: the ladder redraws at most this often. */
const FLUSH_MS = 100;

/**
 * Keeps the trace caches current from socket.io while the Trace page is
 * open: `trace.message` appends to its capture (and bumps the list's
 * count), `trace.stopped` marks it stopped.
 */
export function useLiveTrace(): void {
  const qc = useQueryClient();
  const pending = useRef(new Map<string, TracedMessage[]>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const flush = useRef(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const batch = pending.current;
    if (batch.size === 0) return;
    pending.current = new Map();

    const held = new Map<string, number>();
    for (const [id, msgs] of batch) {
      keptCaptures.update(id, (c) => mergeMessages(c, msgs));
      const key = captureKey(id);
      if (qc.getQueryState(key)?.fetchStatus === 'fetching') holdEarlyMessages(id, msgs);
      const next = qc.setQueryData<TraceCapture>(key, (old) => old && mergeMessages(old, msgs));
      if (next) held.set(id, next.messages.length);
    }

    let unknown = false;
    qc.setQueryData<CaptureSummary[]>(captureListKey, (old) => {
      if (!old) return old;
      const known = new Set(old.map((c) => c.id));
      for (const id of batch.keys()) if (!known.has(id) && !keptCaptures.get(id)) unknown = true;
      return old.map((c) => {
        const msgs = batch.get(c.id);
        if (!msgs) return c;
        // The loaded capture has the exact count; otherwise count what arrived.
        return { ...c, messageCount: held.get(c.id) ?? c.messageCount + msgs.length };
      });
    });
    // A capture someone else started: fetch the list to show it.
    if (unknown) void qc.invalidateQueries({ queryKey: captureListKey });
  }).current;

  useSocketEvent('trace.message', ({ captureId, message }) => {
    const list = pending.current.get(captureId);
    if (list) list.push(message);
    else pending.current.set(captureId, [message]);
    timer.current ??= setTimeout(flush, FLUSH_MS);
  });

  useSocketEvent('trace.stopped', ({ captureId, reason }) => {
    // The capture's last messages come before its end.
    flush();
    const at = Date.now();
    qc.setQueryData<TraceCapture>(captureKey(captureId), (old) => old && markStopped(old, reason, at));
    // A GET on its way may have been answered before the end: ask again.
    if (qc.getQueryState(captureKey(captureId))?.fetchStatus === 'fetching') void qc.invalidateQueries({ queryKey: captureKey(captureId), exact: true });
    qc.setQueryData<CaptureSummary[]>(captureListKey, (old) => old?.map((c) => (c.id === captureId ? markStopped(c, reason, at) : c)));
    void qc.invalidateQueries({ queryKey: captureListKey });
  });

  useEffect(() => () => clearTimeout(timer.current), []);
}
