const numberFmt = new Intl.NumberFormat();
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export const EMPTY = '—';

export function formatNumber(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? EMPTY : numberFmt.format(n);
}

/** The full local date and time, for titles and panels. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return EMPTY;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTimeFmt.format(t);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-24 17:05" in local time: compact and sortable, for table cells. */
export function formatStamp(iso: string | undefined): string {
  if (!iso) return EMPTY;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** 1536 → "1.5 KiB": traffic counters in table cells. */
export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatTime(ms: number): string {
  return timeFmt.format(ms);
}

/** 93784 → "1d 2h 3m"; under a minute → "42s". */
export function formatDuration(totalSec: number): string {
  const s = Math.max(0, Math.floor(totalSec));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  return [d && `${d}d`, (d || h) && `${h}h`, `${m}m`].filter(Boolean).join(' ');
}
