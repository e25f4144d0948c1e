import { createColumnHelper } from '@tanstack/react-table';
import type { Subscriber } from '../../api/types';
import type { DataTableFeatures } from '../../components/data-table';
import { formatDateTime, formatStamp } from '../../components/format';
import { Icon } from '../../layout/icons';

const col = createColumnHelper<DataTableFeatures, Subscriber>();

export interface RowActions {
  onChangePassword(s: Subscriber): void;
  onDelete(s: Subscriber): void;
}

/** Column ids are the API's `sort` values. */
export function subscriberColumns(actions: RowActions) {
  return col.columns([
    col.accessor('username', {
      header: 'Username',
      cell: (c) => <span className="mono strong">{c.getValue()}</span>,
    }),
    col.accessor('domain', { header: 'Domain', cell: (c) => <span className="mono">{c.getValue()}</span> }),
    col.accessor('createdAt', { header: 'Created', sortDescFirst: true, cell: (c) => <Stamp iso={c.getValue()} /> }),
    col.accessor('updatedAt', { header: 'Updated', sortDescFirst: true, cell: (c) => <Stamp iso={c.getValue()} /> }),
    col.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      cell: (c) => {
        const s = c.row.original;
        const who = `${s.username}@${s.domain}`;
        return (
          <div className="row-actions">
            <button type="button" className="btn btn-small btn-row" onClick={() => actions.onChangePassword(s)} aria-label={`Change password of ${who}`} title="Change password">
              <Icon name="key" size={16} />
              <span>Password</span>
            </button>
            <button type="button" className="btn btn-small btn-row btn-danger-ghost" onClick={() => actions.onDelete(s)} aria-label={`Delete ${who}`} title="Delete">
              <Icon name="trash" size={16} />
              <span>Delete</span>
            </button>
          </div>
        );
      },
    }),
  ]);
}

function Stamp({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatStamp(iso)}
    </time>
  );
}
