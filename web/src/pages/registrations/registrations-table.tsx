import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useTable, type SortingState, type Updater } from '@tanstack/react-table';
import { errorMessage } from '../../api/api-error';
import { describeError } from './describe-error';
import { DataTable, dataTableFeatures } from '../../components/data-table';
import { formatNumber } from '../../components/format';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { registrationColumns, toRows, type OptionalColumn, type RowActions } from './columns';
import { useRegistrationList, type RegistrationListParams } from './registrations-api';
import { onRowArrowKeys } from './use-row-arrow-keys';
import { useMediaQuery } from './use-media-query';
import type { RegistrationSort, SortOrder } from './types';

interface Props extends RowActions {
  params: RegistrationListParams;
  onSortChange(sort: RegistrationSort, order: SortOrder): void;
}

const WIDE: ReadonlySet<OptionalColumn> = new Set();
const MEDIUM: ReadonlySet<OptionalColumn> = new Set(['received', 'path', 'instance']);
const NARROW: ReadonlySet<OptionalColumn> = new Set(['received', 'path', 'instance', 'q', 'userAgent']);

export function RegistrationsTable({ params, onSortChange, onShowAor, onUnregisterContact }: Props) {
  const list = useRegistrationList(params);
  // Every column on a wide monitor; on a laptop the ones the detail view repeats give way.
  const wide = useMediaQuery('(min-width: 1760px)');
  const medium = useMediaQuery('(min-width: 1280px)');
  const hidden = wide ? WIDE : medium ? MEDIUM : NARROW;
  const layout = wide ? 'wide' : medium ? 'medium' : 'narrow';

  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const rows = useMemo(() => toRows(items), [items]);
  const columns = useMemo(() => registrationColumns({ onShowAor, onUnregisterContact }, hidden), [onShowAor, onUnregisterContact, hidden]);
  const sorting = useMemo<SortingState>(() => [{ id: params.sort, desc: params.order === 'desc' }], [params.sort, params.order]);

  const onSortingChange = useCallback(
    (u: Updater<SortingState>) => {
      const next = typeof u === 'function' ? u(sorting) : u;
      const first = next[0];
      if (first) onSortChange(first.id as RegistrationSort, first.desc ? 'desc' : 'asc');
    },
    [sorting, onSortChange],
  );

  // A new search or order starts at its first row, not at the old scroll offset.
  const keys = useRef<HTMLDivElement>(null);
  useEffect(() => {
    keys.current?.querySelector('.table-scroll')?.scrollTo({ top: 0 });
  }, [params.search, params.sort, params.order]);

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId: (r) => r.key,
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });

  const { hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError } = list;
  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError]);

  let placeholder;
  if (list.isPending) placeholder = <Loading label="Loading registrations…" />;
  else if (list.isError && rows.length === 0)
    placeholder = <ErrorState title="Could not load the registrations" error={describeError(list.error)} onRetry={() => void list.refetch()} />;
  else if (params.search)
    placeholder = <EmptyState title={`No registration matches “${params.search}”`} hint="Search looks in addresses of record and user agents." />;
  else
    placeholder = (
      <EmptyState
        title="No phone is registered"
        hint="Bindings appear here, live, as soon as a phone sends REGISTER to this appliance."
      />
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
  const loadedAors = items.length;
  return (
    <>
      <p className="table-summary muted" aria-live="polite" data-testid="registration-count">
        {total === undefined || (total === 0 && !params.search)
          ? '\u00a0'
          : `${formatNumber(total)} ${total === 1 ? 'AoR' : 'AoRs'}${params.search ? ` matching “${params.search}”` : ' registered'} · ${formatNumber(rows.length)} ${rows.length === 1 ? 'contact' : 'contacts'} shown`}
        {total !== undefined && loadedAors < total && ' · scroll for more'}
        {list.isFetching && !list.isPending && !isFetchingNextPage && <span className="spinner spinner-small" aria-label="Refreshing" />}
      </p>
      {list.isError && rows.length > 0 && !isFetchNextPageError && (
        <div className="banner banner-error" role="alert">
          Could not refresh the registrations: {errorMessage(describeError(list.error))}{' '}
          <button type="button" className="btn btn-small" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      )}
      <div className="table-keys" ref={keys} onKeyDown={onRowArrowKeys}>
        <DataTable
          table={table}
          label="Registrations"
          className={`registration-grid registration-grid-${layout}`}
          onNearEnd={onNearEnd}
          placeholder={placeholder}
          footer={footer}
        />
      </div>
    </>
  );
}
