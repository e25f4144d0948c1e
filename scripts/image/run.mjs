import { spawn } from 'node:child_process';

/**
 * Runs a command to completion; its output is collected and shown only when
 * it fails, so a build prints its steps, not the tools' chatter.
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.once('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.once('close', (code, signal) => {
      const text = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(text);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${text.split('\n').slice(-40).join('\n')}`));
    });
  });
}

/** Seconds since `t0` (a performance.now() value), for the build log. */
export function since(t0) {
  return `${((performance.now() - t0) / 1000).toFixed(1)} s`;
}
