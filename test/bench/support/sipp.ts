import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './free-port.js';
import { ownCpuSeconds } from './proc-cpu.js';

/** How often SIPp's own CPU time is sampled (it cannot be read once it has exited). */
const CPU_SAMPLE_MS = 200;

export interface SippOptions {
  /** Scenario file (`-sf`). */
  readonly scenario: string;
  readonly host: string;
  readonly port: number;
  /** Target calls per second (`-r`, per `-rp 1000`). */
  readonly rate: number;
  /** Calls to place (`-m`); SIPp exits when they are done. */
  readonly calls: number;
  /** Keep every response time (`-trace_rtt`) for percentiles. */
  readonly rtt?: boolean;
  /** `-key NAME VALUE` pairs for the scenario. */
  readonly keys?: Record<string, string>;
  readonly extraArgs?: readonly string[];
  /**
   * A call with no reply this long after its request fails
   * (`-recv_timeout`): otherwise an overloaded server's retransmission
   * back-off (up to ~32 s per call) stretches a step many times over.
   * Default 2 s, after the retransmissions at 0.5 and 1.5 s.
   */
  readonly recvTimeoutMs?: number;
  /**
   * Most calls in flight (`-l`); default twice the rate (~2 s of calls).
   * A small limit with a high rate makes a closed loop: SIPp starts a call
   * as one ends, so it runs as fast as the server answers and no faster.
   */
  readonly maxInFlight?: number;
  /**
   * The backstop: SIPp is killed (its last statistics line then counts) this
   * long after it started. Default twice the scheduled duration
   * (`calls / rate`) plus `recvTimeoutMs` and 15 s; a closed loop (see
   * `maxInFlight`) runs slower than its rate and needs its own.
   */
  readonly killAfterMs?: number;
  /**
   * SIPp's own UDP port (`-p`); default a free one. Fixed when the calls
   * must come from an address they name, e.g. REGISTERs whose Contact is
   * the port a SIPp UAS will then listen on (a registrar that stores the
   * source as `received` when it differs from the Contact would otherwise
   * route to the registering SIPp instead).
   */
  readonly localPort?: number;
}

export interface SippResult {
  readonly targetRate: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /** Calls SIPp had not finished when it ended (killed at the backstop). */
  readonly unfinished: number;
  /** From SIPp's first call to its last stats line, seconds. */
  readonly elapsedSec: number;
  /** Successful calls per second over `elapsedSec`. */
  readonly achievedRate: number;
  /** failed + unfinished, as a fraction of `calls`. */
  readonly failureRatio: number;
  /** Response times in ms, SIPp's resolution (whole ms), when `rtt` was asked for. */
  readonly rttMs?: number[];
  /** SIPp's own CPU time over `elapsedSec` (user + system, last sample before it exited), in cores: near 1 it is the limit. */
  readonly sippCores: number;
  readonly exitCode: number | null;
}

export function sippVersion(): string | undefined {
  const r = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return /SIPp (v\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1];
}

/**
 * One bounded SIPp run from a free port of 127.0.0.1, in a temporary folder
 * that receives its trace files (`-trace_stat`, `-trace_rtt`): the final
 * cumulative statistics line gives the counts, the RTT file the response
 * times. The screen goes nowhere (`-nostdin`, stdout ignored).
 */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-sipp-'));
  const localPort = opts.localPort ?? (await freeUdpPort('127.0.0.1'));
  const durationMs = (opts.calls / opts.rate) * 1000;
  const recvTimeoutMs = opts.recvTimeoutMs ?? 2_000;
  // A backstop: SIPp ends by itself once every call has its reply or timed out.
  const killAfterMs = opts.killAfterMs ?? durationMs * 2 + recvTimeoutMs + 15_000;
  const args = [
    `${opts.host}:${opts.port}`,
    '-sf', opts.scenario,
    '-i', '127.0.0.1',
    '-p', String(localPort),
    '-r', String(opts.rate),
    '-rp', '1000',
    '-m', String(opts.calls),
    // Room for the calls of ~2 s in flight before SIPp stops creating more (default is 3 x rate x call length).
    '-l', String(opts.maxInFlight ?? Math.max(1000, opts.rate * 2)),
    '-nostdin',
    '-recv_timeout', String(recvTimeoutMs),
    '-buff_size', '4194304',
    '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '3600',
    ...(opts.rtt ? ['-trace_rtt', '-rtt_freq', '1000'] : []),
    ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(opts.extraArgs ?? []),
  ];
  const proc = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let sippCpu = 0;
  const sampler = setInterval(() => {
    if (proc.pid !== undefined && proc.exitCode === null) sippCpu = ownCpuSeconds(proc.pid) || sippCpu;
  }, CPU_SAMPLE_MS);
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d: string) => {
    if (stderr.length < 16_384) stderr += d;
  });
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    }).finally(() => clearInterval(sampler));
    let stats: Record<string, string>;
    try {
      stats = parseSippStats(readFileSync(join(dir, 'stat.csv'), 'latin1'));
    } catch (err) {
      throw new Error(`sipp ${args.join(' ')} exited ${exitCode} without statistics (${(err as Error).message}):\n${stderr}`);
    }
    const successful = Number(stats['SuccessfulCall(C)']);
    const failed = Number(stats['FailedCall(C)']);
    const unfinished = Math.max(0, opts.calls - successful - failed);
    const elapsedSec = epoch(stats['CurrentTime']) - epoch(stats['StartTime']);
    let rttMs: number[] | undefined;
    if (opts.rtt) {
      const file = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
      rttMs = file ? parseSippRtt(readFileSync(join(dir, file), 'latin1')) : [];
    }
    return {
      targetRate: opts.rate,
      calls: opts.calls,
      successful,
      failed,
      retransmissions: Number(stats['Retransmissions(C)']),
      unfinished,
      elapsedSec,
      achievedRate: elapsedSec > 0 ? successful / elapsedSec : 0,
      failureRatio: (failed + unfinished) / opts.calls,
      ...(rttMs ? { rttMs } : {}),
      sippCores: elapsedSec > 0 ? sippCpu / elapsedSec : 0,
      exitCode,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The last line of a `-trace_stat` file as field → value (`;`-separated, a header line first). */
export function parseSippStats(csv: string): Record<string, string> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error('no statistics line');
  const names = lines[0]!.split(';');
  const values = lines.at(-1)!.split(';');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

/** Response times (ms) from a `-trace_rtt` file: `Date_ms;response_time_ms;rtd_no` lines after a header. */
export function parseSippRtt(csv: string): number[] {
  const out: number[] = [];
  for (const line of csv.split('\n').slice(1)) {
    const f = line.split(';');
    if (f.length >= 2 && f[1] !== '') out.push(Number(f[1]));
  }
  return out;
}

/** SIPp time stamps read `2026-11-28\t17:06:17.985501\t1795885577.985501`: the last field is epoch seconds. */
function epoch(stamp: string | undefined): number {
  const v = Number(stamp?.split('\t').at(-1));
  if (!Number.isFinite(v)) throw new Error(`unreadable SIPp time stamp ${JSON.stringify(stamp)}`);
  return v;
}
