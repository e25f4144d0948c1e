import { useMemo, useState } from 'react';
import { ApiError } from '../../api/api-error';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useConnection } from '../../socket/socket-context';
import { isRunning } from './capture-cache';
import type { CaptureItem } from './capture-list';
import { useKeptCaptures } from './kept-captures';
import { LadderView } from './ladder';
import { buildLadder } from './ladder-model';
import { MessageDetail } from './message-detail';
import { useCapture } from './trace-api';
import { countMessages, describeFilter, describeState } from './trace-format';
import type { TracedMessage } from './trace-types';

interface Props {
  id: string;
  onStop(c: CaptureItem): void;
  onDiscard(c: CaptureItem): void;
  busy: boolean;
  onClose(): void;
  onTraceCall(callId: string): void;
}

const NO_MESSAGES: TracedMessage[] = [];

/** The selected capture: its state, the ladder of its messages, and the one message opened in full. */
export function CaptureView({ id, onStop, onDiscard, busy, onClose, onTraceCall }: Props) {
  const kept = useKeptCaptures().find((c) => c.id === id);
  const query = useCapture(id, !kept);
  const capture = kept ?? query.data;
  const messages = capture?.messages ?? NO_MESSAGES;
  const ladder = useMemo(() => buildLadder(messages), [messages]);
  const [selected, setSelected] = useState<number | null>(null);
  const connection = useConnection().state;

  if (!capture) {
    if (query.isError) {
      const gone = query.error instanceof ApiError && query.error.status === 404;
      return (
        <div className="capture-view capture-view-state">
          {gone ? (
            <EmptyState title="This capture no longer exists" hint="It was discarded, or the appliance restarted since it was started.">
              <button type="button" className="btn" onClick={onClose}>
                Close
              </button>
            </EmptyState>
          ) : (
            <ErrorState title="Could not load the capture" error={query.error} onRetry={() => void query.refetch()} />
          )}
        </div>
      );
    }
    return (
      <div className="capture-view capture-view-state">
        <Loading label="Loading the capture…" />
      </div>
    );
  }

  const running = isRunning(capture);
  const item: CaptureItem = { ...capture, messageCount: messages.length, kept: Boolean(kept) };
  const index = selected === null ? -1 : ladder.rows.findIndex((r) => r.message.seq === selected);
  const row = index >= 0 ? ladder.rows[index] : undefined;
  const what = describeFilter(capture.filter);
  const closeDetail = () => {
    setSelected(null);
    // The focused button goes away with the panel: continue in the ladder.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-capture="${capture.id}"] .ladder-rows`)?.focus());
  };

  return (
    <div className="capture-view" data-capture={capture.id} data-running={running}>
      <header className="capture-view-head">
        <div className="capture-view-title">
          <h2 title={what}>{what}</h2>
          <p className="muted small" role="status" aria-live="polite" data-testid="capture-state">
            {running && <span className="live-dot" aria-hidden="true" />}
            {countMessages(messages.length)} · {describeState(capture, Boolean(kept))}
          </p>
        </div>
        <div className="toolbar">
          {running && (
            <button type="button" className="btn" disabled={busy} onClick={() => onStop(item)}>
              {busy ? 'Stopping…' : 'Stop capture'}
            </button>
          )}
          <button type="button" className="btn btn-danger-ghost" disabled={busy} onClick={() => onDiscard(item)}>
            Discard
          </button>
        </div>
      </header>

      {running && connection !== 'connected' && (
        <p className="banner banner-info small capture-paused" role="status">
          The live connection is down: new messages show once it is back (the capture itself keeps running on the appliance).
        </p>
      )}

      {messages.length === 0 ? (
        <div className="capture-view-state">
          {running ? (
            <EmptyState
              title="Waiting for matching SIP messages…"
              hint={`Messages to and from the appliance that match ${what} appear here as they happen.`}
            />
          ) : (
            <EmptyState title="This capture caught no messages" hint="Nothing matched its criteria while it ran." />
          )}
        </div>
      ) : (
        <div className={`capture-body${row ? ' has-detail' : ''}`}>
          <LadderView ladder={ladder} selected={row ? selected : null} onSelect={setSelected} label={`SIP messages of the capture ${what}`} />
          {row && (
            <MessageDetail
              row={row}
              position={index + 1}
              total={ladder.rows.length}
              onStep={(d) => {
                const next = ladder.rows[index + d];
                if (next) setSelected(next.message.seq);
              }}
              onClose={closeDetail}
              onTraceCall={onTraceCall}
            />
          )}
        </div>
      )}
    </div>
  );
}
