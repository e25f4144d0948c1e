import { useState } from 'react';
import { errorMessage } from '../../api/api-error';
import { FormError } from '../../components/form-field';
import { describeCounts, downloadBackup } from './backup-api';

/** Export: one click downloads the backup file. */
export function ExportCard() {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run() {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await downloadBackup();
      setDone(`Downloaded ${r.fileName}: ${describeCounts(r.counts)}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="export-title">
      <h2 id="export-title" className="card-title">
        Export
      </h2>
      <p className="muted">
        One file with every subscriber (password digests only), the current registrations, the stored offline messages and the SCA
        subscriptions. Keep it safe: the digests let a phone register.
      </p>
      <FormError message={error ? `Could not export: ${errorMessage(error)}` : null} />
      {done && (
        <p className="banner banner-ok" role="status" data-testid="export-result">
          {done}
        </p>
      )}
      <div className="form-actions settings-actions">
        <button type="button" className="btn btn-primary" onClick={run} disabled={busy}>
          {busy ? 'Exporting…' : 'Download backup'}
        </button>
      </div>
    </section>
  );
}
