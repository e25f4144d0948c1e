import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppContext } from '../app/app-context.js';
import { openApiSchema, validationError, ZodPipe } from '../common/zod-body.js';
import type { TraceCapture } from './sip-tracer.js';
import { startTraceSchema, type StartTraceDto } from './trace.dto.js';

/** Operator SIP captures: start one for an AoR, a Call-ID or a source address; messages also arrive live as `trace.message`. */
@ApiTags('trace')
@ApiBearerAuth()
@Controller('trace')
export class TraceController {
  constructor(private readonly ctx: AppContext) {}

  @Get()
  @ApiOperation({ summary: 'Captures, running and recent, without their messages' })
  list() {
    return { items: this.ctx.sip.tracer.list().map(summary) };
  }

  @Post()
  @ApiOperation({ summary: 'Start a capture; it stops by itself at maxMessages or maxMinutes (capped by core.trace_max_*)' })
  @ApiBody({ schema: openApiSchema(startTraceSchema) })
  start(@Body(new ZodPipe(startTraceSchema)) dto: StartTraceDto) {
    const core = this.ctx.config.pbx.core;
    if (dto.maxMessages !== undefined && dto.maxMessages > core.trace_max_messages) {
      throw validationError([{ field: 'maxMessages', message: `must be at most ${core.trace_max_messages} (core.trace_max_messages)` }]);
    }
    if (dto.maxMinutes !== undefined && dto.maxMinutes > core.trace_max_minutes) {
      throw validationError([{ field: 'maxMinutes', message: `must be at most ${core.trace_max_minutes} (core.trace_max_minutes)` }]);
    }
    const c = this.ctx.sip.tracer.start(
      { aor: dto.aor, callId: dto.callId, source: dto.source },
      dto.maxMessages ?? core.trace_max_messages,
      dto.maxMinutes ?? core.trace_max_minutes,
    );
    return c;
  }

  @Get(':id')
  @ApiOperation({ summary: 'A capture with every message captured so far' })
  get(@Param('id') id: string) {
    const c = this.ctx.sip.tracer.get(id);
    if (!c) throw new NotFoundException({ statusCode: 404, message: `No capture ${id}` });
    return c;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop a capture and discard it' })
  remove(@Param('id') id: string) {
    if (!this.ctx.sip.tracer.remove(id)) throw new NotFoundException({ statusCode: 404, message: `No capture ${id}` });
  }
}

function summary(c: TraceCapture) {
  const { messages, ...rest } = c;
  return { ...rest, messageCount: messages.length };
}
