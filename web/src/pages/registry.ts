import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { IconName } from '../layout/icons';

/**
 * Every page of the dashboard. A page is listed in the navigation only once
 * it exists: engines that have not landed (SCA, MSRP, Flows) add
 * their entry here with their page.
 * Pages are lazy chunks, so the first paint only loads the shell.
 */
export interface PageDef {
  path: string;
  title: string;
  icon?: IconName;
  component: LazyExoticComponent<ComponentType>;
}

export const pages: PageDef[] = [
  { path: '/', title: 'Overview', icon: 'overview', component: lazy(() => import('./overview/overview-page')) },
  { path: '/registrations', title: 'Registrations', icon: 'registrations', component: lazy(() => import('./registrations/registrations-page')) },
  { path: '/messages', title: 'Messages', icon: 'messages', component: lazy(() => import('./messages/messages-page')) },
  { path: '/subscribers', title: 'Subscribers', icon: 'users', component: lazy(() => import('./subscribers/subscribers-page')) },
  { path: '/trace', title: 'Trace', icon: 'trace', component: lazy(() => import('./trace/trace-page')) },
  // RFC 5626 edge role: the page explains itself on a registrar (the list is then empty).
  { path: '/flows', title: 'Flows', icon: 'trace', component: lazy(() => import('./flows/flows-page')) },
  { path: '/msrp', title: 'MSRP', icon: 'relay', component: lazy(() => import('./msrp/msrp-page')) },
  { path: '/sca', title: 'SCA', icon: 'lines', component: lazy(() => import('./sca/sca-page')) },
  { path: '/settings', title: 'Settings', icon: 'settings', component: lazy(() => import('./settings/settings-page')) },
];

export function findPage(pathname: string): PageDef | undefined {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return pages.find((page) => page.path === p);
}
