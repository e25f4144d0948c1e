/** One entry of the `listeners` array in the appliance's `ready` log line. */
export interface ListenerInfo {
  readonly protocol: string;
  readonly transport: string;
  readonly address: string;
  readonly port: number;
}

/** The `listeners` of the `ready` log record among a server's output lines, if it logged one. */
export function readyListeners(output: readonly string[]): ListenerInfo[] | undefined {
  for (const line of output) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { msg?: string; listeners?: ListenerInfo[] };
      if (rec.msg === 'ready') return rec.listeners ?? [];
    } catch {
      /* not a log record */
    }
  }
  return undefined;
}
