import { useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '../../components/dialog';
import { FormError, FormField } from '../../components/form-field';
import { EMPTY, formatDateTime } from '../../components/format';
import { STATE_HINTS, STATE_LABELS, UPDATABLE } from './lamp-states';
import { useUpdateAppearance } from './sca-api';
import type { Line } from './sca-board';
import type { AppearanceView, UpdatableState } from './types';
import { focusFirstInvalid, useFormErrors } from './use-form-errors';

interface Props {
  /** The line as the board shows it now (it changes live while the dialog is open); null when closed. */
  line: Line | null;
  onClose(): void;
  onUpdated(a: AppearanceView): void;
  onRelease(line: Line): void;
  onSeize(aor: string): void;
}

/**
 * One lamp opened: everything known about the line, and its controls —
 * sca.update_appearance (state and display info) and sca.release_appearance
 * for a line in use, seize for an idle one.
 */
export function AppearanceDialog({ line, onClose, onUpdated, onRelease, onSeize }: Props) {
  return (
    <Dialog open={line !== null} onClose={onClose} title={line ? `Line ${line.index}` : 'Line'} description={line && <span className="mono strong">{line.aor}</span>}>
      {line && <LineDetail line={line} onClose={onClose} onUpdated={onUpdated} onRelease={onRelease} onSeize={onSeize} />}
    </Dialog>
  );
}

function LineDetail({ line, onClose, onUpdated, onRelease, onSeize }: Omit<Props, 'line'> & { line: Line }) {
  const a = line.appearance;
  const props: Array<[string, ReactNode]> = [
    [
      'State',
      <span className={`pill lamp-pill lamp-${line.state}`} data-state={line.state} title={STATE_HINTS[line.state]}>
        {STATE_LABELS[line.state]}
      </span>,
    ],
  ];
  if (a) {
    props.push(
      ['Held by', a.owner],
      ['Remote party', a.remote ?? <span className="muted">{EMPTY}</span>],
      ['Display', a.display ?? <span className="muted">{EMPTY}</span>],
      ['Call-ID', a.callId ?? <span className="muted">none (no call yet)</span>],
      ['Since', <time dateTime={new Date(a.since).toISOString()}>{formatDateTime(new Date(a.since).toISOString())}</time>],
    );
  }
  return (
    <div className="form">
      <dl className="props sca-line-props">
        {props.map(([k, v]) => (
          <div key={k} className="prop" data-prop={k}>
            <dt>{k}</dt>
            <dd className={typeof v === 'string' ? 'mono break' : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
      {a ? (
        <UpdateForm key={`${a.aor}\n${a.index}`} appearance={a} onUpdated={onUpdated} onRelease={() => onRelease(line)} onClose={onClose} />
      ) : (
        <>
          <p className="muted">This line is idle. Seizing takes the lowest idle line of the AoR.</p>
          <div className="form-actions">
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
            <button type="button" className="btn btn-primary" onClick={() => onSeize(line.aor)} data-autofocus>
              Seize a line…
            </button>
          </div>
        </>
      )}
    </div>
  );
}

const FIELDS = ['state', 'display'] as const;

function UpdateForm({ appearance: a, onUpdated, onRelease, onClose }: { appearance: AppearanceView; onUpdated(a: AppearanceView): void; onRelease(): void; onClose(): void }) {
  const update = useUpdateAppearance();
  const [state, setState] = useState<UpdatableState>(a.state === 'idle' ? 'seized' : a.state);
  const [display, setDisplay] = useState(a.display ?? '');
  const errors = useFormErrors(FIELDS);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    if (update.isPending) return;
    errors.clear();
    try {
      // An empty display field leaves the display info as it is (the API sets it only when given).
      const d = display.trim();
      onUpdated(await update.mutateAsync({ aor: a.aor, index: a.index, state, ...(d ? { display: d } : {}) }));
    } catch (err) {
      errors.show(err, `Could not update line ${a.index}`);
      focusFirstInvalid(form);
    }
  }

  return (
    <form className="form sca-update" onSubmit={onSubmit} noValidate aria-label={`Update line ${a.index}`}>
      <h3 className="subhead">Update</h3>
      <FormError message={errors.formError} />
      <div className="form-row">
        <div className={`field${errors.fieldErrors.state ? ' field-invalid' : ''}`}>
          <label htmlFor="sca-update-state">State</label>
          <select
            id="sca-update-state"
            name="state"
            value={state}
            data-autofocus
            aria-invalid={errors.fieldErrors.state ? true : undefined}
            aria-describedby={errors.fieldErrors.state ? 'sca-update-state-error' : undefined}
            onChange={(e) => {
              setState(e.target.value as UpdatableState);
              errors.clearField('state');
            }}
          >
            {UPDATABLE.map((s) => (
              <option key={s} value={s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
          {errors.fieldErrors.state && (
            <p id="sca-update-state-error" className="field-error" data-field-error="state">
              {errors.fieldErrors.state}
            </p>
          )}
        </div>
        <FormField
          label="Display info"
          name="display"
          autoComplete="off"
          maxLength={128}
          placeholder="Front desk"
          value={display}
          onChange={(e) => {
            setDisplay(e.target.value);
            errors.clearField('display');
          }}
          error={errors.fieldErrors.display}
        />
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-danger-ghost sca-release" onClick={onRelease}>
          Release…
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="btn btn-primary" disabled={update.isPending}>
          {update.isPending ? 'Updating…' : 'Update'}
        </button>
      </div>
    </form>
  );
}
