import { useEffect, useState } from 'react';
import { Icon } from '../../layout/icons';
import { copyText } from './copy-text';
import type { LadderRow } from './ladder-model';
import { formatFullStamp } from './trace-format';

interface Props {
  row: LadderRow;
  /** 1-based position in the capture, and the count. */
  position: number;
  total: number;
  onStep(delta: -1 | 1): void;
  onClose(): void;
  /** Fill the new-capture form with this message's Call-ID. */
  onTraceCall?(callId: string): void;
}

/** One message in full: where it went, when, over what, and its exact text (monospace, copyable). */
export function MessageDetail({ row, position, total, onStep, onClose, onTraceCall }: Props) {
  const m = row.message;
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  useEffect(() => setCopied(null), [m.seq]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  const bytes = new TextEncoder().encode(m.text).length;
  return (
    <section
      className="trace-detail"
      aria-labelledby="trace-detail-title"
      data-seq={m.seq}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header className="trace-detail-head">
        <div className="trace-detail-title">
          <h2 id="trace-detail-title" className={`tone-text tone-${row.tone}`}>
            {row.label}
          </h2>
          <span className="muted small">
            {position} of {total}
          </span>
        </div>
        <div className="trace-detail-tools">
          <button type="button" className="btn btn-small" onClick={() => onStep(-1)} disabled={position <= 1} aria-label="Previous message">
            ↑
          </button>
          <button type="button" className="btn btn-small" onClick={() => onStep(1)} disabled={position >= total} aria-label="Next message">
            ↓
          </button>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => void copyText(m.text).then((ok) => setCopied(ok ? 'ok' : 'failed'))}
          >
            {copied === 'ok' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy text'}
          </button>
          <button type="button" className="btn btn-icon btn-ghost btn-small" onClick={onClose} aria-label="Close message">
            <Icon name="close" size={16} />
          </button>
        </div>
      </header>
      <dl className="trace-detail-props">
        <div>
          <dt>{m.direction === 'in' ? 'Received from' : 'Sent to'}</dt>
          <dd className="mono">{m.remote}</dd>
        </div>
        <div>
          <dt>{m.direction === 'in' ? 'Received on' : 'Sent from'}</dt>
          <dd className="mono">{m.local || '—'}</dd>
        </div>
        <div>
          <dt>Transport · size</dt>
          <dd>
            {m.transport.toUpperCase()} · {bytes} bytes
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            <time dateTime={new Date(m.at).toISOString()}>{formatFullStamp(m.at)}</time>
          </dd>
        </div>
        <div className="trace-callid">
          <dt>Call-ID</dt>
          <dd>
            <span className="mono break">{m.callId ?? '—'}</span>
            {m.callId && onTraceCall && (
              <button type="button" className="btn btn-small btn-ghost" onClick={() => onTraceCall(m.callId!)}>
                Capture this call
              </button>
            )}
          </dd>
        </div>
      </dl>
      <span className="sr-only" role="status" aria-live="polite">
        {copied === 'ok' ? 'Message text copied' : copied === 'failed' ? 'Could not copy; select the text and copy it' : ''}
      </span>
      <pre className="sip-text" tabIndex={0} aria-label={`Full text of ${row.label}`} data-testid="sip-text">
        {m.text}
      </pre>
    </section>
  );
}
