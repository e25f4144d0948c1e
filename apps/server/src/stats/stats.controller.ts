import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { AppContext } from '../app/app-context.js';
import { ZodPipe } from '../common/zod-body.js';
import { PrometheusExporter } from './prometheus.js';
import { StatsHistory } from './stats-history.js';

const historyQuery = z.object({ minutes: z.coerce.number().int().min(1).max(60).default(60) }).strict();

@ApiTags('stats')
@ApiBearerAuth()
@Controller()
export class StatsController {
  constructor(
    private readonly ctx: AppContext,
    private readonly history: StatsHistory,
  ) {}

  @Get('stats')
  @ApiOperation({ summary: 'Every module statistic by module: { module: { name: value } }' })
  stats() {
    return this.ctx.stats.snapshot();
  }

  @Get('stats/history')
  @ApiOperation({ summary: 'Statistics snapshots of the last minutes (for charts)' })
  @ApiQuery({ name: 'minutes', required: false, type: Number })
  statsHistory(@Query(new ZodPipe(historyQuery)) q: z.infer<typeof historyQuery>) {
    return { intervalSec: this.history.intervalMs / 1000, points: this.history.since(Date.now() - q.minutes * 60_000) };
  }
}

/** `GET /metrics`: Prometheus text, outside `/api` and behind the same token. */
@ApiTags('stats')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly prometheus: PrometheusExporter) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus text exposition of every statistic' })
  async metrics(@Res() res: Response) {
    res.setHeader('Content-Type', this.prometheus.contentType);
    res.send(await this.prometheus.text());
  }
}
