import { useCallback, useMemo } from 'react';
import { useTable, type SortingState, type Updater } from '@tanstack/react-table';
import { useSubscriberList, type SubscriberListParams } from '../../api/subscribers';
import type { Subscriber, SubscriberSort } from '../../api/types';
import { DataTable, dataTableFeatures } from '../../components/data-table';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { errorMessage } from '../../api/api-error';
import { subscriberColumns, type RowActions } from './columns';

const NO_ROWS: Subscriber[] = [];

interface Props extends RowActions {
  params: SubscriberListParams;
  onSortChange(sort: SubscriberSort, order: 'asc' | 'desc'): void;
  onAdd(): void;
}

export function SubscribersTable({ params, onSortChange, onAdd, onChangePassword, onDelete }: Props) {
  const list = useSubscriberList(params);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? NO_ROWS, [list.data]);
  const columns = useMemo(() => subscriberColumns({ onChangePassword, onDelete }), [onChangePassword, onDelete]);
  const sorting = useMemo<SortingState>(() => [{ id: params.sort, desc: params.order === 'desc' }], [params.sort, params.order]);

  const onSortingChange = useCallback(
    (u: Updater<SortingState>) => {
      const next = typeof u === 'function' ? u(sorting) : u;
      const first = next[0];
      if (first) onSortChange(first.id as SubscriberSort, first.desc ? 'desc' : 'asc');
    },
    [sorting, onSortChange],
  );

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId: (s) => String(s.id),
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !list.isFetchNextPageError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, list.isFetchNextPageError]);

  let placeholder;
  if (list.isPending) placeholder = <Loading label="Loading subscribers…" />;
  else if (list.isError && rows.length === 0)
    placeholder = <ErrorState title="Could not load the subscribers" error={list.error} onRetry={() => void list.refetch()} />;
  else if (params.search)
    placeholder = <EmptyState title={`No subscriber matches “${params.search}”`} hint="Search looks in usernames and domains." />;
  else
    placeholder = (
      <EmptyState title="No subscribers yet" hint="Add a SIP account so a phone can register with this appliance.">
        <button type="button" className="btn btn-primary" onClick={onAdd}>
          Add subscriber
        </button>
      </EmptyState>
    );

  let footer = null;
  if (list.isFetchNextPageError)
    footer = (
      <span className="text-error" role="alert">
        Could not load more: {errorMessage(list.error)}{' '}
        <button type="button" className="btn btn-small" onClick={() => void fetchNextPage()}>
          Try again
        </button>
      </span>
    );
  else if (isFetchingNextPage) footer = <Loading inline label="Loading more…" />;

  const total = list.data?.pages[0]?.total;
  return (
    <>
      <p className="table-summary muted" aria-live="polite" data-testid="subscriber-count">
        {total === undefined
          ? '\u00a0'
          : params.search
            ? `${total} ${total === 1 ? 'subscriber matches' : 'subscribers match'} “${params.search}”`
            : `${total} ${total === 1 ? 'subscriber' : 'subscribers'}`}
        {total !== undefined && rows.length < total && ` · ${rows.length} loaded, scroll for more`}
        {list.isFetching && !list.isPending && !isFetchingNextPage && <span className="spinner spinner-small" aria-label="Refreshing" />}
      </p>
      {list.isError && rows.length > 0 && !list.isFetchNextPageError && (
        <div className="banner banner-error" role="alert">
          Could not refresh the list: {errorMessage(list.error)}{' '}
          <button type="button" className="btn btn-small" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      )}
      <DataTable table={table} label="Subscribers" className="subscriber-grid" onNearEnd={onNearEnd} placeholder={placeholder} footer={footer} />
    </>
  );
}
