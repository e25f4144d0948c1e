import { Controller, Delete, Get, HttpCode, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppContext } from '../app/app-context.js';
import { FlowDto } from './flows.dto.js';

/** The edge's flows (role: edge). On a registrar the list is empty. */
@ApiTags('flows')
@ApiBearerAuth()
@Controller('flows')
export class FlowsController {
  constructor(private readonly ctx: AppContext) {}

  @Get()
  @ApiOperation({ summary: 'Flows the edge carries: instance, reg-id, AoR, transport, peer, age, keep-alives, traffic' })
  @ApiOkResponse({ type: [FlowDto] })
  list() {
    return this.ctx.edge?.list() ?? [];
  }

  @Get(':id')
  @ApiOperation({ summary: 'One flow' })
  @ApiOkResponse({ type: FlowDto })
  get(@Param('id') id: string) {
    const f = this.ctx.edge?.get(id);
    if (!f) throw noSuchFlow(id);
    return f;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Close a flow: its connection is closed (UDP: the 5-tuple is forgotten); requests for it then get 430 Flow Failed' })
  close(@Param('id') id: string) {
    if (!this.ctx.edge?.close(id)) throw noSuchFlow(id);
  }
}

function noSuchFlow(id: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: `no flow ${id}`, code: 'flow_not_found' });
}
