import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { openApiSchema, ZodPipe } from '../common/zod-body.js';
import { loginSchema, type LoginDto } from './auth.dto.js';
import type { AuthedRequest } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { Public } from './public.decorator.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in as an administrator; returns a bearer token' })
  @ApiBody({ schema: openApiSchema(loginSchema) })
  login(@Body(new ZodPipe(loginSchema)) body: LoginDto, @Req() req: Request) {
    return this.auth.login(body.username, body.password, req.ip ?? req.socket.remoteAddress ?? 'unknown');
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the bearer token used for this request' })
  logout(@Req() req: AuthedRequest): void {
    if (req.auth) this.auth.logout(req.auth);
  }
}
