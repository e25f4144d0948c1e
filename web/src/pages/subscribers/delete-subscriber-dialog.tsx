import { errorMessage } from '../../api/api-error';
import { useDeleteSubscriber } from '../../api/subscribers';
import type { Subscriber } from '../../api/types';
import { Dialog } from '../../components/dialog';
import { FormError } from '../../components/form-field';

interface Props {
  subscriber: Subscriber | null;
  onClose(): void;
  onDeleted(s: Subscriber): void;
}

export function DeleteSubscriberDialog({ subscriber, onClose, onDeleted }: Props) {
  return (
    <Dialog open={subscriber !== null} onClose={onClose} title="Delete subscriber" size="small">
      {subscriber && <DeleteConfirm subscriber={subscriber} onCancel={onClose} onDeleted={onDeleted} />}
    </Dialog>
  );
}

function DeleteConfirm({ subscriber, onCancel, onDeleted }: { subscriber: Subscriber; onCancel(): void; onDeleted(s: Subscriber): void }) {
  const del = useDeleteSubscriber();
  const who = `${subscriber.username}@${subscriber.domain}`;
  return (
    <div className="form">
      <p>
        Delete <strong className="mono">{who}</strong>? Phones using this account will be refused when they next register. This cannot be undone.
      </p>
      <FormError message={del.isError ? `Could not delete ${who}: ${errorMessage(del.error)}` : null} />
      <div className="form-actions">
        {/* Focus starts on the safe choice. */}
        <button type="button" className="btn" onClick={onCancel} data-autofocus>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={del.isPending}
          onClick={() => del.mutate(subscriber.id, { onSuccess: () => onDeleted(subscriber) })}
        >
          {del.isPending ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </div>
  );
}
