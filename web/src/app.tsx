import { useAuth } from './auth/auth-context';
import { LoginPage } from './auth/login-page';
import { Shell } from './layout/shell';
import { SocketProvider } from './socket/socket-provider';

/**
 * Signed out: the login page, whatever the address (after signing in the
 * user lands on the page they asked for). Signed in: the shell, with one
 * live socket for the session.
 */
export function App() {
  const { session } = useAuth();
  if (!session) return <LoginPage />;
  return (
    <SocketProvider key={session.token} token={session.token}>
      <Shell />
    </SocketProvider>
  );
}
