/** A counting semaphore: at most `size` holders; waiters are served in order. */
export class Window {
  private free: number;
  private waiters: Array<() => void> = [];
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  acquire(): Promise<void> | void {
    if (this.free > 0) {
      this.free--;
      return;
    }
    return new Promise((r) => this.waiters.push(r));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.free++;
  }
}
