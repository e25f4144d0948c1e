import { Module } from '@nestjs/common';
import { ScaController } from './sca.controller.js';

@Module({ controllers: [ScaController] })
export class ScaModule {}
