import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from '../auth/auth.module.js';
import { EventsModule } from '../events/events.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { SubscribersModule } from '../subscribers/subscribers.module.js';
import { SystemController } from '../system/system.controller.js';
import { TraceModule } from '../trace/trace.module.js';
import { RegistrationsModule } from '../registrar/registrations.module.js';
import { MessagesModule } from '../msilo/messages.module.js';
import { ScaModule } from '../sca/sca.module.js';
import { MsrpModule } from '../msrp/msrp.module.js';
import { FlowsModule } from '../edge/flows.module.js';
import { BackupModule } from '../backup/backup.module.js';
import { AppContext } from './app-context.js';

/** Makes the process's AppContext injectable everywhere. */
@Global()
@Module({})
class ContextModule {
  static forContext(ctx: AppContext): DynamicModule {
    return { module: ContextModule, providers: [{ provide: AppContext, useValue: ctx }], exports: [AppContext] };
  }
}

export function appModule(ctx: AppContext): DynamicModule {
  return {
    module: AppModule,
    imports: [
      ContextModule.forContext(ctx),
      LoggerModule.forRoot({
        pinoHttp: {
          logger: ctx.logger,
          // Successful admin calls are routine; failures are worth a line.
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
        },
      }),
      AuthModule,
      SubscribersModule,
      StatsModule,
      EventsModule,
      TraceModule,
      RegistrationsModule,
      MessagesModule,
      ScaModule,
      MsrpModule,
      FlowsModule,
      BackupModule,
    ],
    controllers: [SystemController],
  };
}

@Module({})
export class AppModule {}
