import { apiRequest } from '../../api/client';

/** Records per section of a backup file, as the server counts them. */
export interface BackupCounts {
  subscribers: number;
  bindings: number;
  messages: number;
  scaSubscriptions: number;
}

/** `POST /api/backup/restore`'s answer. */
export interface RestoreResult {
  restored: BackupCounts;
  expiredBindings: number;
  replaced: boolean;
}

/** What the page knows of a chosen file before sending it: its text, and the counts it claims. */
export interface ChosenBackup {
  name: string;
  size: number;
  /** The parsed file, sent as it is: the server validates it. */
  body: unknown;
  counts: BackupCounts;
  createdAt: string | null;
}

/**
 * GET /api/backup through the API client (bearer token, 401 handling),
 * handed to the browser as a download named like the server's.
 */
export async function downloadBackup(): Promise<{ fileName: string; counts: BackupCounts }> {
  const file = await apiRequest<Record<string, unknown> & { createdAt?: string }>('/api/backup');
  const stamp = (file.createdAt ?? new Date().toISOString()).replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const fileName = `pbx-lite-backup-${stamp}.json`;
  const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2) + '\n'], { type: 'application/json' }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the blob to the download manager by now.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return { fileName, counts: countsOf(file) };
}

export function restoreBackup(body: unknown, replace: boolean): Promise<RestoreResult> {
  return apiRequest<RestoreResult>(`/api/backup/restore${replace ? '?replace=true' : ''}`, { method: 'POST', body });
}

/** Reads a chosen file; rejects with a sentence when it is not JSON (the server judges everything else). */
export async function readBackupFile(file: File): Promise<ChosenBackup> {
  let body: unknown;
  try {
    body = JSON.parse(await file.text());
  } catch {
    throw new Error(`${file.name} is not a JSON file: choose a file made by Export`);
  }
  const created = body && typeof body === 'object' ? (body as { createdAt?: unknown }).createdAt : undefined;
  return { name: file.name, size: file.size, body, counts: countsOf(body), createdAt: typeof created === 'string' ? created : null };
}

function countsOf(file: unknown): BackupCounts {
  const f = (file && typeof file === 'object' ? file : {}) as Record<string, unknown>;
  const n = (k: string) => (Array.isArray(f[k]) ? (f[k] as unknown[]).length : 0);
  return { subscribers: n('subscribers'), bindings: n('bindings'), messages: n('messages'), scaSubscriptions: n('scaSubscriptions') };
}

/** "2 subscribers, 1 registration, …" */
export function describeCounts(c: BackupCounts): string {
  const part = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return [
    part(c.subscribers, 'subscriber', 'subscribers'),
    part(c.bindings, 'registration', 'registrations'),
    part(c.messages, 'stored message', 'stored messages'),
    part(c.scaSubscriptions, 'SCA subscription', 'SCA subscriptions'),
  ].join(', ');
}
