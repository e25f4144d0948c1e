import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./bare-responder-process.js', import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export interface BareResponder {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The bare Node REGISTER responder (support/bare-responder-process.ts) in
 * its own process, with the same Node options as our server's `npm start`
 * (`nodeArgs`), so its CPU is counted apart. Resolves once it is bound.
 */
export async function startBareResponder(nodeArgs: readonly string[] = []): Promise<BareResponder> {
  const proc = spawn(process.execPath, [...nodeArgs, SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare responder not bound in ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      const m = /port (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare responder exited (${code}): ${output}`));
    });
  });
  return {
    host: '127.0.0.1',
    port,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}
