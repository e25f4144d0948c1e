import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { lines } from '../support/lines.js';
import type { ImageConfig } from './oci-image.js';

const exec = promisify(execFile);

export interface Mount {
  /** Host file or directory. */
  source: string;
  /** Where it appears in the container. */
  target: string;
  readOnly?: boolean;
}

export interface ContainerOptions {
  rootfs: string;
  config: ImageConfig;
  uid: number;
  gid: number;
  /** Added to (and overriding) the image's environment, as `docker run -e`. */
  env?: Record<string, string>;
  mounts?: Mount[];
  /** Replaces the image's Cmd. */
  args?: string[];
}

/**
 * Sets up the container's mounts inside its own mount and PID namespaces,
 * then becomes the image's entrypoint through `unshare --root --wd --setuid
 * --setgid` (chroot, working directory, user): exec after exec, so the
 * entrypoint is PID 1 of the namespace, as under a container engine.
 * Arguments: root wd uid gid {source target ro|rw}... -- command...
 */
const SETUP = `
set -eu
root=$1 wd=$2 uid=$3 gid=$4
shift 4
mount --rbind /dev "$root/dev"
while [ "$1" != "--" ]; do
  src=$1 dst=$root$2 mode=$3
  shift 3
  if [ -d "$src" ]; then mkdir -p "$dst"; else mkdir -p "$(dirname "$dst")"; [ -e "$dst" ] || : > "$dst"; fi
  mount --bind "$src" "$dst"
  if [ "$mode" = ro ]; then mount -o remount,bind,ro "$dst"; fi
done
shift
exec unshare --root="$root" --wd="$wd" --setgid="$gid" --setuid="$uid" -- "$@"
`;

/**
 * An OCI image's root filesystem run the way its config says (entrypoint,
 * user, environment, working directory), without a container engine:
 * `unshare --mount --pid --fork` + chroot, sharing the host's network
 * namespace so its listeners are reachable on 127.0.0.1.
 */
export class ChrootContainer {
  /** Every line written to stdout and stderr. */
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly watchers = new Set<() => void>();

  private constructor(
    private readonly proc: ChildProcess,
    readonly env: Record<string, string>,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    for (const stream of [proc.stdout!, proc.stderr!])
      lines(stream, (l) => {
        this.output.push(l);
        for (const w of this.watchers) w();
      });
    proc.once('exit', () => {
      for (const w of this.watchers) w();
    });
  }

  static start(o: ContainerOptions): ChrootContainer {
    const env = { ...o.config.env, ...o.env };
    const command = [...o.config.entrypoint, ...(o.args ?? o.config.cmd)];
    if (command.length === 0) throw new Error('the image declares no entrypoint or command');
    const mountArgs = (o.mounts ?? []).flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']);
    const proc = spawn(
      'unshare',
      ['--mount', '--pid', '--fork', '--kill-child', `--mount-proc=${o.rootfs}/proc`, '/bin/sh', '-c', SETUP, 'setup', o.rootfs, o.config.workingDir, String(o.uid), String(o.gid), ...mountArgs, '--', ...command],
      // The host tools of the set-up script run with the container's
      // environment too: it carries the image's PATH, which they can use.
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new ChrootContainer(proc, env);
  }

  /** Resolves the index of the first output line (from `from` on) that `match` accepts; rejects on exit or timeout. */
  waitForLine(match: (line: string) => boolean, what: string, timeoutMs = 60_000, from = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      let next = from;
      const check = () => {
        for (; next < this.output.length; next++) {
          if (match(this.output[next]!)) {
            const at = next;
            return done(() => resolve(at));
          }
        }
        if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          done(() => reject(new Error(`container exited (${this.proc.exitCode ?? this.proc.signalCode}) before ${what}:\n${this.output.join('\n')}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms:\n${this.output.join('\n')}`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        f();
      };
      this.watchers.add(check);
      check();
    });
  }

  /** The host PID of the container's PID 1 (unshare's forked child). */
  pid1(): number {
    const children = readFileSync(`/proc/${this.proc.pid}/task/${this.proc.pid}/children`, 'utf8').trim().split(/\s+/);
    const pid = Number(children[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error('the container has no PID 1');
    return pid;
  }

  /** `docker stop`: the signal to PID 1, then the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(this.pid1(), signal);
    return this.exited;
  }

  /** Ends the container at once (test clean-up). */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  /**
   * `docker exec`: runs a command in the running container's namespaces,
   * root and working directory, as its user, with its environment.
   */
  async exec(command: string[], uid: number, gid: number): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await exec('nsenter', ['-t', String(this.pid1()), '--mount', '--pid', '--root', '--wd', `--setgid=${gid}`, `--setuid=${uid}`, '--', ...command], { env: this.env });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }
}
