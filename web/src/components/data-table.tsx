import { useEffect, useRef, type ReactNode } from 'react';
import { rowSortingFeature, tableFeatures, type ReactTable, type RowData } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Icon } from '../layout/icons';

/** Tables sort on the server: the sorting feature gives state and headers, no client row model. */
export const dataTableFeatures = tableFeatures({ rowSortingFeature });
export type DataTableFeatures = typeof dataTableFeatures;

interface DataTableProps<TData extends RowData> {
  table: ReactTable<DataTableFeatures, TData, any>;
  /** Accessible name of the table. */
  label: string;
  /** Class on the scroll box; its CSS sets `--cols`, the grid-template-columns shared by the header and every row. */
  className: string;
  rowHeight?: number;
  /** Called when the last rows are on screen: fetch the next server page. */
  onNearEnd?: () => void;
  /** Rendered instead of rows when there are none (loading, empty, error). */
  placeholder?: ReactNode;
  /** Under the last row (e.g. "Loading more…"). */
  footer?: ReactNode;
}

/**
 * A table with a sticky header whose rows are virtualised: only the rows on
 * screen are in the DOM, so a long server-paged list scrolls smoothly.
 * Real <table> semantics; the grid layout keeps columns aligned.
 */
export function DataTable<TData extends RowData>({ table, label, className, rowHeight = 44, onNearEnd, placeholder, footer }: DataTableProps<TData>) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : -1;

  useEffect(() => {
    if (onNearEnd && rows.length > 0 && lastIndex >= rows.length - 10) onNearEnd();
  }, [lastIndex, rows.length, onNearEnd]);

  return (
    <div className={`table-scroll ${className}`} ref={scroller}>
      <table className="data-table" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
        <thead role="rowgroup">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} role="row" aria-rowindex={1}>
              {group.headers.map((header) => {
                const col = header.column;
                const sorted = col.getIsSorted();
                const canSort = col.getCanSort();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    role="columnheader"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : canSort ? 'none' : undefined}
                  >
                    {header.isPlaceholder ? null : canSort ? (
                      <button type="button" className="th-sort" onClick={col.getToggleSortingHandler()}>
                        <table.FlexRender header={header} />
                        <Icon name={sorted === 'asc' ? 'sortAsc' : sorted === 'desc' ? 'sortDesc' : 'sortNone'} size={14} className={sorted ? '' : 'sort-idle'} />
                      </button>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        {rows.length === 0 ? (
          <tbody className="table-placeholder" role="rowgroup">
            <tr role="row">
              <td role="cell" colSpan={table.getAllLeafColumns().length}>
                {placeholder}
              </td>
            </tr>
          </tbody>
        ) : (
          <tbody role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <tr key={row.id} role="row" aria-rowindex={item.index + 2} style={{ transform: `translateY(${item.start}px)`, height: rowHeight }}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} role="cell" data-col={cell.column.id}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        )}
      </table>
      {footer && rows.length > 0 && <div className="table-footer">{footer}</div>}
    </div>
  );
}
