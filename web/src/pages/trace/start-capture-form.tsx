import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';
import { FormError, FormField } from '../../components/form-field';
import { useStartCapture } from './trace-api';
import type { StartCapture, TraceCapture } from './trace-types';

const FIELDS = ['aor', 'callId', 'source', 'maxMessages', 'maxMinutes'] as const;
type Field = (typeof FIELDS)[number];
export type CaptureFormValues = Record<Field, string>;

export const EMPTY_FORM: CaptureFormValues = { aor: '', callId: '', source: '', maxMessages: '', maxMinutes: '' };

interface Props {
  /** Starting values (e.g. a Call-ID picked from a message); the form is keyed by its parent to apply new ones. */
  initial?: Partial<CaptureFormValues>;
  onStarted(c: TraceCapture): void;
}

/** Blank fields are left out: the appliance then applies its own limits (core.trace_max_messages, core.trace_max_minutes). */
function toBody(v: CaptureFormValues): StartCapture {
  const body: StartCapture = {};
  const aor = v.aor.trim();
  const callId = v.callId.trim();
  const source = v.source.trim();
  if (aor) body.aor = aor;
  if (callId) body.callId = callId;
  if (source) body.source = source;
  // Whatever was typed goes to the server, which says what is wrong with it.
  if (v.maxMessages.trim()) body.maxMessages = Number(v.maxMessages);
  if (v.maxMinutes.trim()) body.maxMinutes = Number(v.maxMinutes);
  return body;
}

/** Start a capture: by AoR, Call-ID or source address (all given must match), with optional limits. */
export function StartCaptureForm({ initial, onStarted }: Props) {
  const start = useStartCapture();
  const [values, setValues] = useState<CaptureFormValues>({ ...EMPTY_FORM, ...initial });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const bind = (f: Field) => ({
    name: f,
    value: values[f],
    error: fieldErrors[f],
    onChange: (e: { target: { value: string } }) => {
      const v = e.target.value;
      setValues((old) => ({ ...old, [f]: v }));
      setFieldErrors((old) => ({ ...old, [f]: undefined }));
    },
  });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (start.isPending) return;
    setFormError(null);
    try {
      onStarted(await start.mutateAsync(toBody(values)));
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      setFieldErrors(fields);
      const unplaced = Object.keys(fields).filter((f) => !(FIELDS as readonly string[]).includes(f));
      if (Object.keys(fields).length === 0 || unplaced.length > 0) setFormError(errorMessage(err));
      requestAnimationFrame(() => form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus());
    }
  }

  return (
    <form className="form trace-form" onSubmit={onSubmit} noValidate aria-labelledby="trace-form-title">
      <h2 id="trace-form-title" className="card-title">
        New capture
      </h2>
      <FormError message={formError} />
      <FormField label="AoR" placeholder="alice@example.com" autoComplete="off" spellCheck={false} {...bind('aor')} />
      <FormField label="Call-ID" autoComplete="off" spellCheck={false} {...bind('callId')} />
      <FormField label="Source" placeholder="192.0.2.10 or 192.0.2.10:5060" autoComplete="off" spellCheck={false} {...bind('source')} />
      <p className="field-hint trace-form-note">
        Give at least one. The AoR matches From, To or the Request-URI; the source is the far end’s address. All given must match.
      </p>
      <div className="form-row">
        <FormField label="Max messages" type="number" inputMode="numeric" min={1} step={1} placeholder="default" {...bind('maxMessages')} />
        <FormField label="Max minutes" type="number" inputMode="numeric" min={1} step={1} placeholder="default" {...bind('maxMinutes')} />
      </div>
      <p className="field-hint trace-form-note">It stops by itself at the first limit reached; blank uses the appliance’s.</p>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-block" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Start capture'}
        </button>
      </div>
    </form>
  );
}
