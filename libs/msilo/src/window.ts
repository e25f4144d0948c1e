/**
 * The deliveries a dump or a reminder run keeps awaiting an answer: at most
 * `maxCount` of them and `maxBytes` of message between them. Waiters are
 * served in order, so a large message holds back the smaller ones behind it
 * and storage order is kept. One larger than `maxBytes` goes alone.
 */
export class Window {
  private count = 0;
  private bytes = 0;
  private readonly waiters: Array<{ size: number; go: () => void }> = [];
  private readonly maxCount: number;

  constructor(
    maxCount: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.maxCount = Math.max(1, maxCount);
  }

  acquire(size = 0): Promise<void> | void {
    if (this.waiters.length === 0 && this.fits(size)) {
      this.take(size);
      return;
    }
    return new Promise((go) => this.waiters.push({ size, go }));
  }

  /** Gives back what `acquire(size)` took. */
  release(size = 0): void {
    this.count--;
    this.bytes -= size;
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.size)) {
      const w = this.waiters.shift()!;
      this.take(w.size);
      w.go();
    }
  }

  private fits(size: number): boolean {
    return this.count === 0 || (this.count < this.maxCount && this.bytes + size <= this.maxBytes);
  }

  private take(size: number): void {
    this.count++;
    this.bytes += size;
  }
}
