import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';
import { useCreateSubscriber } from '../../api/subscribers';
import type { Subscriber } from '../../api/types';
import { Dialog } from '../../components/dialog';
import { FormError, FormField } from '../../components/form-field';
import { PasswordInput } from './password-input';

interface Props {
  open: boolean;
  onClose(): void;
  onCreated(s: Subscriber): void;
  /** The appliance's served domains, offered as suggestions. */
  domains: string[];
}

export function CreateSubscriberDialog({ open, onClose, onCreated, domains }: Props) {
  return (
    <Dialog open={open} onClose={onClose} title="Add subscriber" description="A SIP account a phone registers with: user@domain and a password.">
      <CreateSubscriberForm onCancel={onClose} onCreated={onCreated} domains={domains} />
    </Dialog>
  );
}

type Field = 'username' | 'domain' | 'password';

function CreateSubscriberForm({ onCancel, onCreated, domains }: { onCancel(): void; onCreated(s: Subscriber): void; domains: string[] }) {
  const create = useCreateSubscriber();
  const [values, setValues] = useState<Record<Field, string>>({ username: '', domain: domains[0] ?? '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const set = (f: Field) => (v: string) => {
    setValues((old) => ({ ...old, [f]: v }));
    // The message described the old value; editing the field answers it.
    setFieldErrors((old) => ({ ...old, [f]: undefined }));
  };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    // currentTarget is only set while the event is dispatched: keep it across the await.
    const form = e.currentTarget as HTMLFormElement;
    if (create.isPending) return;
    setFormError(null);
    try {
      const s = await create.mutateAsync({ username: values.username.trim(), domain: values.domain.trim(), password: values.password });
      onCreated(s);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      setFieldErrors(fields);
      // Field messages sit beside their fields; anything else goes on top.
      const unplaced = Object.keys(fields).filter((f) => !['username', 'domain', 'password'].includes(f));
      if (Object.keys(fields).length === 0 || unplaced.length > 0) setFormError(errorMessage(err));
      focusFirstInvalid(form);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      <div className="form-row">
        <FormField
          label="Username"
          name="username"
          data-autofocus
          autoComplete="off"
          spellCheck={false}
          value={values.username}
          onChange={(e) => set('username')(e.target.value)}
          error={fieldErrors.username}
        />
        <FormField
          label="Domain"
          name="domain"
          autoComplete="off"
          spellCheck={false}
          list={domains.length ? 'subscriber-domains' : undefined}
          value={values.domain}
          onChange={(e) => set('domain')(e.target.value)}
          error={fieldErrors.domain}
          hint={domains.length ? undefined : 'The SIP domain phones register to, e.g. the appliance\u2019s host name.'}
        />
        {domains.length > 0 && (
          <datalist id="subscriber-domains">
            {domains.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        )}
      </div>
      <PasswordInput label="Password" name="password" value={values.password} onChange={set('password')} error={fieldErrors.password} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add subscriber'}
        </button>
      </div>
    </form>
  );
}

/** After a failed submit, put the cursor where the first problem is. */
export function focusFirstInvalid(form: HTMLFormElement) {
  requestAnimationFrame(() => form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus());
}
