import { Module } from '@nestjs/common';
import { FlowsController } from './flows.controller.js';

@Module({ controllers: [FlowsController] })
export class FlowsModule {}
