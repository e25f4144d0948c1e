import type { KeyboardEvent } from 'react';

/**
 * Arrow keys move between rows of a virtualised table: Up/Down go to the
 * same column's control in the neighbouring row (focusing it scrolls it into
 * view, and the overscan keeps the neighbour rendered), Home/End with Ctrl
 * to the first/last rendered row. Left/Right move between a row's controls.
 */
export function onRowArrowKeys(e: KeyboardEvent<HTMLElement>): void {
  if (e.altKey || e.metaKey || e.shiftKey) return;
  const target = e.target as HTMLElement;
  if (target.closest('input, textarea, select')) return;
  const cell = target.closest<HTMLElement>('td[data-col]');
  const row = cell?.closest<HTMLElement>('tr[aria-rowindex]');
  if (!cell || !row) return;
  const controls = (el: Element | null) => (el ? Array.from(el.querySelectorAll<HTMLElement>('button, a[href], [tabindex="0"]')) : []);

  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    const list = controls(row);
    const i = list.indexOf(target);
    const next = list[i + (e.key === 'ArrowLeft' ? -1 : 1)];
    if (i >= 0 && next) {
      e.preventDefault();
      next.focus();
    }
    return;
  }
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const index = Number(row.getAttribute('aria-rowindex'));
  const body = row.parentElement;
  const wanted = index + (e.key === 'ArrowDown' ? 1 : -1);
  const nextRow = body?.querySelector<HTMLElement>(`tr[aria-rowindex="${wanted}"]`);
  if (!nextRow) return;
  e.preventDefault();
  const sameCol = nextRow.querySelector<HTMLElement>(`td[data-col="${cell.dataset.col}"]`);
  // The same kind of control in the same column, else the row's first control.
  const pick = controls(sameCol)[controls(cell).indexOf(target)] ?? controls(sameCol)[0] ?? nextRow.querySelector<HTMLElement>('[data-row-focus]') ?? controls(nextRow)[0];
  pick?.focus();
}
