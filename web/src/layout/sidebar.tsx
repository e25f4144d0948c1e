import { useSystem } from '../api/system';
import { pagesFor } from '../pages/registry';
import { Icon } from './icons';
import { Link } from './router';

/** The left navigation: one entry per page of the registry that the appliance's role has. */
export function Sidebar({ current }: { current: string | undefined }) {
  const role = useSystem().data?.role;
  return (
    <div className="sidebar">
      <nav className="sidebar-nav" aria-label="Main">
        <ul>
          {pagesFor(role).map((p) => (
            <li key={p.path}>
              <Link to={p.path} className="nav-link" aria-current={p.path === current ? 'page' : undefined} title={p.title}>
                {p.icon && <Icon name={p.icon} size={20} />}
                <span className="nav-label">{p.title}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
