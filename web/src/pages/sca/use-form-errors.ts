import { useState } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';

/**
 * A form's refusal from the API: messages the server tied to one of the
 * form's fields sit beside that field; anything else (no free line, the
 * appliance unreachable) goes in the form's banner.
 */
export function useFormErrors<F extends string>(fields: readonly F[]) {
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<F, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  return {
    fieldErrors,
    formError,
    clear() {
      setFieldErrors({});
      setFormError(null);
    },
    /** Editing a field answers its message. */
    clearField(f: F) {
      setFieldErrors((old) => (old[f] ? { ...old, [f]: undefined } : old));
    },
    show(err: unknown, prefix: string) {
      const all = err instanceof ApiError ? err.fieldErrors : {};
      const placed: Partial<Record<F, string>> = {};
      for (const f of fields) if (all[f]) placed[f] = all[f];
      setFieldErrors(placed);
      const unplaced = Object.keys(all).some((f) => !fields.includes(f as F));
      setFormError(Object.keys(placed).length === 0 || unplaced ? `${prefix}: ${errorMessage(err)}` : null);
    },
  };
}

/** After a failed submit, put the cursor where the first problem is. */
export function focusFirstInvalid(form: HTMLFormElement): void {
  requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
