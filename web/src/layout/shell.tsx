import { Suspense, useEffect } from 'react';
import { findPage } from '../pages/registry';
import { ErrorBoundary } from '../components/error-boundary';
import { Loading } from '../components/states';
import { NotFound } from './not-found';
import { Link, usePathname } from './router';
import { Sidebar } from './sidebar';
import { TopBar } from './top-bar';

/** Top bar, left navigation and the current page. */
export function Shell() {
  const pathname = usePathname();
  const page = findPage(pathname);

  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} · PBX-lite`;
  }, [page]);

  const Page = page?.component;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      <Sidebar current={page?.path} />
      <main id="main" className="main" tabIndex={-1}>
        <ErrorBoundary key={pathname} fallbackAction={<Link to="/">Back to the overview</Link>}>
          <Suspense fallback={<Loading label="Loading page…" />}>{Page ? <Page /> : <NotFound />}</Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
