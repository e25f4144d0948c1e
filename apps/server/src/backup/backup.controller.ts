import { Body, Controller, Get, HttpCode, HttpException, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppContext } from '../app/app-context.js';
import { openApiSchema, ZodPipe } from '../common/zod-body.js';
import { backupFileSchema } from './backup-format.js';
import { BackupError } from './backup-errors.js';
import { BackupService } from './backup-service.js';
import { restoreQuerySchema, type RestoreQueryDto } from './backup.dto.js';

/** Backup and restore of subscribers, bindings, stored messages and SCA subscriptions as one JSON file. */
@ApiTags('backup')
@ApiBearerAuth()
@Controller('backup')
export class BackupController {
  constructor(
    private readonly backup: BackupService,
    private readonly ctx: AppContext,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Download a backup file: subscribers, bindings (memory in usrloc db_mode 0/2), stored messages, SCA subscriptions' })
  @ApiOkResponse({ description: 'The backup file (format pbx-lite-backup, version 1)', schema: openApiSchema(backupFileSchema) })
  async download(@Res({ passthrough: true }) res: Response) {
    const file = await this.backup.export();
    const stamp = file.createdAt!.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    res.setHeader('Content-Disposition', `attachment; filename="pbx-lite-backup-${stamp}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    return file;
  }

  @Post('restore')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Restore a backup file (the JSON body) into an empty appliance; 409 if it holds data, unless replace=true; 400 names the bad field',
  })
  @ApiQuery({ name: 'replace', required: false, enum: ['true', 'false'], description: 'replace the data the appliance holds' })
  @ApiBody({ schema: openApiSchema(backupFileSchema) })
  async restore(@Body() body: unknown, @Query(new ZodPipe(restoreQuerySchema)) q: RestoreQueryDto) {
    try {
      const r = await this.backup.restore(body, { replace: q.replace });
      this.ctx.logger.info({ module: 'backup', ...r }, 'backup restored');
      return r;
    } catch (err) {
      if (!(err instanceof BackupError)) throw err;
      throw new HttpException(
        { statusCode: err.status, error: err.code, message: err.message, ...(err.errors.length ? { errors: err.errors } : {}) },
        err.status,
      );
    }
  }
}
