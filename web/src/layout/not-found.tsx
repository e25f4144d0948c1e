import { EmptyState } from '../components/states';
import { Link } from './router';

export function NotFound() {
  return (
    <div className="page">
      <EmptyState title="No such page" hint="This address is not a page of the dashboard.">
        <Link to="/" className="btn">
          Go to the overview
        </Link>
      </EmptyState>
    </div>
  );
}
