import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './free-port.js';
import { ownCpuSeconds } from './proc-cpu.js';

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

export interface SippUas {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** CPU seconds SIPp has used so far (to show its share of the machine beside a load step). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Whether some socket is bound to udp `host:port` (/proc/net/udp lists it, addresses in hex). */
function udpBound(host: string, port: number): boolean {
  const hexIp = host
    .split('.')
    .reverse()
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  const want = `${hexIp}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
  try {
    return readFileSync('/proc/net/udp', 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1] === want);
  } catch {
    return false;
  }
}

/**
 * A SIPp UAS (e.g. `sipp/msg_uas.xml`, the phone that answers relayed
 * MESSAGEs) on UDP `port` (default a free one) of 127.0.0.1, running until
 * `stop()`. Resolves once its socket is bound.
 */
export async function startSippUas(opts: { scenario: string; host?: string; port?: number }): Promise<SippUas> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freeUdpPort(host));
  const dir = mkdtempSync(join(tmpdir(), 'pbx-sipp-uas-'));
  const proc = spawn('sipp', ['-sf', opts.scenario, '-i', host, '-p', String(port), '-nostdin', '-buff_size', '4194304'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d: string) => {
    if (stderr.length < 16_384) stderr += d;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      exited,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
          resolve();
        }, STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!udpBound(host, port)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`SIPp UAS did not bind udp:${host}:${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  let lastCpu = 0;
  return {
    host,
    port,
    pid: proc.pid!,
    cpuSeconds: () => (lastCpu = ownCpuSeconds(proc.pid!) || lastCpu),
    stop,
  };
}
