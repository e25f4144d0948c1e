import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Icon } from '../layout/icons';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Short text under the title. */
  description?: ReactNode;
  size?: 'small' | 'medium';
}

/**
 * A modal on the native <dialog>: the browser traps focus, closes it with
 * Escape and returns focus to the opener, and the page behind is inert.
 */
export function Dialog({ open, title, onClose, children, description, size = 'medium' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // Start where the user will type (or on the element marked for it),
      // not on the close button.
      (d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('input:not([type=hidden])'))?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={`${id}-title`}
      aria-describedby={description ? `${id}-desc` : undefined}
      onClose={onClose}
      onCancel={(e) => {
        // Escape: let the parent decide (it may be busy saving).
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the <dialog> element itself.
        if (e.target === ref.current) onClose();
      }}
    >
      {open && (
        <div className="dialog-body">
          <header className="dialog-header">
            <h2 id={`${id}-title`}>{title}</h2>
            <button type="button" className="btn btn-icon btn-ghost" onClick={onClose} aria-label="Close">
              <Icon name="close" />
            </button>
          </header>
          {description && (
            <p id={`${id}-desc`} className="muted dialog-desc">
              {description}
            </p>
          )}
          {children}
        </div>
      )}
    </dialog>
  );
}
