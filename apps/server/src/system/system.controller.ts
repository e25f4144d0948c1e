import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppContext } from '../app/app-context.js';
import { Public } from '../auth/public.decorator.js';
import { redactConfig } from '../config/index.js';

@ApiTags('system')
@Controller()
export class SystemController {
  constructor(private readonly ctx: AppContext) {}

  @Public()
  @Get('health')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness and readiness: database reachable, listeners up (503 otherwise)' })
  async health(@Res({ passthrough: true }) res: Response) {
    let database: 'ok' | string = 'ok';
    try {
      await this.ctx.db.dataSource.query('SELECT 1');
    } catch (err) {
      database = `unreachable: ${(err as Error).message}`;
    }
    const listeners = this.ctx.listeners.length > 0 ? 'ok' : 'none';
    const ok = database === 'ok' && listeners === 'ok';
    if (!ok) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'degraded', database, listeners: this.ctx.listeners, uptimeSec: this.uptime() };
  }

  @Get('system')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Version, database backend, listeners and served domains' })
  system() {
    const env = this.ctx.config.env;
    return {
      name: 'PBX-lite',
      version: this.ctx.version,
      role: this.ctx.config.pbx.role,
      startedAt: this.ctx.startedAt.toISOString(),
      uptimeSec: this.uptime(),
      database: { backend: this.ctx.db.backend, location: this.ctx.db.location },
      listeners: this.ctx.listeners,
      domains: env.sipDomains,
      auth: env.sipAuth,
    };
  }

  @Get('config')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The effective configuration, secrets redacted' })
  config() {
    return redactConfig(this.ctx.config);
  }

  private uptime(): number {
    return Math.round((Date.now() - this.ctx.startedAt.getTime()) / 1000);
  }
}
