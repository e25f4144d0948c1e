import type { ScaSubscriptionRow, ScaSubscriptionStore } from './subscription-store.js';

/** A store in memory: for unit tests and for running without persistence. */
export class MemoryScaStore implements ScaSubscriptionStore {
  readonly rows = new Map<number, ScaSubscriptionRow[]>();
  saves = 0;

  async load(serverId: number): Promise<ScaSubscriptionRow[]> {
    return (this.rows.get(serverId) ?? []).map((r) => ({ ...r }));
  }

  async save(serverId: number, rows: readonly ScaSubscriptionRow[]): Promise<void> {
    this.saves++;
    this.rows.set(
      serverId,
      rows.map((r) => ({ ...r })),
    );
  }
}
