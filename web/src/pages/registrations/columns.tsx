import { createColumnHelper } from '@tanstack/react-table';
import type { DataTableFeatures } from '../../components/data-table';
import { EMPTY } from '../../components/format';
import { Icon } from '../../layout/icons';
import { formatInstance, formatQ } from './binding-format';
import { ExpiresIn } from './expires-in';
import type { Contact, Registration } from './types';

/** One table row per binding; the AoR's own cells show on its first row. */
export interface ContactRow {
  key: string;
  aor: string;
  /** First binding of its AoR (where the AoR and its count are shown). */
  first: boolean;
  /** How many bindings the AoR has. */
  count: number;
  contact: Contact;
}

/** Flattens AoRs into rows (an AoR that a late page repeats, after live changes shifted the paging, is shown once). */
export function toRows(items: Registration[]): ContactRow[] {
  const rows: ContactRow[] = [];
  const seen = new Set<string>();
  for (const r of items) {
    if (seen.has(r.aor) || r.contacts.length === 0) continue;
    seen.add(r.aor);
    r.contacts.forEach((contact, i) => {
      rows.push({ key: `${r.aor}\u0000${contact.id}`, aor: r.aor, first: i === 0, count: r.contacts.length, contact });
    });
  }
  return rows;
}

export interface RowActions {
  onShowAor(aor: string, contactId?: string): void;
  onUnregisterContact(aor: string, contact: Contact): void;
}

/** Columns that give way on narrower screens (they stay in the detail view). */
export type OptionalColumn = 'received' | 'path' | 'instance' | 'q' | 'userAgent';

const col = createColumnHelper<DataTableFeatures, ContactRow>();

/** Sortable column ids are the API's `sort` values. */
export function registrationColumns(actions: RowActions, hidden: ReadonlySet<OptionalColumn>) {
  const all = col.columns([
    col.accessor('aor', {
      header: 'AoR',
      cell: (c) => {
        const r = c.row.original;
        if (!r.first)
          return (
            <span className="aor-cont" title={r.aor}>
              <span aria-hidden="true">↳</span>
              <span className="sr-only">{r.aor}</span>
            </span>
          );
        return (
          <button type="button" className="link-button mono strong" onClick={() => actions.onShowAor(r.aor)} title={`All bindings of ${r.aor}`}>
            {r.aor}
          </button>
        );
      },
    }),
    col.accessor((r) => r.count, {
      id: 'contacts',
      header: 'Contacts',
      sortDescFirst: true,
      cell: (c) => (c.row.original.first ? <span className="num-cell">{c.getValue()}</span> : null),
    }),
    col.accessor((r) => r.contact.userAgent, {
      id: 'userAgent',
      header: 'User agent',
      enableSorting: false,
      cell: (c) => <Text value={c.getValue()} />,
    }),
    col.accessor((r) => r.contact.contact, {
      id: 'contact',
      header: 'Contact',
      enableSorting: false,
      cell: (c) => <Text value={c.getValue()} mono />,
    }),
    col.accessor((r) => r.contact.received, {
      id: 'received',
      header: 'Received',
      enableSorting: false,
      cell: (c) => <Text value={c.getValue()} mono />,
    }),
    col.accessor((r) => r.contact.transport, {
      id: 'transport',
      header: 'Transport',
      enableSorting: false,
      cell: (c) => <span className="badge transport">{c.getValue().toUpperCase()}</span>,
    }),
    col.accessor((r) => r.contact.expires, {
      id: 'expires',
      header: 'Expires',
      cell: (c) => <ExpiresIn at={c.getValue()} />,
    }),
    col.accessor((r) => r.contact.q, {
      id: 'q',
      header: 'q',
      enableSorting: false,
      cell: (c) => <span className="num-cell">{formatQ(c.getValue())}</span>,
    }),
    col.accessor((r) => formatInstance(r.contact), {
      id: 'instance',
      header: 'Instance / reg-id',
      enableSorting: false,
      cell: (c) => <Text value={c.getValue()} mono title={c.row.original.contact.instance ?? undefined} />,
    }),
    col.accessor((r) => r.contact.path, {
      id: 'path',
      header: 'Path',
      enableSorting: false,
      cell: (c) => {
        const path = c.getValue();
        if (path.length === 0) return <span className="muted">{EMPTY}</span>;
        return (
          <span className="mono" title={path.join('\n')}>
            {path.length > 1 && <span className="badge">{path.length}</span>} {path[0]}
          </span>
        );
      },
    }),
    col.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      cell: (c) => {
        const r = c.row.original;
        const what = `${r.contact.contact} of ${r.aor}`;
        return (
          <div className="row-actions">
            <button
              type="button"
              className="btn btn-small btn-row"
              data-row-focus
              onClick={() => actions.onShowAor(r.aor, r.contact.id)}
              aria-label={`Details of ${what}`}
              title="Details"
            >
              <Icon name="search" size={16} />
              <span>Details</span>
            </button>
            <button
              type="button"
              className="btn btn-small btn-row btn-danger-ghost"
              onClick={() => actions.onUnregisterContact(r.aor, r.contact)}
              aria-label={`Unregister ${what}`}
              title="Unregister this contact"
            >
              <Icon name="trash" size={16} />
              <span>Unregister</span>
            </button>
          </div>
        );
      },
    }),
  ]);
  return all.filter((c) => !hidden.has(c.id as OptionalColumn));
}

/** A cell's text, ellipsised with the full value on hover; — when absent. */
function Text({ value, mono, title }: { value: string | null; mono?: boolean; title?: string | undefined }) {
  if (value === null || value === '' || value === EMPTY) return <span className="muted">{EMPTY}</span>;
  return (
    <span className={mono ? 'mono' : undefined} title={title ?? value}>
      {value}
    </span>
  );
}
