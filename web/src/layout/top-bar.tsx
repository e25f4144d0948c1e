import { useState } from 'react';
import { useSystem } from '../api/system';
import { useAuth } from '../auth/auth-context';
import { ConnectionIndicator } from './connection-indicator';
import { BrandMark, Icon } from './icons';
import { Link } from './router';

export function TopBar() {
  const { session, logout } = useAuth();
  const system = useSystem();
  const [leaving, setLeaving] = useState(false);
  const name = system.data?.name ?? 'PBX-lite';

  return (
    <header className="topbar">
      <Link to="/" className="topbar-brand" aria-label={`${name} overview`}>
        <BrandMark size={28} />
        <span className="topbar-name">{name}</span>
        {system.data && <span className="badge">v{system.data.version}</span>}
      </Link>
      <div className="topbar-right">
        <ConnectionIndicator />
        <span className="topbar-user muted" title="Signed in as">
          {session?.username}
        </span>
        <button
          type="button"
          className="btn btn-ghost"
          disabled={leaving}
          onClick={() => {
            setLeaving(true);
            void logout();
          }}
        >
          <Icon name="logout" />
          <span>Log out</span>
        </button>
      </div>
    </header>
  );
}
