import { useEffect, useState, type ReactNode } from 'react';
import { io } from 'socket.io-client';
import { useQueryClient } from '@tanstack/react-query';
import { subscribersKey } from '../api/subscribers';
import { useAuth } from '../auth/auth-context';
import { SocketContext, type SocketState } from './socket-context';
import type { PbxSocket } from './events';

/**
 * One socket.io connection per signed-in session, on the same origin
 * (default path /socket.io), authenticated in the handshake with the bearer
 * token. A handshake refused as `unauthorized` ends the session.
 */
export function SocketProvider({ token, children }: { token: string; children: ReactNode }) {
  const { expire } = useAuth();
  const qc = useQueryClient();
  const [value, setValue] = useState<SocketState>({ socket: null, state: 'connecting', lastError: null });

  useEffect(() => {
    const socket: PbxSocket = io({ auth: { token }, reconnectionDelayMax: 10_000 });
    const set = (state: SocketState['state'], lastError: string | null = null) => setValue({ socket, state, lastError });
    set('connecting');

    let connectedBefore = false;
    socket.on('connect', () => {
      // Events sent while we were away are lost: refresh what is on screen.
      if (connectedBefore) void qc.invalidateQueries();
      connectedBefore = true;
      set('connected');
    });
    socket.on('disconnect', (reason) => {
      // A disconnect we asked for is final; anything else is retried by socket.io.
      if (reason === 'io client disconnect') set('offline');
      else if (reason === 'io server disconnect') socket.connect();
      else set('reconnecting', reason);
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'unauthorized') {
        expire();
        return;
      }
      set(socket.active ? 'reconnecting' : 'offline', err.message);
    });
    // Lists that other admins (or the API) change are refreshed, not reloaded.
    socket.on('subscriber.changed', () => {
      void qc.invalidateQueries({ queryKey: subscribersKey });
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [token, expire, qc]);

  return <SocketContext value={value}>{children}</SocketContext>;
}
