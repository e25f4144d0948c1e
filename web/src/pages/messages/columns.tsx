import { createColumnHelper } from '@tanstack/react-table';
import type { DataTableFeatures } from '../../components/data-table';
import { EMPTY, formatDateTime, formatStamp } from '../../components/format';
import { Icon } from '../../layout/icons';
import { isoOf } from '../registrations/binding-format';
import { StatePill } from './state-pill';
import type { SiloMessage } from './types';

export interface RowActions {
  onView(m: SiloMessage): void;
  onDeliver(m: SiloMessage): void;
  onDelete(m: SiloMessage): void;
}

export type OptionalColumn = 'expiresAt' | 'from' | 'sendTime';

const col = createColumnHelper<DataTableFeatures, SiloMessage>();

/** The first line of a body, one cell wide (the full text is one click away). */
export function previewOf(m: Pick<SiloMessage, 'body' | 'contentType'>): string {
  const t = m.contentType.toLowerCase();
  const textual = t.startsWith('text/') || t.includes('json') || t.includes('xml') || t.startsWith('message/cpim');
  if (!textual) return `[${m.contentType}, ${m.body.length} characters]`;
  const flat = m.body.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat || EMPTY;
}

/** Whether "deliver now" can do anything: the message still waits. */
export const canDeliver = (m: SiloMessage) => m.state === 'stored' || m.state === 'failed';

export function messageColumns(actions: RowActions, hidden: ReadonlySet<OptionalColumn>) {
  const all = col.columns([
    col.accessor('state', { header: 'State', cell: (c) => <StatePill state={c.getValue()} /> }),
    col.accessor('to', { header: 'To', cell: (c) => <span className="mono" title={c.getValue()}>{c.getValue()}</span> }),
    col.accessor('from', { header: 'From', cell: (c) => <span className="mono" title={c.getValue()}>{c.getValue()}</span> }),
    col.accessor((m) => previewOf(m), {
      id: 'body',
      header: 'Message',
      cell: (c) => (
        <button type="button" className="link-button body-preview" data-row-focus onClick={() => actions.onView(c.row.original)} title="Show the whole message">
          {c.getValue()}
        </button>
      ),
    }),
    col.accessor('storedAt', { header: 'Stored', cell: (c) => <Stamp at={c.getValue()} /> }),
    col.accessor('sendTime', {
      header: 'Reminder',
      cell: (c) => {
        const t = c.getValue();
        return t === null ? <span className="muted">{EMPTY}</span> : <Stamp at={t} />;
      },
    }),
    col.accessor('expiresAt', { header: 'Expires', cell: (c) => <Stamp at={c.getValue()} /> }),
    col.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      cell: (c) => {
        const m = c.row.original;
        const what = `message ${m.id} to ${m.to}`;
        return (
          <div className="row-actions">
            <button type="button" className="btn btn-small btn-row" onClick={() => actions.onView(m)} aria-label={`View ${what}`} title="View">
              <Icon name="search" size={16} />
              <span>View</span>
            </button>
            <button
              type="button"
              className="btn btn-small btn-row"
              onClick={() => actions.onDeliver(m)}
              disabled={!canDeliver(m)}
              aria-label={`Deliver now ${what}`}
              title={canDeliver(m) ? `Try delivering ${m.to}’s stored messages now` : 'Nothing left to deliver'}
            >
              <Icon name="retry" size={16} />
              <span>Deliver now</span>
            </button>
            <button type="button" className="btn btn-small btn-row btn-danger-ghost" onClick={() => actions.onDelete(m)} aria-label={`Delete ${what}`} title="Delete">
              <Icon name="trash" size={16} />
              <span>Delete</span>
            </button>
          </div>
        );
      },
    }),
  ]);
  return all.filter((c) => !hidden.has(((c as { id?: string }).id ?? (c as { accessorKey?: string }).accessorKey) as OptionalColumn));
}

function Stamp({ at }: { at: number }) {
  const iso = isoOf(at);
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatStamp(iso)}
    </time>
  );
}
