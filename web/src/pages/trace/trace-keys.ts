/** Query keys of the trace caches. */
export const traceKey = ['trace'] as const;
export const captureListKey = ['trace', 'list'] as const;
export const captureKey = (id: string) => ['trace', 'capture', id] as const;
