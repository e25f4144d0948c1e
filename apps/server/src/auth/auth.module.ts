import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppContext } from '../app/app-context.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { TokenService } from './token-service.js';

/** Admin tokens live 12 hours; the dashboard asks for a new login after that. */
const TOKEN_TTL_SEC = 12 * 3600;

@Module({
  controllers: [AuthController],
  providers: [
    AuthService,
    { provide: TokenService, inject: [AppContext], useFactory: (ctx: AppContext) => new TokenService(ctx.secrets.apiToken, TOKEN_TTL_SEC) },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService],
})
export class AuthModule {}
