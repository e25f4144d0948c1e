import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SiloMessageView } from '@pbx/msilo';
import { AppContext } from '../app/app-context.js';
import { openApiSchema, ZodPipe } from '../common/zod-body.js';
import { apiError } from './silo-http-error.js';
import { composeMessageSchema, listMessagesSchema, type ComposeMessageDto, type ListMessagesDto } from './messages.dto.js';


/** The offline message store (Kamailio msilo's `silo` table). */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessagesController {
  constructor(private readonly ctx: AppContext) {}

  private get silo() {
    return this.ctx.msilo.silo;
  }

  @Get()
  @ApiOperation({ summary: 'Stored messages, filtered by recipient, sender and state, paged' })
  async list(@Query(new ZodPipe(listMessagesSchema)) q: ListMessagesDto) {
    const page = await this.silo.list({
      owner: q.to || undefined,
      from: q.from || undefined,
      state: q.state,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    return { total: page.total, items: page.items.map(view) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One message with its full body' })
  async get(@Param('id', ParseIntPipe) id: number) {
    const m = await this.silo.get(id);
    if (!m) throw notFound(id);
    return { ...view(m), body: m.bodyText ?? `[${m.bodySize} bytes of ${m.contentType}]`, callId: m.callId };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a stored message' })
  async remove(@Param('id', ParseIntPipe) id: number) {
    if (!(await this.silo.delete(id))) throw notFound(id);
  }

  @Post()
  @ApiOperation({ summary: 'Compose: delivered now when the recipient answers, else stored; sendTime (epoch s) makes a reminder' })
  @ApiBody({ schema: openApiSchema(composeMessageSchema) })
  async compose(@Body(new ZodPipe(composeMessageSchema)) dto: ComposeMessageDto) {
    try {
      const r = await this.silo.compose({
        from: dto.from,
        to: dto.to,
        body: dto.body,
        contentType: dto.contentType,
        sendTime: dto.sendTime === undefined ? undefined : dto.sendTime * 1000,
      });
      if (r.outcome === 'delivered') return { outcome: r.outcome, status: r.status };
      const m = await this.silo.get(r.id);
      return { outcome: r.outcome, id: r.id, ...(m ? view(m) : {}) };
    } catch (err) {
      throw apiError(err);
    }
  }
}

/** The admin API's message shape: times in epoch seconds, the body preview as `body`. */
function view(m: SiloMessageView) {
  return {
    id: m.id,
    owner: m.owner,
    from: m.from,
    to: m.to,
    contentType: m.contentType,
    body: m.bodyPreview,
    bodySize: m.bodySize,
    state: m.state,
    storedAt: Math.round(m.time / 1000),
    sendTime: m.sendTime === null ? null : Math.round(m.sendTime / 1000),
    expiresAt: Math.round(m.expires / 1000),
  };
}

function notFound(id: number): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: `No stored message ${id}` });
}
