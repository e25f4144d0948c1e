import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EventsGateway } from './events.gateway.js';

@Module({ imports: [AuthModule], providers: [EventsGateway] })
export class EventsModule {}
