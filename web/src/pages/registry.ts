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
  /** The appliance roles whose navigation lists the page (`role` in /api/system); unset = every role. */
  roles?: readonly ApplianceRole[];
}

export type ApplianceRole = 'registrar' | 'edge';

export const pages: PageDef[] = [
  { path: '/', title: 'Overview', icon: 'overview', component: lazy(() => import('./overview/overview-page')) },
  { path: '/registrations', title: 'Registrations', icon: 'registrations', roles: ['registrar'], component: lazy(() => import('./registrations/registrations-page')) },
  { path: '/messages', title: 'Messages', icon: 'messages', roles: ['registrar'], component: lazy(() => import('./messages/messages-page')) },
  { path: '/subscribers', title: 'Subscribers', icon: 'users', component: lazy(() => import('./subscribers/subscribers-page')) },
  { path: '/trace', title: 'Trace', icon: 'trace', component: lazy(() => import('./trace/trace-page')) },
  // RFC 5626 edge role only in the navigation; opened by URL on a registrar, the page explains itself.
  { path: '/flows', title: 'Flows', icon: 'trace', roles: ['edge'], component: lazy(() => import('./flows/flows-page')) },
  { path: '/msrp', title: 'MSRP', icon: 'relay', component: lazy(() => import('./msrp/msrp-page')) },
  { path: '/sca', title: 'SCA', icon: 'lines', roles: ['registrar'], component: lazy(() => import('./sca/sca-page')) },
  { path: '/settings', title: 'Settings', icon: 'settings', component: lazy(() => import('./settings/settings-page')) },
];

/** The pages the navigation shows for a role; while the role is not known yet, the ones every role has. */
export function pagesFor(role: string | undefined): PageDef[] {
  return pages.filter((p) => p.roles === undefined || (role !== undefined && (p.roles as readonly string[]).includes(role)));
}

export function findPage(pathname: string): PageDef | undefined {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return pages.find((page) => page.path === p);
}
