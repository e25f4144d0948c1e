import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';
import { useChangePassword } from '../../api/subscribers';
import type { Subscriber } from '../../api/types';
import { Dialog } from '../../components/dialog';
import { FormError, FormField } from '../../components/form-field';
import { focusFirstInvalid } from './create-subscriber-dialog';
import { PasswordInput } from './password-input';

interface Props {
  subscriber: Subscriber | null;
  onClose(): void;
  onChanged(s: Subscriber): void;
}

export function ChangePasswordDialog({ subscriber, onClose, onChanged }: Props) {
  return (
    <Dialog
      open={subscriber !== null}
      onClose={onClose}
      title="Change password"
      size="small"
      description={subscriber && <>For <strong className="mono">{subscriber.username}@{subscriber.domain}</strong>. Phones using the old password must be updated.</>}
    >
      {subscriber && <ChangePasswordForm subscriber={subscriber} onCancel={onClose} onChanged={onChanged} />}
    </Dialog>
  );
}

function ChangePasswordForm({ subscriber, onCancel, onChanged }: { subscriber: Subscriber; onCancel(): void; onChanged(s: Subscriber): void }) {
  const change = useChangePassword();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string | undefined; confirm?: string | undefined }>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (change.isPending) return;
    setFormError(null);
    if (password !== confirm) {
      setErrors({ confirm: 'The two passwords do not match' });
      focusFirstInvalid(form);
      return;
    }
    try {
      onChanged(await change.mutateAsync({ id: subscriber.id, password }));
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      setErrors({ password: fields.password });
      if (!fields.password) setFormError(errorMessage(err));
      focusFirstInvalid(form);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      <PasswordInput
        label="New password"
        name="password"
        autoFocus
        value={password}
        onChange={(v) => {
          setPassword(v);
          setErrors({});
        }}
        error={errors.password}
      />
      <FormField
        label="Repeat the new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => {
          setConfirm(e.target.value);
          setErrors((old) => ({ ...old, confirm: undefined }));
        }}
        error={errors.confirm}
      />
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={change.isPending}>
          {change.isPending ? 'Saving…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
