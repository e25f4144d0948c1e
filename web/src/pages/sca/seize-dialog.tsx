import { useId, useState, type FormEvent } from 'react';
import { Dialog } from '../../components/dialog';
import { FormError, FormField } from '../../components/form-field';
import { useSeizeAppearance } from './sca-api';
import type { AppearanceView } from './types';
import { focusFirstInvalid, useFormErrors } from './use-form-errors';

interface Props {
  /** The AoR to seize a line of ('' lets the admin type one); null when closed. */
  aor: string | null;
  /** The lowest idle line of that AoR as the board shows it, 0 when none (or unknown). */
  nextFree: number;
  /** Contacts of the AoR's subscribers, offered as suggestions. */
  contacts: string[];
  /** The shared AoRs on the board, offered when the admin types one. */
  aors: string[];
  onClose(): void;
  onSeized(a: AppearanceView): void;
}

/** sca.seize_appearance from the dashboard: the appliance reserves the AoR's lowest idle line for a contact and NOTIFYs the group. */
export function SeizeDialog({ aor, nextFree, contacts, aors, onClose, onSeized }: Props) {
  return (
    <Dialog
      open={aor !== null}
      onClose={onClose}
      title="Seize a line"
      size="small"
      description="Reserves the lowest idle line of the shared AoR for a phone, as its line-seize would; every subscriber sees the lamp change."
    >
      {aor !== null && <SeizeForm aor={aor} nextFree={nextFree} contacts={contacts} aors={aors} onCancel={onClose} onSeized={onSeized} />}
    </Dialog>
  );
}

const FIELDS = ['aor', 'contact'] as const;

function SeizeForm({ aor: initialAor, nextFree, contacts, aors, onCancel, onSeized }: Omit<Props, 'aor' | 'onClose'> & { aor: string; onCancel(): void }) {
  const seize = useSeizeAppearance();
  const listId = useId();
  const aorListId = useId();
  const editable = initialAor === '';
  const [aor, setAor] = useState(initialAor);
  const [contact, setContact] = useState('');
  const errors = useFormErrors(FIELDS);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    if (seize.isPending) return;
    errors.clear();
    try {
      onSeized(await seize.mutateAsync({ aor: aor.trim(), contact: contact.trim() }));
    } catch (err) {
      errors.show(err, 'Could not seize a line');
      focusFirstInvalid(form);
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Seize a line">
      <FormError message={errors.formError} />
      <FormField
        label="Shared AoR"
        name="aor"
        autoComplete="off"
        spellCheck={false}
        placeholder="sip:reception@example.com"
        data-autofocus={editable ? true : undefined}
        list={editable && aors.length ? aorListId : undefined}
        value={aor}
        readOnly={!editable}
        onChange={(e) => {
          setAor(e.target.value);
          errors.clearField('aor');
        }}
        error={errors.fieldErrors.aor}
        hint={editable ? 'A sip: URI with a user part.' : nextFree > 0 ? `Line ${nextFree} is the lowest idle line.` : 'Every line is in use.'}
      />
      <FormField
        label="Contact"
        name="contact"
        data-autofocus={editable ? undefined : true}
        autoComplete="off"
        spellCheck={false}
        placeholder="sip:desk@192.0.2.10"
        list={contacts.length ? listId : undefined}
        value={contact}
        onChange={(e) => {
          setContact(e.target.value);
          errors.clearField('contact');
        }}
        error={errors.fieldErrors.contact}
        hint="The phone that holds the line (its Contact URI)."
      />
      {editable && aors.length > 0 && (
        <datalist id={aorListId}>
          {aors.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      )}
      {contacts.length > 0 && (
        <datalist id={listId}>
          {contacts.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      )}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={seize.isPending}>
          {seize.isPending ? 'Seizing…' : 'Seize line'}
        </button>
      </div>
    </form>
  );
}
