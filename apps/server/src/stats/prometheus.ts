import client from 'prom-client';
import type { Stat, StatsRegistry } from '@pbx/core';

/**
 * Exposes the statistics registry as Prometheus metrics named
 * `pbx_<module>_<name>` (plus Node's default process metrics). Engines may
 * register statistics after start: each scrape adds the ones not seen yet.
 */
export class PrometheusExporter {
  readonly registry = new client.Registry();
  private readonly known = new Set<string>();

  constructor(private readonly stats: StatsRegistry) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'pbx_' });
  }

  async text(): Promise<string> {
    for (const s of this.stats.all()) if (!this.known.has(s.name)) this.add(s);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private add(s: Stat): void {
    this.known.add(s.name);
    const name = `pbx_${s.module}_${s.name}`.replace(/[^a-zA-Z0-9_:]/g, '_');
    if (s.kind === 'counter') {
      new client.Counter({
        name,
        help: s.help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(s.read());
        },
      });
    } else {
      new client.Gauge({
        name,
        help: s.help,
        registers: [this.registry],
        collect() {
          this.set(s.read());
        },
      });
    }
  }
}
