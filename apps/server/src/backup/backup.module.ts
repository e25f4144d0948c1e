import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppContext } from '../app/app-context.js';
import { bearerToken } from '../auth/auth.guard.js';
import { AuthModule } from '../auth/auth.module.js';
import { TokenService } from '../auth/token-service.js';
import { applianceBackup } from './appliance-backup.js';
import { BackupController } from './backup.controller.js';
import { BackupService } from './backup-service.js';

/** Largest backup file `POST /api/backup/restore` takes (every other route keeps the 100 kB default). */
export const RESTORE_BODY_LIMIT = '512mb';
const RESTORE_PATH = '/api/backup/restore';

@Module({
  imports: [AuthModule],
  controllers: [BackupController],
  providers: [{ provide: BackupService, useFactory: applianceBackup, inject: [AppContext] }],
})
export class BackupModule {
  constructor(adapter: HttpAdapterHost, tokens: TokenService) {
    // Nest installs its global JSON parser (100 kB) when the app initialises,
    // before any module middleware, so this route's larger limit is put in
    // place here, while modules are built (NestFactory.create): a body read
    // by this parser is left alone by the global one. Only a request with a
    // valid admin token gets the large limit; anything else falls through
    // to the default parser and then to the guard's 401.
    const parse = express.json({ limit: RESTORE_BODY_LIMIT });
    adapter.httpAdapter.use(RESTORE_PATH, (req: Request, res: Response, next: NextFunction) => {
      if (tokens.verify(bearerToken(req.headers.authorization))) parse(req, res, next);
      else next();
    });
  }
}
