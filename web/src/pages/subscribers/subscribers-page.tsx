import { useCallback, useState } from 'react';
import { useSystem } from '../../api/system';
import type { Subscriber, SubscriberSort } from '../../api/types';
import { useDebouncedValue } from '../../components/use-debounced-value';
import { useNotice } from '../../components/use-notice';
import { Icon } from '../../layout/icons';
import { ChangePasswordDialog } from './change-password-dialog';
import { CreateSubscriberDialog } from './create-subscriber-dialog';
import { DeleteSubscriberDialog } from './delete-subscriber-dialog';
import { SubscribersTable } from './subscribers-table';

const NO_DOMAINS: string[] = [];

export default function SubscribersPage() {
  const [searchInput, setSearchInput] = useState('');
  const search = useDebouncedValue(searchInput.trim(), 250);
  const [sort, setSort] = useState<{ sort: SubscriberSort; order: 'asc' | 'desc' }>({ sort: 'username', order: 'asc' });
  const [creating, setCreating] = useState(false);
  const [passwordFor, setPasswordFor] = useState<Subscriber | null>(null);
  const [deleting, setDeleting] = useState<Subscriber | null>(null);
  const [notice, showNotice] = useNotice();
  const domains = useSystem().data?.domains ?? NO_DOMAINS;

  const onSortChange = useCallback((s: SubscriberSort, order: 'asc' | 'desc') => setSort({ sort: s, order }), []);
  const openCreate = useCallback(() => setCreating(true), []);

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h1>Subscribers</h1>
        <div className="toolbar">
          <div className="search">
            <Icon name="search" size={16} className="search-icon" />
            <input
              type="search"
              aria-label="Search subscribers"
              placeholder="Search username or domain"
              value={searchInput}
              onChange={(e) => setSearchInput(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setSearchInput('');
              }}
            />
          </div>
          <button type="button" className="btn btn-primary" onClick={openCreate}>
            <Icon name="plus" />
            <span>Add subscriber</span>
          </button>
        </div>
      </header>

      <p className="notice" role="status" aria-live="polite">
        {notice && <span className="banner banner-ok">{notice}</span>}
      </p>

      <SubscribersTable
        params={{ search, sort: sort.sort, order: sort.order }}
        onSortChange={onSortChange}
        onAdd={openCreate}
        onChangePassword={setPasswordFor}
        onDelete={setDeleting}
      />

      <CreateSubscriberDialog
        open={creating}
        domains={domains}
        onClose={() => setCreating(false)}
        onCreated={(s) => {
          setCreating(false);
          showNotice(`Added ${s.username}@${s.domain}`);
        }}
      />
      <ChangePasswordDialog
        subscriber={passwordFor}
        onClose={() => setPasswordFor(null)}
        onChanged={(s) => {
          setPasswordFor(null);
          showNotice(`Password changed for ${s.username}@${s.domain}`);
        }}
      />
      <DeleteSubscriberDialog
        subscriber={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(s) => {
          setDeleting(null);
          showNotice(`Deleted ${s.username}@${s.domain}`);
        }}
      />
    </div>
  );
}
