/**
 * Runs async sections one at a time per key (an AoR), in arrival order.
 * db_mode 1 and 3 wait for the database between reading an AoR's bindings
 * and answering; without this a second REGISTER for the same AoR could
 * start from the state the first is about to change (RFC 3261 §10.3:
 * "REGISTER requests MUST be processed by a registrar in the order that
 * they are received"). Other AoRs never wait.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  get size(): number {
    return this.tails.size;
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev ? prev.then(() => mine) : mine;
    this.tails.set(key, tail);
    try {
      if (prev) await prev;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
