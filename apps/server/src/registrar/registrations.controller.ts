import { Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppContext } from '../app/app-context.js';
import { ZodPipe } from '../common/zod-body.js';
import { apiError } from '../msilo/silo-http-error.js';
import { listRegistrationsSchema, type ListRegistrationsDto } from './registrations.dto.js';

/** The location table: AoRs and their contacts; unregister is Kamailio's `ul.rm` / `ul.rm_contact`. */
@ApiTags('registrations')
@ApiBearerAuth()
@Controller('registrations')
export class RegistrationsController {
  constructor(private readonly ctx: AppContext) {}

  @Get()
  @ApiOperation({ summary: 'Registered AoRs with their contacts, searched, sorted and paged on the server' })
  @ApiQuery({ name: 'search', required: false, description: 'substring of the AoR or user agent' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiQuery({ name: 'sort', required: false, enum: ['aor', 'expires', 'contacts'] })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  list(@Query(new ZodPipe(listRegistrationsSchema)) q: ListRegistrationsDto) {
    return this.ctx.registrar.list({
      search: q.search || undefined,
      sort: q.sort,
      order: q.order,
      offset: (q.page - 1) * q.pageSize,
      limit: q.pageSize,
    });
  }

  @Get(':aor')
  @ApiOperation({ summary: 'One AoR with its contacts' })
  async get(@Param('aor') aor: string) {
    const r = await this.ctx.registrar.get(aor);
    if (!r) throw notRegistered(aor);
    return r;
  }

  @Delete(':aor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unregister every contact of an AoR' })
  async unregister(@Param('aor') aor: string) {
    if ((await this.ctx.registrar.unregister(aor)) === 0) throw notRegistered(aor);
  }

  @Post(':aor/dump')
  @HttpCode(202)
  @ApiOperation({ summary: 'Deliver now: send the AoR its stored offline messages at its current bindings (msilo m_dump)' })
  async dump(@Param('aor') aor: string) {
    try {
      return await this.ctx.msilo.silo.dumpNow(/^sips?:/i.test(aor) ? aor : `sip:${aor}`);
    } catch (err) {
      throw apiError(err);
    }
  }

  @Delete(':aor/contacts/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unregister one contact (by its id, the binding ruid)' })
  async unregisterContact(@Param('aor') aor: string, @Param('id') id: string) {
    if ((await this.ctx.registrar.unregister(aor, id)) === 0) {
      throw new NotFoundException({ statusCode: 404, message: `${aor} has no contact ${id}` });
    }
  }
}

function notRegistered(aor: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: `${aor} is not registered` });
}
