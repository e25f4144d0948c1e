import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APPEARANCE_STATES } from '@pbx/sca';
import { AppContext } from '../app/app-context.js';
import { openApiSchema, ZodPipe } from '../common/zod-body.js';
import { scaApiError } from './sca-http-error.js';
import {
  releaseAppearanceSchema,
  seizeAppearanceSchema,
  updateAppearanceSchema,
  type ReleaseAppearanceDto,
  type SeizeAppearanceDto,
  type UpdateAppearanceDto,
} from './sca.dto.js';

/** Shared call appearances: the REST equivalents of the sca module's RPC commands (seed §5). */
@ApiTags('sca')
@ApiBearerAuth()
@Controller('sca')
export class ScaController {
  constructor(private readonly ctx: AppContext) {}

  private get engine() {
    return this.ctx.sca.engine;
  }

  @Get('subscriptions')
  @ApiOperation({ summary: 'sca.all_subscriptions: every call-info and line-seize subscription' })
  subscriptions() {
    return { items: this.engine.allSubscriptions() };
  }

  @Get('appearances')
  @ApiOperation({ summary: 'sca.all_appearances: every appearance not idle, plus the shared AoRs and their line count' })
  appearances() {
    return {
      items: this.engine.allAppearances(),
      aors: this.engine.sharedAors(),
      maxAppearances: this.ctx.config.pbx.sca.max_appearances,
      states: APPEARANCE_STATES,
    };
  }

  @Post('appearances/seize')
  @HttpCode(200)
  @ApiOperation({ summary: 'sca.seize_appearance: seize the next idle appearance for a contact and NOTIFY the group' })
  @ApiBody({ schema: openApiSchema(seizeAppearanceSchema) })
  async seize(@Body(new ZodPipe(seizeAppearanceSchema)) dto: SeizeAppearanceDto) {
    try {
      return await this.engine.seizeAppearance(dto.aor, dto.contact);
    } catch (err) {
      throw scaApiError(err);
    }
  }

  @Post('appearances/update')
  @HttpCode(200)
  @ApiOperation({ summary: 'sca.update_appearance: set the state (and display info) of an appearance in use and NOTIFY the group' })
  @ApiBody({ schema: openApiSchema(updateAppearanceSchema) })
  async update(@Body(new ZodPipe(updateAppearanceSchema)) dto: UpdateAppearanceDto) {
    try {
      return await this.engine.updateAppearance(dto.aor, dto.index, dto.state, dto.display);
    } catch (err) {
      throw scaApiError(err);
    }
  }

  @Post('appearances/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'sca.release_appearance: set an appearance idle and NOTIFY the group' })
  @ApiBody({ schema: openApiSchema(releaseAppearanceSchema) })
  async release(@Body(new ZodPipe(releaseAppearanceSchema)) dto: ReleaseAppearanceDto) {
    try {
      return await this.engine.releaseAppearance(dto.aor, dto.index);
    } catch (err) {
      throw scaApiError(err);
    }
  }
}
