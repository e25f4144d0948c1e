import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './free-port.js';
import { probeOptions } from './sip-probe.js';

/** Debian's kamailio package puts its modules here. */
export const KAMAILIO_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface KamailioOptions {
  /** The kamailio.cfg to run; it must not `listen=` itself (the socket comes from `-l`). */
  readonly cfg: string;
  /** UDP worker processes (`-n`, the `children` core parameter). */
  readonly workers: number;
  /** Preprocessor defines (`-A NAME` or `-A NAME=VALUE`). */
  readonly defines?: Record<string, string | true>;
  /** Shared / private memory in MB (`-m`, `-M`). */
  readonly shmMb?: number;
  readonly pkgMb?: number;
}

export interface KamailioInstance {
  readonly host: string;
  readonly port: number;
  /** The main process; the workers are its children. */
  readonly pid: number;
  /** Everything Kamailio wrote to stdout and stderr. */
  readonly output: string[];
  /** SIGTERM and wait for the exit (SIGKILL to the process group after 5 s). */
  stop(): Promise<void>;
}

export function kamailioVersion(): string | undefined {
  const r = spawnSync('kamailio', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return /kamailio (\S+)/.exec(r.stdout)?.[1];
}

/**
 * Starts Kamailio in the foreground (`-DD -E`, logs to stderr) on a free UDP
 * port of 127.0.0.1, with its runtime files in a temporary folder, and
 * resolves once it answers an OPTIONS (any final reply: the config decides
 * which).
 */
export async function startKamailio(opts: KamailioOptions): Promise<KamailioInstance> {
  const host = '127.0.0.1';
  const port = await freeUdpPort(host);
  const runDir = mkdtempSync(join(tmpdir(), 'pbx-kamailio-'));
  const args = [
    '-f', opts.cfg,
    '-DD', '-E',
    '-Y', runDir,
    '-P', join(runDir, 'kamailio.pid'),
    '-m', String(opts.shmMb ?? 64),
    '-M', String(opts.pkgMb ?? 8),
    '-L', KAMAILIO_MODULES,
    '-n', String(opts.workers),
    '-l', `udp:${host}:${port}`,
    ...Object.entries(opts.defines ?? {}).flatMap(([k, v]) => ['-A', v === true ? k : `${k}=${v}`]),
  ];
  const proc: ChildProcess = spawn('kamailio', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const s of [proc.stdout!, proc.stderr!]) {
    s.setEncoding('utf8');
    s.on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  }
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) => proc.once('error', reject));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([exited, late]);
    clearTimeout(timer);
    rmSync(runDir, { recursive: true, force: true });
  };

  const early = exited.then(() => {
    throw new Error(`kamailio exited during start-up:\n${output.join('\n')}`);
  });
  const reply = await Promise.race([probeOptions(host, port, { timeoutMs: START_TIMEOUT_MS }), early, spawnError]).catch(async (err) => {
    await stop();
    throw err;
  });
  if (!reply) {
    await stop();
    throw new Error(`kamailio did not answer on udp:${host}:${port} within ${START_TIMEOUT_MS} ms:\n${output.join('\n')}`);
  }
  return { host, port, pid: proc.pid!, output, stop };
}
