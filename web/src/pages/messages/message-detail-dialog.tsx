import type { ReactNode } from 'react';
import { ApiError } from '../../api/api-error';
import { Dialog } from '../../components/dialog';
import { formatDateTime, formatNumber } from '../../components/format';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { Icon } from '../../layout/icons';
import { isoOf } from '../registrations/binding-format';
import { canDeliver } from './columns';
import { useMessage } from './messages-api';
import { StatePill } from './state-pill';
import type { SiloMessage } from './types';

interface Props {
  id: number | null;
  /** The row as this page last saw it, for a message msilo has since removed (delivered, expired). */
  lastSeen?: SiloMessage | undefined;
  onClose(): void;
  onDeliver(m: SiloMessage): void;
  onDelete(m: SiloMessage): void;
  deliverBusy: boolean;
}

/** One stored message in full: its envelope, its state (live) and the whole body. */
export function MessageDetailDialog({ id, lastSeen, onClose, onDeliver, onDelete, deliverBusy }: Props) {
  return (
    <Dialog open={id !== null} onClose={onClose} title={id === null ? 'Message' : `Message ${id}`}>
      {id !== null && <DetailBody id={id} lastSeen={lastSeen} onClose={onClose} onDeliver={onDeliver} onDelete={onDelete} deliverBusy={deliverBusy} />}
    </Dialog>
  );
}

function DetailBody({ id, lastSeen, onClose, onDeliver, onDelete, deliverBusy }: { id: number } & Omit<Props, 'id'>) {
  const q = useMessage(id);
  const gone = q.isError && q.error instanceof ApiError && q.error.status === 404;
  const m = q.data;
  let body: ReactNode;
  if (q.isPending) body = <Loading label="Loading the message…" />;
  else if (gone && lastSeen)
    body = (
      <>
        <p className="banner banner-info">No longer in the silo: msilo removes a message once it is {lastSeen.state}. This is what the page last saw.</p>
        <MessageView m={lastSeen} partial={false} />
      </>
    );
  else if (gone) body = <EmptyState title="This message is no longer in the silo" hint="It was delivered, expired or deleted." />;
  else if (q.isError && !m) body = <ErrorState title="Could not load this message" error={q.error} onRetry={() => void q.refetch()} />;
  // Until the full copy arrives, the list's row (whose body may be a preview) stands in.
  else if (m) body = <MessageView m={m} partial={q.isPlaceholderData} />;

  return (
    <div className="form">
      {body}
      <div className="form-actions">
        {m && !gone && (
          <>
            <button type="button" className="btn btn-danger-ghost" onClick={() => onDelete(m)}>
              <Icon name="trash" size={16} />
              <span>Delete</span>
            </button>
            <button type="button" className="btn" onClick={() => onDeliver(m)} disabled={!canDeliver(m) || deliverBusy}>
              <Icon name="retry" size={16} />
              <span>{deliverBusy ? 'Asking…' : 'Deliver now'}</span>
            </button>
          </>
        )}
        <button type="button" className="btn" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </div>
  );
}

function MessageView({ m, partial }: { m: SiloMessage; partial: boolean }) {
  const rows: Array<[string, ReactNode]> = [
    ['State', <StatePill state={m.state} />],
    ['From', <span className="mono break">{m.from}</span>],
    ['To', <span className="mono break">{m.to}</span>],
    ['Content type', <span className="mono">{m.contentType}</span>],
    ['Stored', formatDateTime(isoOf(m.storedAt))],
    ['Reminder at', m.sendTime === null ? 'No (delivered at the next registration)' : formatDateTime(isoOf(m.sendTime))],
    ['Expires', formatDateTime(isoOf(m.expiresAt))],
    ...(typeof m.attempts === 'number' ? [['Delivery attempts', formatNumber(m.attempts)] as [string, ReactNode]] : []),
  ];
  return (
    <>
      <dl className="props message-props">
        {rows.map(([k, v]) => (
          <div key={k} className="prop" data-prop={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <section aria-label="Message body">
        <h3 className="subhead">
          Body · {m.bodySize !== undefined ? `${formatNumber(m.bodySize)} bytes` : `${formatNumber(m.body.length)} characters`}
          {partial && <span className="spinner spinner-small" aria-label="Loading the full text" />}
        </h3>
        <pre className="message-body" tabIndex={0} data-testid="message-body" aria-busy={partial || undefined}>
          {m.body || <span className="muted">(empty)</span>}
        </pre>
      </section>
    </>
  );
}
