import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { lines } from '../support/lines.js';

/**
 * One shell command line run as `sh -c` in its own process group, so that
 * everything it starts (npm, the server under it) can be found and ended
 * together. Every line it prints, stdout and stderr, is kept and can be
 * waited for.
 */
export class ShellCommand {
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;
  private readonly watchers = new Set<(line: string) => void>();

  constructor(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.proc = spawn('sh', ['-c', command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [this.proc.stdout!, this.proc.stderr!]) lines(stream, (l) => this.line(l));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The last `n` lines printed, for failure messages. */
  tail(n = 40): string {
    return this.output.slice(-n).join('\n');
  }

  /**
   * Resolves with `pick`'s first non-undefined result over the lines printed
   * so far and from now on; rejects if the command exits first or after
   * `timeoutMs`.
   */
  waitFor<T>(what: string, pick: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    for (const line of this.output) {
      const v = pick(line);
      if (v !== undefined) return Promise.resolve(v);
    }
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(watch);
      };
      const watch = (line: string) => {
        const v = pick(line);
        if (v !== undefined) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; last output:\n${this.tail()}`));
      }, timeoutMs);
      this.watchers.add(watch);
      void this.exited.then(({ code, signal }) => {
        if (!this.watchers.has(watch)) return;
        done();
        reject(new Error(`command exited (${code ?? signal}) before ${what}; last output:\n${this.tail()}`));
      });
    });
  }

  /** Resolves the exit, or rejects after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`command still running after ${timeoutMs} ms; last output:\n${this.tail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pids in this command's process group whose argv `match`es (Linux /proc). */
  groupPids(match: (argv: string[]) => boolean): number[] {
    const found: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // Fields after the parenthesised command name: state ppid pgrp …
        const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        if (pgrp !== this.pid) continue;
        const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (match(argv)) found.push(Number(name));
      } catch {
        /* the process ended while we looked */
      }
    }
    return found;
  }

  /** SIGKILL to the whole group; safe to call when it has already ended. */
  killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private line(line: string): void {
    this.output.push(line);
    for (const w of [...this.watchers]) w(line);
  }
}
