import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InjectionFile {
  /** The file for SIPp's `-inf`. */
  readonly path: string;
  readonly rows: number;
  remove(): void;
}

/**
 * A SIPp injection file (`-inf`): the read order on the first line, then one
 * `;`-separated row per call, read as `[field0]`, `[field1]` … With
 * SEQUENTIAL every SIPp run starts again at the first row and wraps at the
 * end, so the calls of one run go to distinct rows while they are fewer than
 * the rows.
 */
export function writeInjectionFile(rows: readonly (readonly string[])[], order: 'SEQUENTIAL' | 'RANDOM' = 'SEQUENTIAL'): InjectionFile {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-sipp-inf-'));
  const path = join(dir, 'users.csv');
  writeFileSync(path, `${order}\n${rows.map((r) => r.join(';')).join('\n')}\n`);
  return { path, rows: rows.length, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `${prefix}1` … `${prefix}${count}`. */
export function userNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/**
 * Rows for `sipp/reg_auth.xml`: field0 the user, field1 the whole
 * `[authentication …]` keyword (SIPp cannot nest keywords inside it, so the
 * user name cannot come from `[field0]` there).
 */
export function digestInjectionRows(users: readonly string[], password: string): string[][] {
  return users.map((u) => [u, `[authentication username=${u} password=${password}]`]);
}
