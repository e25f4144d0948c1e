import { Module } from '@nestjs/common';
import { MsrpSessionsController } from './msrp-sessions.controller.js';

@Module({ controllers: [MsrpSessionsController] })
export class MsrpModule {}
