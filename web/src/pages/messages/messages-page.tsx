import { useCallback, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/api-error';
import { useSystem } from '../../api/system';
import { useDebouncedValue } from '../../components/use-debounced-value';
import { useNotice } from '../../components/use-notice';
import { Icon } from '../../layout/icons';
import { ConfirmDialog } from '../registrations/confirm-dialog';
import { ComposeDialog } from './compose-dialog';
import { useLiveMessages } from './live-messages';
import { MessageDetailDialog } from './message-detail-dialog';
import { MessageFiltersBar } from './message-filters';
import { MessagesTable } from './messages-table';
import { deliverNotice, dropMessage, useDeleteMessage, useDeliverNow } from './messages-api';
import type { MessageFilters, SiloMessage } from './types';

const NO_FILTERS: MessageFilters = { to: '', from: '', state: '' };

export default function MessagesPage() {
  const { finished, forget } = useLiveMessages();
  const [filterInput, setFilterInput] = useState<MessageFilters>(NO_FILTERS);
  const typed = useDebouncedValue(filterInput, 250);
  // The state choice applies at once; only typing is debounced.
  const filters = useMemo<MessageFilters>(() => ({ to: typed.to.trim(), from: typed.from.trim(), state: filterInput.state }), [typed.to, typed.from, filterInput.state]);
  const [composing, setComposing] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<SiloMessage | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, showNotice] = useNotice();
  const qc = useQueryClient();
  const deliver = useDeliverNow();
  const del = useDeleteMessage();
  const domain = useSystem().data?.domains[0];

  const onView = useCallback((m: SiloMessage) => setViewing(m.id), []);
  const onDelete = useCallback((m: SiloMessage) => setDeleting(m), []);
  const { mutate: deliverMutate } = deliver;
  const onDeliver = useCallback(
    (m: SiloMessage) => {
      setActionError(null);
      showNotice(`Asking the appliance to deliver ${m.to}’s stored messages…`);
      deliverMutate(m.to, {
        onSuccess: (report) => showNotice(deliverNotice(m.to, report)),
        onError: (err) => setActionError(`Could not start delivery to ${m.to}: ${errorMessage(err)}`),
      });
    },
    [deliverMutate, showNotice],
  );
  const openCompose = useCallback(() => setComposing(true), []);
  const clearFilters = useCallback(() => setFilterInput(NO_FILTERS), []);

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h1>Messages</h1>
        <div className="toolbar">
          <button type="button" className="btn btn-primary" onClick={openCompose}>
            <Icon name="plus" />
            <span>Compose</span>
          </button>
        </div>
      </header>

      <MessageFiltersBar value={filterInput} onChange={setFilterInput} />

      <p className="notice" role="status" aria-live="polite">
        {notice && <span className="banner banner-ok">{notice}</span>}
      </p>
      {actionError && (
        <div className="banner banner-error" role="alert">
          {actionError}
          <button type="button" className="btn btn-small" onClick={() => setActionError(null)}>
            Dismiss
          </button>
        </div>
      )}

      <MessagesTable filters={filters} finished={finished} onCompose={openCompose} onClearFilters={clearFilters} onView={onView} onDeliver={onDeliver} onDelete={onDelete} />

      <MessageDetailDialog id={viewing} lastSeen={viewing === null ? undefined : finished.get(viewing)?.message} onClose={() => setViewing(null)} onDeliver={onDeliver} onDelete={onDelete} deliverBusy={deliver.isPending} />
      <ComposeDialog
        open={composing}
        defaultFrom={domain ? `sip:admin@${domain}` : ''}
        onClose={() => setComposing(false)}
        onStored={(r, to) => {
          setComposing(false);
          if (r.outcome === 'delivered') showNotice(`Delivered to ${to} at once: it is registered`);
          else showNotice(r.sendTime ? `Reminder to ${r.to ?? to} scheduled` : `Message to ${r.to ?? to} stored`);
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete message"
        confirmLabel="Delete"
        busyLabel="Deleting…"
        failure={`Could not delete message ${deleting?.id ?? ''}`}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          const m = deleting!;
          // 404: deleted meanwhile (by another admin, or expired and purged); the row goes either way.
          const gone = await del.mutateAsync(m.id).then(
            () => false,
            (err: unknown) => {
              if (err instanceof ApiError && err.status === 404) return true;
              throw err;
            },
          );
          if (gone) dropMessage(qc, m.id);
          forget(m.id);
          setDeleting(null);
          if (viewing === m.id) setViewing(null);
          showNotice(gone ? `Message ${m.id} was already gone` : `Deleted message ${m.id} to ${m.to}`);
        }}
      >
        {deleting && (
          <p>
            Delete message {deleting.id} from <strong className="mono">{deleting.from}</strong> to <strong className="mono">{deleting.to}</strong>?
            {deleting.state === 'stored' || deleting.state === 'failed' ? ' It will never be delivered.' : ''} This cannot be undone.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
