import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';
import { Dialog } from '../../components/dialog';
import { FormError, FormField } from '../../components/form-field';
import { useComposeMessage } from './messages-api';
import { TextAreaField } from './textarea-field';
import type { ComposeResult } from './types';

interface Props {
  open: boolean;
  onClose(): void;
  onStored(r: ComposeResult, to: string): void;
  /** A sender to start with, e.g. sip:admin@ the first served domain. */
  defaultFrom: string;
}

export function ComposeDialog({ open, onClose, onStored, defaultFrom }: Props) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Compose message"
      description="Stored in the silo and delivered when the recipient registers, or at the reminder time."
    >
      <ComposeForm onCancel={onClose} onStored={onStored} defaultFrom={defaultFrom} />
    </Dialog>
  );
}

type Field = 'to' | 'from' | 'body' | 'sendTime';
const FIELDS: readonly Field[] = ['to', 'from', 'body', 'sendTime'];

/** `datetime-local` text (local time, no zone) → epoch seconds; undefined when empty. */
export function sendTimeOf(local: string): number | undefined {
  if (!local) return undefined;
  const t = new Date(local).getTime();
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

function ComposeForm({ onCancel, onStored, defaultFrom }: { onCancel(): void; onStored(r: ComposeResult, to: string): void; defaultFrom: string }) {
  const compose = useComposeMessage();
  const [values, setValues] = useState<Record<Field, string>>({ to: '', from: defaultFrom, body: '', sendTime: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const set = (f: Field) => (v: string) => {
    setValues((old) => ({ ...old, [f]: v }));
    // The message described the old value; editing the field answers it.
    setFieldErrors((old) => ({ ...old, [f]: undefined }));
  };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (compose.isPending) return;
    setFormError(null);
    if (values.sendTime && sendTimeOf(values.sendTime) === undefined) {
      setFieldErrors({ sendTime: 'Not a date and time' });
      focusFirstInvalid(form);
      return;
    }
    try {
      const sendTime = sendTimeOf(values.sendTime);
      const to = values.to.trim();
      const r = await compose.mutateAsync({
        to,
        from: values.from.trim(),
        body: values.body,
        ...(sendTime !== undefined ? { sendTime } : {}),
      });
      onStored(r, to);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      setFieldErrors(fields);
      // Field messages sit beside their fields; anything else goes on top.
      const unplaced = Object.keys(fields).filter((f) => !FIELDS.includes(f as Field));
      if (Object.keys(fields).length === 0 || unplaced.length > 0) setFormError(errorMessage(err));
      focusFirstInvalid(form);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      <div className="form-row">
        <FormField
          label="To"
          name="to"
          data-autofocus
          autoComplete="off"
          spellCheck={false}
          placeholder="sip:bob@example.com"
          value={values.to}
          onChange={(e) => set('to')(e.target.value)}
          error={fieldErrors.to}
        />
        <FormField
          label="From"
          name="from"
          autoComplete="off"
          spellCheck={false}
          placeholder="sip:admin@example.com"
          value={values.from}
          onChange={(e) => set('from')(e.target.value)}
          error={fieldErrors.from}
        />
      </div>
      <TextAreaField label="Message" name="body" rows={5} value={values.body} onChange={(e) => set('body')(e.target.value)} error={fieldErrors.body} />
      <FormField
        label="Send at (optional)"
        name="sendTime"
        type="datetime-local"
        value={values.sendTime}
        onChange={(e) => set('sendTime')(e.target.value)}
        error={fieldErrors.sendTime}
        hint="Leave empty to deliver at the recipient’s next registration; set a time to send it then as a reminder."
      />
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={compose.isPending}>
          {compose.isPending ? 'Storing…' : values.sendTime ? 'Schedule reminder' : 'Store message'}
        </button>
      </div>
    </form>
  );
}

/** After a failed submit, put the cursor where the first problem is. */
function focusFirstInvalid(form: HTMLFormElement) {
  requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
