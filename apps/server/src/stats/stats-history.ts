import type { StatsRegistry } from '@pbx/core';

export interface StatsPoint {
  at: number;
  stats: Record<string, Record<string, number>>;
}

/**
 * A ring of statistics snapshots, one every `intervalMs`, for the
 * dashboard's last-hour charts. Memory is bounded by `capacity`.
 */
export class StatsHistory {
  private readonly points: StatsPoint[] = [];

  constructor(
    private readonly registry: StatsRegistry,
    readonly intervalMs: number,
    private readonly capacity: number,
  ) {}

  sample(at: number): StatsPoint {
    const p = { at, stats: this.registry.snapshot() };
    this.points.push(p);
    if (this.points.length > this.capacity) this.points.shift();
    return p;
  }

  since(at: number): StatsPoint[] {
    return this.points.filter((p) => p.at >= at);
  }
}
