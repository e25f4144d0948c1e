import type { SVGProps } from 'react';

/** A few line icons (24-unit grid, currentColor) so no icon font is shipped. */
const paths = {
  overview: 'M4 13h6V4H4v9zm0 7h6v-5H4v5zm10 0h6v-9h-6v9zm0-16v5h6V4h-6z',
  users:
    'M16 19v-1a4 4 0 00-4-4H7a4 4 0 00-4 4v1M9.5 10a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM21 19v-1a4 4 0 00-3-3.87M15.5 3.13a3.5 3.5 0 010 6.74',
  registrations: 'M5 12.5l4 4L19 7',
  messages: 'M4 5h16v11H8l-4 4V5z',
  trace: 'M3 12h4l3-8 4 16 3-8h4',
  /** MSRP relay: two chat bubbles passing through. */
  relay: 'M3 5h10v7H7l-4 3V5zM11 15h4l4 3v-3h2V9h-4',
  settings: 'M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M15 4v4M9 10v4M17 16v4',
  /** SCA: a phone's line keys, each with its lamp. */
  lines: 'M4 5h16v14H4zM7 9h1M7 12h1M7 15h1M11 9h6M11 12h6M11 15h6',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  plus: 'M12 5v14M5 12h14',
  search: 'M11 18a7 7 0 100-14 7 7 0 000 14zM20 20l-4-4',
  key: 'M14.5 10a4.5 4.5 0 11-1.3-3.2A4.5 4.5 0 0114.5 10zM13 13l7 7M17 17l2-2',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
  close: 'M6 6l12 12M18 6L6 18',
  retry: 'M4 4v6h6M20 20v-6h-6M5.5 15a7 7 0 0012 2.5M18.5 9A7 7 0 006.5 6.5',
  sortAsc: 'M8 15l4-6 4 6',
  sortDesc: 'M8 9l4 6 4-6',
  sortNone: 'M9 10l3-4 3 4M9 14l3 4 3-4',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 18, ...rest }: { name: IconName; size?: number } & SVGProps<SVGSVGElement>) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      <path d={paths[name]} />
    </svg>
  );
}

export function BrandMark({ size = 32 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false" className="brand-mark">
      <rect width="32" height="32" rx="7" fill="var(--accent)" />
      <path d="M10 23V9h7a4.5 4.5 0 010 9h-7" stroke="white" strokeWidth="3" fill="none" strokeLinejoin="round" />
    </svg>
  );
}
