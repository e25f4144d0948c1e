import type { OnGatewayInit } from '@nestjs/websockets';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { OnModuleDestroy } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { AppContext } from '../app/app-context.js';
import { TokenService } from '../auth/token-service.js';

/**
 * Forwards every event-bus event to the dashboards connected over
 * socket.io, under the same name with the same payload (`PbxEventMap` is the
 * contract). A socket authenticates in its handshake with `auth: { token }`,
 * the admin API's bearer token; without a valid one the connection is
 * refused with the error message `unauthorized`.
 */
@WebSocketGateway()
export class EventsGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer()
  server!: Server;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly tokens: TokenService,
  ) {}

  afterInit(server: Server): void {
    server.use((socket: Socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const claims = typeof token === 'string' ? this.tokens.verify(token) : undefined;
      if (!claims) return next(new Error('unauthorized'));
      socket.data.user = claims.sub;
      next();
    });
    this.unsubscribe = this.ctx.bus.onAny((name, payload) => {
      // Nothing is serialized when no dashboard is connected.
      if (server.engine.clientsCount > 0) server.emit(name as string, payload);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
