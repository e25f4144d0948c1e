import { Controller, Delete, Get, HttpCode, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppContext } from '../app/app-context.js';
import { MsrpSessionDto } from './msrp-session.dto.js';

/** The MSRP relay's connection map (Kamailio msrp `msrp_cmap_*`): list and close sessions. */
@ApiTags('msrp')
@ApiBearerAuth()
@Controller('msrp/sessions')
export class MsrpSessionsController {
  constructor(private readonly ctx: AppContext) {}

  @Get()
  @ApiOperation({ summary: 'Sessions in the connection map, with the traffic relayed each way' })
  @ApiOkResponse({ type: MsrpSessionDto, isArray: true })
  list(): MsrpSessionDto[] {
    return this.ctx.msrp.sessions().map(toDto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Close a session: it leaves the map and its client's connection is closed" })
  @ApiNoContentResponse({ description: 'Closed' })
  @ApiNotFoundResponse({ description: 'No such session' })
  close(@Param('id') id: string): void {
    if (!this.ctx.msrp.closeSession(id)) throw new NotFoundException({ statusCode: 404, message: `No MSRP session ${id}` });
  }
}

function toDto(s: ReturnType<AppContext['msrp']['sessions']>[number]): MsrpSessionDto {
  return {
    id: s.id,
    user: s.user,
    uri: s.uri,
    peer: s.peer,
    transport: s.transport,
    createdAt: Math.round(s.createdAt / 1000),
    expiresAt: Math.round(s.expiresAt / 1000),
    framesIn: s.framesIn,
    bytesIn: s.bytesIn,
    framesOut: s.framesOut,
    bytesOut: s.bytesOut,
  };
}
