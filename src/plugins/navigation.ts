import type { Role, StaffPrincipal } from '../auth/principal.ts';

export type AppSettings = Readonly<Record<string, string>>;

type NavItem = {
  label: string;
  href: string;
  roles: readonly Role[];
  /** Shown only when this returns true (e.g. an integration switched on in settings). */
  shownWhen?: (settings: AppSettings) => boolean;
};

/** The main navigation: each role sees what it may use. Features add their entries here. */
const navItems: NavItem[] = [
  { label: 'Home', href: '/', roles: ['admin', 'support', 'reseller'] },
  { label: 'Customers', href: '/customers', roles: ['admin', 'support', 'reseller'] },
  { label: 'Custom Reports', href: '/reports', roles: ['admin', 'reseller'] },
  { label: 'Institutions', href: '/institutions', roles: ['admin', 'support'] },
  {
    label: 'External Customer Numbers',
    href: '/external-numbers',
    roles: ['admin', 'support'],
    shownWhen: (s) => s.external_billing_enabled === 'true',
  },
  {
    label: 'External Billing File',
    href: '/billing-file',
    roles: ['admin'],
    shownWhen: (s) => s.external_billing_enabled === 'true',
  },
  { label: 'Contact profiles', href: '/contact-profiles', roles: ['admin', 'support'] },
  { label: 'Catalogue', href: '/admin', roles: ['admin'] },
  { label: 'Settings', href: '/settings', roles: ['admin'] },
];

export type NavLink = { label: string; href: string; current: boolean };

export function navigationFor(user: StaffPrincipal | null, url: string, settings: AppSettings = {}): NavLink[] {
  if (!user) return [];
  const path = url.split('?')[0];
  return navItems
    .filter((item) => item.roles.includes(user.role) && (item.shownWhen?.(settings) ?? true))
    .map((item) => ({
      label: item.label,
      href: item.href,
      current: item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`),
    }));
}
