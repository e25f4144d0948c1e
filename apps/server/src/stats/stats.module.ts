import { Inject, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppContext } from '../app/app-context.js';
import { PrometheusExporter } from './prometheus.js';
import { StatsHistory } from './stats-history.js';
import { MetricsController, StatsController } from './stats.controller.js';

/** Live counters tick every 2 s; the chart history keeps one point per 10 s for an hour. */
const TICK_MS = 2_000;
const HISTORY_INTERVAL_MS = 10_000;
const HISTORY_POINTS = 360;

@Module({
  controllers: [StatsController, MetricsController],
  providers: [
    { provide: StatsHistory, inject: [AppContext], useFactory: (c: AppContext) => new StatsHistory(c.stats, HISTORY_INTERVAL_MS, HISTORY_POINTS) },
    { provide: PrometheusExporter, inject: [AppContext], useFactory: (c: AppContext) => new PrometheusExporter(c.stats) },
  ],
})
export class StatsModule implements OnModuleInit, OnModuleDestroy {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(AppContext) private readonly ctx: AppContext,
    @Inject(StatsHistory) private readonly history: StatsHistory,
  ) {}

  onModuleInit(): void {
    this.history.sample(Date.now());
    this.timers = [
      setInterval(() => this.history.sample(Date.now()), HISTORY_INTERVAL_MS),
      setInterval(() => {
        this.ctx.bus.emitLazy('stats.tick', () => ({ at: Date.now(), stats: this.ctx.stats.snapshot() }));
      }, TICK_MS),
    ];
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
