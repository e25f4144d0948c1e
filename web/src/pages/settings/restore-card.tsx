import { useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/api-error';
import { Dialog } from '../../components/dialog';
import { FormError } from '../../components/form-field';
import { describeCounts, readBackupFile, restoreBackup, type ChosenBackup, type RestoreResult } from './backup-api';

/**
 * Restore: choose a file, see what it holds, confirm, see what was
 * restored, or the server's reasons (each bad field of the file; the
 * appliance already holding data, with the option to replace it).
 */
export function RestoreCard() {
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<ChosenBackup | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [replace, setReplace] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RestoreResult | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function choose(file: File | undefined) {
    setChosen(null);
    setReadError(null);
    setResult(null);
    setError(null);
    if (!file) return;
    try {
      setChosen(await readBackupFile(file));
    } catch (err) {
      setReadError(errorMessage(err));
    }
  }

  async function run() {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await restoreBackup(chosen.body, replace));
      setChosen(null);
      setReplace(false);
      if (input.current) input.current.value = '';
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  const fieldErrors = error instanceof ApiError ? Object.entries(error.fieldErrors) : [];
  const notEmpty = error instanceof ApiError && error.status === 409;

  return (
    <section className="card settings-card" aria-labelledby="restore-title">
      <h2 id="restore-title" className="card-title">
        Restore
      </h2>
      <p className="muted">
        Loads a file made by Export into this appliance. It must be empty (a new installation); an appliance that already holds data is
        only overwritten when you ask to replace it.
      </p>
      <div className="field">
        <label htmlFor="restore-file">Backup file</label>
        <input id="restore-file" ref={input} type="file" accept="application/json,.json" onChange={(e) => void choose(e.target.files?.[0])} />
      </div>
      <FormError message={readError} />
      {chosen && (
        <p className="banner banner-info" data-testid="restore-chosen">
          {chosen.name}
          {chosen.createdAt ? ` (made ${new Date(chosen.createdAt).toLocaleString()})` : ''}: {describeCounts(chosen.counts)}.
        </p>
      )}
      {error !== null && (
        <div className="banner banner-error" role="alert" data-testid="restore-error">
          <p>{notEmpty ? `Not restored: ${errorMessage(error)}.` : `Could not restore: ${errorMessage(error)}`}</p>
          {fieldErrors.length > 0 && (
            <ul className="settings-errors">
              {fieldErrors.map(([field, message]) => (
                <li key={field}>
                  <span className="mono">{field}</span>: {message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {result && (
        <p className="banner banner-ok" role="status" data-testid="restore-result">
          Restored {describeCounts(result.restored)}
          {result.expiredBindings > 0 ? ` (${result.expiredBindings} expired registrations left out)` : ''}.
        </p>
      )}
      <label className="settings-check">
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
        <span>Replace the data this appliance holds</span>
      </label>
      <div className="form-actions settings-actions">
        <button type="button" className={replace ? 'btn btn-danger' : 'btn btn-primary'} disabled={!chosen || busy} onClick={() => setConfirming(true)}>
          Restore…
        </button>
      </div>

      <Dialog open={confirming} onClose={() => !busy && setConfirming(false)} title="Restore backup" size="small">
        {chosen && (
          <div className="form">
            <p>
              Restore <strong className="mono">{chosen.name}</strong> ({describeCounts(chosen.counts)}) into this appliance?
              {replace ? ' Every subscriber, registration, stored message and SCA subscription it holds now is replaced.' : ''}
            </p>
            <div className="form-actions">
              <button type="button" className="btn" onClick={() => setConfirming(false)} disabled={busy} data-autofocus>
                Cancel
              </button>
              <button type="button" className={replace ? 'btn btn-danger' : 'btn btn-primary'} onClick={() => void run()} disabled={busy}>
                {busy ? 'Restoring…' : replace ? 'Replace and restore' : 'Restore'}
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </section>
  );
}
