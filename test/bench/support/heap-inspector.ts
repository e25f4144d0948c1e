import WebSocket from 'ws';

export interface HeapFigures {
  /** V8 heap in use right after a full collection (`Runtime.getHeapUsage` usedSize). */
  readonly heapUsedBytes: number;
  /** `process.memoryUsage()` of the inspected process at that moment. */
  readonly rssBytes: number;
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
}

/** The DevTools WebSocket URL a process started with `--inspect=127.0.0.1:0` printed (`Debugger listening on ws://…`). */
export function inspectorUrl(output: readonly string[]): string | undefined {
  for (const line of output) {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Heap figures of another Node process through its inspector (Chrome
 * DevTools Protocol): a full garbage collection (`HeapProfiler.collectGarbage`)
 * first, so the used size is what is live, not what awaits collection.
 */
export async function heapAfterGc(wsUrl: string, timeoutMs = 30_000): Promise<HeapFigures> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  try {
    await call('HeapProfiler.enable');
    await call('HeapProfiler.collectGarbage');
    const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number };
    const mem = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as {
      result: { value: string };
    };
    const m = JSON.parse(mem.result.value) as { rss: number; external: number; arrayBuffers: number };
    return { heapUsedBytes: usage.usedSize, rssBytes: m.rss, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers };
  } finally {
    clearTimeout(timer);
    ws.close();
  }
}
