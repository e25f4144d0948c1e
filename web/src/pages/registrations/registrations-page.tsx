import { useCallback, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/api-error';
import { useDebouncedValue } from '../../components/use-debounced-value';
import { useNotice } from '../../components/use-notice';
import { Icon } from '../../layout/icons';
import { removeAor, removeContact } from './apply-changes';
import { ConfirmDialog } from './confirm-dialog';
import { useLiveRegistrations } from './live-registrations';
import { RegistrationDetailDialog } from './registration-detail-dialog';
import { useUnregisterAor, useUnregisterContact } from './registrations-api';
import { RegistrationsTable } from './registrations-table';
import type { Contact, RegistrationSort, SortOrder } from './types';

type Confirm = { kind: 'aor'; aor: string; count: number } | { kind: 'contact'; aor: string; contact: Contact };

export default function RegistrationsPage() {
  useLiveRegistrations();
  const [searchInput, setSearchInput] = useState('');
  const search = useDebouncedValue(searchInput.trim(), 250);
  const [sort, setSort] = useState<{ sort: RegistrationSort; order: SortOrder }>({ sort: 'aor', order: 'asc' });
  const [detail, setDetail] = useState<{ aor: string; contactId?: string | undefined } | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [notice, showNotice] = useNotice();
  const qc = useQueryClient();
  const unregisterAor = useUnregisterAor();
  const unregisterContact = useUnregisterContact();

  const onSortChange = useCallback((s: RegistrationSort, order: SortOrder) => setSort({ sort: s, order }), []);
  const onShowAor = useCallback((aor: string, contactId?: string) => setDetail({ aor, contactId }), []);
  const onUnregisterContact = useCallback((aor: string, contact: Contact) => setConfirm({ kind: 'contact', aor, contact }), []);
  const onUnregisterAor = useCallback((aor: string, count: number) => setConfirm({ kind: 'aor', aor, count }), []);

  async function doConfirm() {
    if (!confirm) return;
    // 404: it expired or was removed meanwhile; what the admin wanted is done.
    const gone = (err: unknown) => {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      return 'gone' as const;
    };
    if (confirm.kind === 'aor') {
      const r = await unregisterAor.mutateAsync(confirm.aor).catch(gone);
      if (r === 'gone') removeAor(qc, confirm.aor);
      setDetail(null);
      showNotice(r === 'gone' ? `${confirm.aor} was no longer registered` : `Unregistered ${confirm.aor}`);
    } else {
      const r = await unregisterContact.mutateAsync({ aor: confirm.aor, id: confirm.contact.id }).catch(gone);
      if (r === 'gone') removeContact(qc, confirm.aor, confirm.contact.id);
      showNotice(r === 'gone' ? `${confirm.contact.contact} was no longer registered` : `Unregistered ${confirm.contact.contact} of ${confirm.aor}`);
    }
    setConfirm(null);
  }

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h1>Registrations</h1>
        <div className="toolbar">
          <div className="search">
            <Icon name="search" size={16} className="search-icon" />
            <input
              type="search"
              aria-label="Search registrations"
              placeholder="Search AoR or user agent"
              value={searchInput}
              onChange={(e) => setSearchInput(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setSearchInput('');
              }}
            />
          </div>
        </div>
      </header>

      <p className="notice" role="status" aria-live="polite">
        {notice && <span className="banner banner-ok">{notice}</span>}
      </p>

      <RegistrationsTable
        params={{ search, sort: sort.sort, order: sort.order }}
        onSortChange={onSortChange}
        onShowAor={onShowAor}
        onUnregisterContact={onUnregisterContact}
      />

      <RegistrationDetailDialog target={detail} onClose={() => setDetail(null)} onUnregisterContact={onUnregisterContact} onUnregisterAor={onUnregisterAor} />

      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.kind === 'aor' ? 'Unregister AoR' : 'Unregister contact'}
        confirmLabel="Unregister"
        busyLabel="Unregistering…"
        failure={`Could not unregister ${confirm?.kind === 'contact' ? confirm.contact.contact : (confirm?.aor ?? '')}`}
        onConfirm={doConfirm}
        onClose={() => setConfirm(null)}
      >
        {confirm?.kind === 'aor' && (
          <p>
            Remove {confirm.count === 1 ? 'the contact' : `all ${confirm.count} contacts`} of <strong className="mono">{confirm.aor}</strong>? Calls and messages
            stop reaching its phones until they register again (usually at their next refresh).
          </p>
        )}
        {confirm?.kind === 'contact' && (
          <p>
            Remove <strong className="mono break">{confirm.contact.contact}</strong> from <strong className="mono">{confirm.aor}</strong>? That phone stops
            receiving calls and messages until it registers again (usually at its next refresh).
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
