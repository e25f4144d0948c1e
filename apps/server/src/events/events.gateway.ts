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
  /** Authenticated sockets connected now. */
  private connected = 0;

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
    // On the bus only while a dashboard is connected: with no listener the
    // engines build no event payload at all (EventBus.hasListeners), which a
    // registrar answering thousands of REGISTERs a second feels.
    server.on('connection', (socket: Socket) => {
      if (this.connected++ === 0) this.unsubscribe = this.ctx.bus.onAny((name, payload) => server.emit(name as string, payload));
      socket.once('disconnect', () => {
        if (--this.connected === 0) this.stopForwarding();
      });
    });
  }

  private stopForwarding(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  onModuleDestroy(): void {
    this.stopForwarding();
  }
}
