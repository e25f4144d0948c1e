import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useTable } from '@tanstack/react-table';
import { errorMessage } from '../../api/api-error';
import { describeError } from '../registrations/describe-error';
import { DataTable, dataTableFeatures } from '../../components/data-table';
import { formatNumber } from '../../components/format';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useMediaQuery } from '../registrations/use-media-query';
import { onRowArrowKeys } from '../registrations/use-row-arrow-keys';
import { messageColumns, type OptionalColumn, type RowActions } from './columns';
import { useMessageList } from './messages-api';
import type { FinishedRow } from './live-messages';
import { FINAL_STATES, type MessageFilters, type MessagePage, type SiloMessage } from './types';

interface Props extends RowActions {
  filters: MessageFilters;
  /** Messages that reached a final state while the page was open (msilo removes them from the silo). */
  finished: ReadonlyMap<number, FinishedRow>;
  onCompose(): void;
  onClearFilters(): void;
}

const NO_ROWS: SiloMessage[] = [];
const WIDE: ReadonlySet<OptionalColumn> = new Set();
const MEDIUM: ReadonlySet<OptionalColumn> = new Set(['expiresAt', 'sendTime']);
const NARROW: ReadonlySet<OptionalColumn> = new Set(['expiresAt', 'from', 'sendTime']);

export function MessagesTable({ filters, finished, onCompose, onClearFilters, onView, onDeliver, onDelete }: Props) {
  const list = useMessageList(filters);
  // Every column on a wide monitor; on a laptop the ones the detail view repeats give way.
  const wide = useMediaQuery('(min-width: 1800px)');
  const medium = useMediaQuery('(min-width: 1280px)');
  const hidden = wide ? WIDE : medium ? MEDIUM : NARROW;
  const layout = wide ? 'wide' : medium ? 'medium' : 'narrow';

  const { rows, extra } = useMemo(() => withFinished(list.data?.pages ?? [], finished, filters), [list.data, finished, filters]);
  const columns = useMemo(() => messageColumns({ onView, onDeliver, onDelete }, hidden), [onView, onDeliver, onDelete, hidden]);

  // A new search or order starts at its first row, not at the old scroll offset.
  const keys = useRef<HTMLDivElement>(null);
  useEffect(() => {
    keys.current?.querySelector('.table-scroll')?.scrollTo({ top: 0 });
  }, [filters.to, filters.from, filters.state]);

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId: (m) => String(m.id),
    enableSorting: false,
  });

  const { hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError } = list;
  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError]);

  const filtered = Boolean(filters.to || filters.from || filters.state);
  let placeholder;
  if (list.isPending) placeholder = <Loading label="Loading messages…" />;
  else if (list.isError && rows.length === 0) placeholder = <ErrorState title="Could not load the messages" error={describeError(list.error)} onRetry={() => void list.refetch()} />;
  else if (filtered)
    placeholder = (
      <EmptyState title="No message matches these filters">
        <button type="button" className="btn" onClick={onClearFilters}>
          Clear the filters
        </button>
      </EmptyState>
    );
  else
    placeholder = (
      <EmptyState title="The silo is empty" hint="A MESSAGE sent to a user who is not registered is stored here until their phone registers.">
        <button type="button" className="btn btn-primary" onClick={onCompose}>
          Compose a message
        </button>
      </EmptyState>
    );

  let footer = null;
  if (isFetchNextPageError)
    footer = (
      <span className="text-error" role="alert">
        Could not load more: {errorMessage(describeError(list.error))}{' '}
        <button type="button" className="btn btn-small" onClick={() => void fetchNextPage()}>
          Try again
        </button>
      </span>
    );
  else if (isFetchingNextPage) footer = <Loading inline label="Loading more…" />;

  const total = list.data?.pages[0]?.total;
  return (
    <>
      <p className="table-summary muted" aria-live="polite" data-testid="message-count">
        {total === undefined || (total === 0 && !filtered && extra === 0) ? '\u00a0' : filtered
            ? `${formatNumber(total)} ${total === 1 ? 'message matches' : 'messages match'} the filters`
            : `${formatNumber(total)} ${total === 1 ? 'message' : 'messages'} in the silo`}
        {total !== undefined && rows.length - extra < total && ` · ${formatNumber(rows.length - extra)} loaded, scroll for more`}
        {extra > 0 && (
          <span title="msilo removes delivered and expired messages from the silo; these stay listed until you leave the page.">
            {` · ${formatNumber(extra)} delivered or expired while open`}
          </span>
        )}
        {list.isFetching && !list.isPending && !isFetchingNextPage && <span className="spinner spinner-small" aria-label="Refreshing" />}
      </p>
      {list.isError && rows.length > 0 && !isFetchNextPageError && (
        <div className="banner banner-error" role="alert">
          Could not refresh the messages: {errorMessage(describeError(list.error))}{' '}
          <button type="button" className="btn btn-small" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      )}
      <div className="table-keys" ref={keys} onKeyDown={onRowArrowKeys}>
        <DataTable table={table} label="Messages" className={`message-grid message-grid-${layout}`} onNearEnd={onNearEnd} placeholder={placeholder} footer={footer} />
      </div>
    </>
  );
}

const lower = (s: string) => s.toLowerCase();

/** Whether a message kept on screen still answers the filters (approximately as the server applies them). */
function matches(m: SiloMessage, f: MessageFilters): boolean {
  if (f.state && m.state !== f.state) return false;
  if (f.to && !lower(m.to).includes(lower(f.to).replace(/^sips?:/, ''))) return false;
  if (f.from && !lower(m.from).includes(lower(f.from))) return false;
  return true;
}

/**
 * What the table shows for a message: the server's state, unless what was
 * seen live says more: a final state over a waiting one, and "failed" over
 * the "stored" or "delivering" msilo keeps a refused message in until its
 * next attempt (whose outcome arrives as an event of its own).
 */
function shownState(server: SiloMessage['state'], seen: SiloMessage['state']): SiloMessage['state'] {
  if (FINAL_STATES.has(seen) && !FINAL_STATES.has(server)) return seen;
  if (seen === 'failed' && (server === 'stored' || server === 'delivering')) return seen;
  return server;
}

/**
 * The server's rows, each once (live inserts can make a later page repeat
 * one), with what was seen live while the page was open: see shownState, and
 * a message msilo has since removed stays where it was, so "delivered" can
 * be read rather than flash past.
 */
export function withFinished(pages: readonly MessagePage[], finished: ReadonlyMap<number, FinishedRow>, filters: MessageFilters): { rows: SiloMessage[]; extra: number } {
  const seen = new Set<number>();
  const out: SiloMessage[] = [];
  for (const p of pages)
    for (const m of p.items) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      const f = finished.get(m.id);
      const state = f ? shownState(m.state, f.message.state) : m.state;
      out.push(state === m.state ? m : { ...m, state });
    }
  let extra = 0;
  const missing = [...finished.values()]
    .filter((f) => FINAL_STATES.has(f.message.state) && !seen.has(f.message.id) && matches(f.message, filters))
    .sort((a, b) => a.index - b.index);
  for (const f of missing) {
    out.splice(Math.min(f.index, out.length), 0, f.message);
    extra++;
  }
  return { rows: out.length ? out : NO_ROWS, extra };
}
