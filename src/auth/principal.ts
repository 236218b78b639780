/**
 * Who a request acts for. Staff sign in to run the business; a customer's contacts sign in to the portal
 * (E14) and may do only what their contact profile allows. Every guard, scope and audit entry starts here.
 */
export const roles = ['admin', 'support', 'reseller'] as const;
export type Role = (typeof roles)[number];

export const landingTabs = ['communications', 'account-summary', 'customer-information'] as const;
export type LandingTab = (typeof landingTabs)[number];

/** What a contact profile may grant a contact (E3). Staff are limited by role instead. */
export const permissions = [
  'view_invoices',
  'pay',
  'manage_payment_methods',
  'manage_autopay',
  'see_credits',
  'receive_statements',
] as const;
export type Permission = (typeof permissions)[number];

export type StaffPrincipal = Readonly<{
  kind: 'staff';
  id: number;
  email: string;
  name: string;
  role: Role;
  resellerId: number | null;
  landingTab: LandingTab;
}>;

export type ContactPrincipal = Readonly<{
  kind: 'contact';
  /** The contact's id. */
  id: number;
  customerId: number;
  name: string;
  email: string | null;
  permissions: readonly Permission[];
  /** The staff user looking through the contact's eyes (*Impersonate Customer*), if any. */
  impersonatedBy: StaffPrincipal | null;
}>;

export type Principal = StaffPrincipal | ContactPrincipal;

/** Who made a change, as the audit trail records it: the staff user, and whom they were acting as. */
export type Actor = Readonly<{ userId: number | null; actingAs?: string | null }>;

/**
 * The one way a write names its author. A contact acting alone has no staff user; a staff user acting as a
 * contact is recorded as "staff X acting as contact Y".
 */
export function actorOf(principal: Principal): Actor {
  if (principal.kind === 'staff') return { userId: principal.id };
  const actingAs = `contact ${principal.id} (${principal.email ?? principal.name})`;
  return { userId: principal.impersonatedBy?.id ?? null, actingAs };
}

/** Whether a principal may do something a contact profile governs; staff are governed by their role guards. */
export function can(principal: Principal, permission: Permission): boolean {
  return principal.kind === 'staff' || principal.permissions.includes(permission);
}
