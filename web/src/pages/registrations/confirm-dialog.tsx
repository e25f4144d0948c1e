import { useState, type ReactNode } from 'react';
import { errorMessage } from '../../api/api-error';
import { Dialog } from '../../components/dialog';
import { FormError } from '../../components/form-field';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, said plainly. */
  children: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  /** Rejecting keeps the dialog open with the error shown. */
  onConfirm(): Promise<unknown>;
  onClose(): void;
  /** Prefix of the error line, e.g. "Could not unregister alice@example.com". */
  failure: string;
}

/**
 * A destructive action's confirmation. Focus starts on Cancel, Escape
 * cancels, and a refusal from the server stays on screen beside the buttons.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, busyLabel, onConfirm, onClose, failure }: ConfirmDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title={title} size="small">
      {open && (
        <ConfirmBody confirmLabel={confirmLabel} busyLabel={busyLabel} onConfirm={onConfirm} onCancel={onClose} failure={failure}>
          {children}
        </ConfirmBody>
      )}
    </Dialog>
  );
}

function ConfirmBody({
  children,
  confirmLabel,
  busyLabel,
  onConfirm,
  onCancel,
  failure,
}: Omit<ConfirmDialogProps, 'open' | 'title' | 'onClose'> & { onCancel(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(`${failure}: ${errorMessage(err)}`);
      setBusy(false);
    }
  }

  return (
    <div className="form">
      <div className="confirm-text">{children}</div>
      <FormError message={error} />
      <div className="form-actions">
        {/* Focus starts on the safe choice. */}
        <button type="button" className="btn" onClick={onCancel} data-autofocus>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void confirm()}>
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </div>
  );
}
