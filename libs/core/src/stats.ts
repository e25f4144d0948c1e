/**
 * The statistics registry every engine registers its counters in, as
 * Kamailio's modules export statistics (`accepted_regs`, `stored_messages`…).
 *
 * A counter is a plain object with a number field: `inc()` on the per-packet
 * path costs one addition. The server reads them for `GET /api/stats` and
 * turns them into Prometheus text for `GET /metrics`.
 */
export type StatKind = 'counter' | 'gauge';

export interface StatDescriptor {
  /** The Kamailio statistic name, e.g. `accepted_regs`. */
  readonly name: string;
  /** The module (config section) that owns it, e.g. `registrar`. */
  readonly module: string;
  readonly kind: StatKind;
  readonly help: string;
}

export class Counter implements StatDescriptor {
  readonly kind = 'counter' as const;
  value = 0;
  constructor(readonly name: string, readonly module: string, readonly help: string) {}
  inc(by = 1): void {
    this.value += by;
  }
  read(): number {
    return this.value;
  }
}

/** A gauge is either set by its owner or read on demand from a function. */
export class Gauge implements StatDescriptor {
  readonly kind = 'gauge' as const;
  private value = 0;
  constructor(
    readonly name: string,
    readonly module: string,
    readonly help: string,
    private readonly source?: () => number,
  ) {}
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
  read(): number {
    return this.source ? this.source() : this.value;
  }
}

export type Stat = Counter | Gauge;

export class StatsRegistry {
  private readonly stats = new Map<string, Stat>();

  counter(module: string, name: string, help: string): Counter {
    return this.add(new Counter(name, module, help));
  }

  gauge(module: string, name: string, help: string, source?: () => number): Gauge {
    return this.add(new Gauge(name, module, help, source));
  }

  get(name: string): Stat | undefined {
    return this.stats.get(name);
  }

  all(): Stat[] {
    return [...this.stats.values()];
  }

  /** `{ module: { name: value } }`, the shape of `GET /api/stats`. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const s of this.stats.values()) (out[s.module] ??= {})[s.name] = s.read();
    return out;
  }

  private add<S extends Stat>(stat: S): S {
    if (this.stats.has(stat.name)) throw new Error(`statistic ${stat.name} is registered twice`);
    this.stats.set(stat.name, stat);
    return stat;
  }
}
