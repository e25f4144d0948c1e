/**
 * A typed, synchronous, in-process event bus. Engines publish state changes
 * here; the socket.io gateway, metrics and write-behind stores subscribe.
 *
 * Emission is synchronous and allocation-free when nobody listens, so an
 * engine may publish from its hot path. A throwing listener is isolated: it
 * is reported to `onListenerError` and the other listeners still run.
 */
export type Listener<P> = (payload: P) => void;

export class EventBus<M extends object> {
  private readonly listeners = new Map<keyof M, Listener<never>[]>();
  private readonly anyListeners: Array<(name: keyof M, payload: M[keyof M]) => void> = [];

  constructor(private readonly onListenerError: (err: unknown, name: keyof M) => void = () => {}) {}

  on<K extends keyof M>(name: K, fn: Listener<M[K]>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(fn as Listener<never>);
    this.listeners.set(name, list);
    return () => this.off(name, fn);
  }

  off<K extends keyof M>(name: K, fn: Listener<M[K]>): void {
    const list = this.listeners.get(name);
    if (!list) return;
    const i = list.indexOf(fn as Listener<never>);
    if (i >= 0) list.splice(i, 1);
  }

  /** Every event, with its name: what the socket.io gateway forwards. */
  onAny(fn: (name: keyof M, payload: M[keyof M]) => void): () => void {
    this.anyListeners.push(fn);
    return () => {
      const i = this.anyListeners.indexOf(fn);
      if (i >= 0) this.anyListeners.splice(i, 1);
    };
  }

  hasListeners(name: keyof M): boolean {
    return this.anyListeners.length > 0 || (this.listeners.get(name)?.length ?? 0) > 0;
  }

  /** Emits the payload `build()` makes, calling it only when someone listens: for payloads that cost something to make. */
  emitLazy<K extends keyof M>(name: K, build: () => M[K]): void {
    if (this.hasListeners(name)) this.emit(name, build());
  }

  emit<K extends keyof M>(name: K, payload: M[K]): void {
    const list = this.listeners.get(name);
    if (list) {
      for (const fn of list.slice()) {
        try {
          (fn as Listener<M[K]>)(payload);
        } catch (err) {
          this.onListenerError(err, name);
        }
      }
    }
    for (const fn of this.anyListeners) {
      try {
        fn(name, payload);
      } catch (err) {
        this.onListenerError(err, name);
      }
    }
  }
}
