import { type Permission, permissions } from '../../src/auth/principal.ts';
import type { PrincipalName } from './manifest-world.ts';

/**
 * The route manifest (issue 18, docs/security.md): what every principal gets from every route the app
 * registers. test/security/routes.test.ts fails for a registered route without a row here, and for a
 * row whose route is gone. To add a route, add one line with its access decision, e.g.
 *   'GET /customers/:id/bill-runs': customerPage(),
 *   'POST /admin/thing': staffOnly('admin'),
 *   'GET /portal/payment-methods': portalPage('manage_payment_methods'),
 * URL parameters come from test/security/manifest-world.ts (by the segment before them); a new
 * parameter needs an entry there.
 *
 * allowed: the route does its work (2xx, 3xx elsewhere, 4xx other than 403/404 for a bad form);
 * refused: 403 or 404 (another tenant's customer is not found rather than forbidden);
 * sign-in: sent to a sign-in page (303 or HX-Redirect).
 */
export type { PrincipalName };
export type Outcome = 'allowed' | 'refused' | 'sign-in';
export type Access = Readonly<Partial<Record<PrincipalName, Outcome>>>;
type Role = 'admin' | 'support' | 'reseller';

const contacts = (outcome: (p: Permission, has: boolean) => Outcome): Access =>
  Object.fromEntries(
    permissions.flatMap((p) => [
      [`contactWith:${p}`, outcome(p, true)],
      [`contactWithout:${p}`, outcome(p, false)],
    ]),
  );

/** Staff pages not about one customer: the roles given (all staff when none). Contacts are refused. */
export function staffOnly(...roles: Role[]): Access {
  const may = (role: Role): Outcome => (roles.length === 0 || roles.includes(role) ? 'allowed' : 'refused');
  return {
    anonymous: 'sign-in',
    admin: may('admin'),
    support: may('support'),
    reseller: may('reseller'),
    otherReseller: may('reseller'),
    // The guard is by kind: one contact with every permission stands for all of them here.
    contact: 'refused',
    revokedContact: 'sign-in',
  };
}

/** A step-by-step draft (New Customer Account, the wizard) is its author's alone: here the admin's. */
export function adminsDraft(): Access {
  return { ...staffOnly(), support: 'refused', reseller: 'refused', otherReseller: 'refused' };
}

/** Sign-out: everyone ends at a sign-in page. */
export function signOut(): Access {
  return { anonymous: 'sign-in', admin: 'sign-in', contact: 'sign-in' };
}

/** Pages of Acme (Northwind's customer): its reseller's staff, never another reseller's. */
export function customerPage(...roles: Role[]): Access {
  return { ...staffOnly(...roles), otherReseller: 'refused' };
}

/** Portal pages: a contact of the customer whose profile grants `permission` (any contact without one). */
export function portalPage(permission: Permission | null = null): Access {
  return {
    anonymous: 'sign-in',
    admin: 'refused',
    reseller: 'refused',
    revokedContact: 'sign-in',
    ...contacts((p, has) => (permission === null || (p === permission) === has ? 'allowed' : 'refused')),
  };
}

/** Open to anyone: sign-in pages, one-time links, the health check, static files. */
export function open(): Access {
  return { anonymous: 'allowed', admin: 'allowed', contact: 'allowed' };
}

/**
 * Downloads of files the manifest world does not make (a generated billing file, a finished report run):
 * the principals allowed may get 404 for the missing file; the others must still be refused.
 */
export const notInWorld = new Set([
  'GET /billing-file/files/:id/download',
  'GET /billing-file/files/:id/final',
  'GET /reports/:id/runs/:runId/download',
  'GET /bill-run/runs/:runId',
  'GET /usage/imports/:importId',
]);

export const routeManifest: Record<string, Access> = {
  'GET /healthz': open(),
  'GET /assets/*': open(),
  'GET /vendor/htmx/*': open(),
  'GET /vendor/sortablejs/*': open(),
  'GET /login': open(),
  'POST /login': open(),
  'POST /logout': signOut(),
  'GET /portal/login': open(),
  'POST /portal/login': open(),
  'POST /portal/logout': signOut(),
  'GET /portal/password/forgot': open(),
  'POST /portal/password/forgot': open(),
  'GET /portal/password/:token': open(),
  'POST /portal/password/:token': open(),

  'GET /': staffOnly(),
  'GET /search': staffOnly(),
  'GET /my-settings': staffOnly(),
  'POST /my-settings': staffOnly(),
  'GET /settings': staffOnly('admin'),
  // What one staff user changed, across all records (A8, F3).
  'GET /audit/users': staffOnly('admin'),
  'GET /audit/users/:id': staffOnly('admin'),
  'POST /settings': staffOnly('admin'),
  'GET /admin': staffOnly('admin'),
  'GET /admin/numbers': staffOnly('admin'),
  'POST /admin/numbers/:id': staffOnly('admin'),
  'GET /admin/numbers/:id/edit': staffOnly('admin'),
  'GET /admin/numbers/import': staffOnly('admin'),
  'POST /admin/numbers/import': staffOnly('admin'),
  'GET /admin/price-lists': staffOnly('admin'),
  'POST /admin/price-lists': staffOnly('admin'),
  'GET /admin/price-lists/:id': staffOnly('admin'),
  'POST /admin/price-lists/:id': staffOnly('admin'),
  'GET /admin/service-types': staffOnly('admin'),
  'POST /admin/service-types': staffOnly('admin'),
  'GET /admin/service-types/:id': staffOnly('admin'),
  'POST /admin/service-types/:id': staffOnly('admin'),
  'GET /admin/service-types/new': staffOnly('admin'),
  'GET /billing-file': staffOnly('admin'),
  'GET /billing-file/files/:id/download': staffOnly('admin'),
  'GET /billing-file/files/:id/final': staffOnly('admin'),
  'POST /billing-file/files/:id/final': staffOnly('admin'),
  'POST /billing-file/generate': staffOnly('admin'),
  'GET /billing-file/history': staffOnly('admin'),
  'GET /contact-profiles': staffOnly('admin', 'support'),
  'POST /contact-profiles': staffOnly('admin', 'support'),
  'POST /contact-profiles/:profileId': staffOnly('admin', 'support'),
  'GET /contact-profiles/:profileId/edit': staffOnly('admin', 'support'),
  'GET /contact-profiles/new': staffOnly('admin', 'support'),
  'GET /external-numbers': staffOnly('admin', 'support'),
  'POST /external-numbers': staffOnly('admin', 'support'),
  'DELETE /external-numbers/:id': staffOnly('admin', 'support'),
  'GET /external-numbers/:id': staffOnly('admin', 'support'),
  'POST /external-numbers/:id': staffOnly('admin', 'support'),
  'PUT /external-numbers/:id': staffOnly('admin', 'support'),
  'GET /external-numbers/:id/delete': staffOnly('admin', 'support'),
  'POST /external-numbers/:id/delete': staffOnly('admin', 'support'),
  'GET /external-numbers/:id/edit': staffOnly('admin', 'support'),
  'GET /external-numbers/new': staffOnly('admin', 'support'),
  'GET /external-numbers/search': staffOnly('admin', 'support'),
  'GET /institutions/duplicates': staffOnly('admin', 'support'),
  'GET /institutions': staffOnly('admin', 'support'),
  'GET /institutions/new': staffOnly('admin', 'support'),
  'POST /institutions': staffOnly('admin', 'support'),
  'GET /institutions/:id': staffOnly('admin', 'support'),
  'POST /institutions/:id': staffOnly('admin', 'support'),
  'POST /institutions/:id/billing': staffOnly('admin', 'support'),
  'POST /institutions/:id/merge': staffOnly('admin', 'support'),
  'GET /groups': staffOnly('admin', 'support'),
  'GET /groups/new': staffOnly('admin', 'support'),
  'POST /groups': staffOnly('admin', 'support'),
  'GET /groups/:id': staffOnly('admin', 'support'),
  'POST /groups/:id': staffOnly('admin', 'support'),
  'POST /groups/:id/billing': staffOnly('admin', 'support'),
  'POST /groups/:id/merge': staffOnly('admin', 'support'),
  'GET /reports': staffOnly('admin', 'reseller'),
  'GET /reports/new': staffOnly('admin', 'reseller'),
  'POST /reports/new': staffOnly('admin', 'reseller'),
  'GET /reports/:id': customerPage('admin', 'reseller'),
  'GET /reports/:id/csv': customerPage('admin', 'reseller'),
  'POST /reports/:id/delete': customerPage('admin', 'reseller'),
  'GET /reports/:id/edit': customerPage('admin', 'reseller'),
  'POST /reports/:id/edit': customerPage('admin', 'reseller'),
  'GET /reports/:id/run': customerPage('admin', 'reseller'),
  'GET /reports/:id/runs/:runId/download': customerPage('admin', 'reseller'),
  'POST /reports/:id/runs/:runId/retry': customerPage('admin', 'reseller'),
  'GET /customers': staffOnly(),
  'GET /customers/inventory': staffOnly(),
  'GET /customers/recent': staffOnly(),
  'GET /customers/new': staffOnly(),
  'POST /customers/new': staffOnly(),
  'GET /customers/new/:draftId': adminsDraft(),
  'GET /customers/new/:draftId/:step': adminsDraft(),
  'POST /customers/new/:draftId/:step': adminsDraft(),
  'POST /customers/new/:draftId/discard': adminsDraft(),
  'GET /wizard': staffOnly(),
  'POST /wizard': staffOnly(),
  'GET /wizard/:draftId': adminsDraft(),
  'GET /wizard/:draftId/:step': adminsDraft(),
  'POST /wizard/:draftId/:step': adminsDraft(),
  'POST /wizard/:draftId/discard': adminsDraft(),
  'GET /services/:id': customerPage(),
  'POST /services/:id/numbers/:numberId': customerPage(),

  'GET /portal': portalPage(),
  // Ends the session's impersonation: one contact stands for all (each would have to sign in again).
  'POST /portal/impersonation/end': {
    anonymous: 'sign-in',
    admin: 'refused',
    contact: 'allowed',
    revokedContact: 'sign-in',
  },
  'GET /portal/autopay': portalPage('manage_autopay'),
  'GET /portal/calendar': portalPage('view_invoices'),
  'GET /portal/credits': portalPage('see_credits'),
  'GET /portal/invoices': portalPage('view_invoices'),
  'GET /portal/invoices/:invoiceId': portalPage('view_invoices'),
  'GET /portal/invoices/:invoiceId/view': portalPage('view_invoices'),
  'GET /portal/open-invoices': portalPage('view_invoices'),
  'GET /portal/pending': portalPage('view_invoices'),
  'GET /portal/scheduled': portalPage('view_invoices'),
  'GET /portal/payment-methods': portalPage('manage_payment_methods'),
  'GET /portal/payment-methods/new': portalPage('manage_payment_methods'),
  'POST /portal/payment-methods': portalPage('manage_payment_methods'),
  'GET /portal/payment-methods/:methodId/edit': portalPage('manage_payment_methods'),
  'POST /portal/payment-methods/:methodId': portalPage('manage_payment_methods'),
  'POST /portal/payment-methods/:methodId/removal': portalPage('manage_payment_methods'),
  'GET /portal/autopay/new': portalPage('manage_autopay'),
  'POST /portal/autopay': portalPage('manage_autopay'),
  'GET /portal/autopay/:configurationId/edit': portalPage('manage_autopay'),
  'POST /portal/autopay/:configurationId': portalPage('manage_autopay'),
  'POST /portal/autopay/:configurationId/disable': portalPage('manage_autopay'),
  'POST /portal/autopay/order': portalPage('manage_autopay'),
  // The bill run, call records, taxes and commissions (D4, D6): admins only.
  'GET /bill-run': staffOnly('admin'),
  'GET /bill-run/preview': staffOnly('admin'),
  'POST /bill-run/runs': staffOnly('admin'),
  'GET /bill-run/runs/:runId': staffOnly('admin'),
  'GET /usage': staffOnly('admin'),
  'POST /usage/imports': staffOnly('admin'),
  'GET /usage/imports/:importId': staffOnly('admin'),
  'GET /usage/rates': staffOnly('admin'),
  'POST /usage/rates': staffOnly('admin'),
  'GET /taxes': staffOnly('admin'),
  'POST /taxes/rates': staffOnly('admin'),
  'POST /taxes/exemptions': staffOnly('admin'),
  // Rows edited in place (D6): the display row, the editing row, save, delete and its confirmation.
  'GET /taxes/rates/:taxRateId': staffOnly('admin'),
  'GET /taxes/rates/:taxRateId/edit': staffOnly('admin'),
  'PUT /taxes/rates/:taxRateId': staffOnly('admin'),
  'POST /taxes/rates/:taxRateId': staffOnly('admin'),
  'GET /taxes/rates/:taxRateId/delete': staffOnly('admin'),
  'DELETE /taxes/rates/:taxRateId': staffOnly('admin'),
  'POST /taxes/rates/:taxRateId/delete': staffOnly('admin'),
  'GET /taxes/exemptions/:exemptionId': staffOnly('admin'),
  'GET /taxes/exemptions/:exemptionId/edit': staffOnly('admin'),
  'PUT /taxes/exemptions/:exemptionId': staffOnly('admin'),
  'POST /taxes/exemptions/:exemptionId': staffOnly('admin'),
  'GET /taxes/exemptions/:exemptionId/delete': staffOnly('admin'),
  'DELETE /taxes/exemptions/:exemptionId': staffOnly('admin'),
  'POST /taxes/exemptions/:exemptionId/delete': staffOnly('admin'),
  'GET /usage/rates/:usageRateId': staffOnly('admin'),
  'GET /usage/rates/:usageRateId/edit': staffOnly('admin'),
  'PUT /usage/rates/:usageRateId': staffOnly('admin'),
  'POST /usage/rates/:usageRateId': staffOnly('admin'),
  'GET /usage/rates/:usageRateId/delete': staffOnly('admin'),
  'DELETE /usage/rates/:usageRateId': staffOnly('admin'),
  'POST /usage/rates/:usageRateId/delete': staffOnly('admin'),
  'GET /commissions': staffOnly('admin'),
  'GET /commissions/report.csv': staffOnly('admin'),
  'POST /commissions/plans': staffOnly('admin'),
  // The institution and group type-ahead that puts a customer in them (A5).
  'GET /org-picker/institutions': staffOnly(),
  'GET /org-picker/groups': staffOnly(),
  'GET /wizard/:draftId/customers': adminsDraft(),
  'GET /services/:id/end': customerPage(),
  'POST /services/:id/end': customerPage(),
  'POST /services/:id/numbers': customerPage(),
  'GET /services/:id/numbers/:numberId/remove': customerPage(),
  'POST /services/:id/numbers/:numberId/removal': customerPage(),
  'POST /services/:id/price-list': customerPage(),
  'POST /portal/payments': portalPage('pay'),
  'GET /portal/payments/new': portalPage('pay'),
  'POST /portal/scheduled/:paymentId': portalPage('pay'),
  'POST /portal/scheduled/:paymentId/cancellation': portalPage('pay'),
  'GET /portal/scheduled/:paymentId/reschedule': portalPage('pay'),
  'GET /portal/statement': portalPage('receive_statements'),
  'GET /portal/statement.pdf': portalPage('receive_statements'),
  'GET /portal/transactions': portalPage('view_invoices'),
  'GET /portal/transactions/:paymentId': portalPage('view_invoices'),
};

/** Every page and action of the Customer Module is Acme's: these take the customerPage rows below. */
const customerRoutes: [string, Role[]][] = [
  ['GET /customers/:id', []],
  ['PUT /customers/:id', []],
  ['POST /customers/:id', []],
  ['POST /customers/:id/tickets/:rowId/close', []],
  ['POST /customers/:id/tickets/:rowId/reopen', []],
  ['GET /customers/:id/metrics', []],
  ['GET /customers/:id/metrics/field-changes', []],
  ['GET /customers/:id/metrics/access-trail', []],
  ['GET /customers/:id/metrics/activity-log', []],
  ['PUT /customers/:id/additional-information', []],
  ['POST /customers/:id/additional-information', []],
  ['GET /customers/:id/billing/unbilled-cdrs', []],
  ['GET /customers/:id/billing/security-deposits', []],
  ['GET /customers/:id/billing/pending', []],
  ['GET /customers/:id/billing/scheduled', []],
  ['GET /customers/:id/billing/credit-cards', []],
  ['GET /customers/:id/billing/bank-accounts', []],
  ['POST /customers/:id/billing/automatic-payments/:configurationId/lock', []],
  ['POST /customers/:id/billing/automatic-payments/:configurationId/disable', []],
  ['GET /customers/:id/contacts/:rowId/remove', ['admin', 'support']],
  ['GET /customers/:id/contacts/:rowId/revoke', ['admin', 'support']],
  ['GET /customers/:id/open', []],
  ['GET /customers/:id/edit', []],
  ['POST /customers/:id/status', []],
  ['POST /customers/:id/links', ['admin', 'support']],
  ['POST /customers/:id/notes', []],
  ['POST /customers/:id/notes/:rowId/pin', []],
  ['GET /customers/:id/account-summary', []],
  ['GET /customers/:id/additional-information', []],
  ['GET /customers/:id/additional-information/edit', []],
  ['GET /customers/:id/alerts', []],
  ['POST /customers/:id/alerts', []],
  ['POST /customers/:id/alerts/:rowId/clear', []],
  ['GET /customers/:id/communications', []],
  ['GET /customers/:id/communications/letters', []],
  ['POST /customers/:id/letters', []],
  ['GET /customers/:id/letters/:rowId', []],
  ['GET /customers/:id/emails', []],
  ['POST /customers/:id/emails/:emailId/resend', ['admin', 'support']],
  ['GET /customers/:id/contacts', []],
  ['POST /customers/:id/contacts', ['admin', 'support']],
  ['GET /customers/:id/contacts/new', ['admin', 'support']],
  ['GET /customers/:id/contacts/:rowId', []],
  ['POST /customers/:id/contacts/:rowId', ['admin', 'support']],
  ['GET /customers/:id/contacts/:rowId/edit', ['admin', 'support']],
  ['POST /customers/:id/contacts/:rowId/removal', ['admin', 'support']],
  ['POST /customers/:id/contacts/:rowId/restoration', ['admin', 'support']],
  ['POST /customers/:id/contacts/:rowId/revocation', ['admin', 'support']],
  ['POST /customers/:id/contacts/:rowId/statement', ['admin', 'support']],
  ['POST /customers/:id/contacts/:rowId/welcome', ['admin', 'support']],
  ['GET /customers/:id/documents', []],
  ['POST /customers/:id/documents', []],
  ['GET /customers/:id/documents/:rowId', []],
  ['POST /customers/:id/documents/:rowId/delete', []],
  ['GET /customers/:id/facilities', []],
  ['POST /customers/:id/facilities', []],
  ['POST /customers/:id/facilities/:rowId/delete', []],
  ['GET /customers/:id/linked-accounts', []],
  ['POST /customers/:id/linked-accounts', []],
  ['POST /customers/:id/linked-accounts/:rowId/unlink', []],
  ['GET /customers/:id/locations', []],
  ['POST /customers/:id/locations', []],
  ['POST /customers/:id/locations/:rowId', []],
  ['POST /customers/:id/locations/:rowId/delete', []],
  ['GET /customers/:id/locations/:rowId/edit', []],
  ['GET /customers/:id/orders', []],
  ['GET /customers/:id/products', []],
  ['GET /customers/:id/statement', []],
  ['GET /customers/:id/statement.pdf', []],
  ['POST /customers/:id/statement/emailing', ['admin', 'support']],
  ['GET /customers/:id/tickets', []],
  ['POST /customers/:id/tickets', []],
  ['GET /customers/:id/tickets/:rowId', []],
  ['POST /customers/:id/tickets/:rowId/assign', []],
  ['POST /customers/:id/tickets/:rowId/comments', []],
  ['GET /customers/:id/users', []],
  ['POST /customers/:id/users/:rowId/impersonate', []],
  ['GET /customers/:id/users/:rowId/password', []],
  ['POST /customers/:id/users/:rowId/password', []],
  ['GET /customers/:id/billing', []],
  ['GET /customers/:id/billing/automatic-payments', []],
  ['POST /customers/:id/billing/automatic-payments', []],
  ['POST /customers/:id/billing/automatic-payments/:configurationId', []],
  ['GET /customers/:id/billing/automatic-payments/:configurationId/edit', []],
  ['GET /customers/:id/billing/automatic-payments/new', []],
  ['POST /customers/:id/billing/automatic-payments/order', []],
  ['GET /customers/:id/billing/calendar', []],
  ['POST /customers/:id/billing/checks', []],
  ['GET /customers/:id/billing/checks/new', []],
  ['GET /customers/:id/billing/credits', []],
  ['POST /customers/:id/billing/credits', ['admin', 'support']],
  ['GET /customers/:id/billing/credits/:creditId', []],
  ['POST /customers/:id/billing/credits/:creditId/applications', []],
  ['POST /customers/:id/billing/credits/:creditId/refunds', ['admin', 'support']],
  ['GET /customers/:id/billing/credits/new', ['admin', 'support']],
  ['GET /customers/:id/billing/invoices', []],
  ['POST /customers/:id/billing/invoices', []],
  ['GET /customers/:id/billing/invoices/new', []],
  ['GET /customers/:id/billing/invoices/:invoiceId', []],
  ['GET /customers/:id/billing/invoices/:invoiceId/emails', []],
  ['POST /customers/:id/billing/invoices/:invoiceId/emails', []],
  ['GET /customers/:id/billing/invoices/:invoiceId/view', []],
  ['GET /customers/:id/billing/open-invoices', []],
  ['POST /customers/:id/billing/payment-methods', []],
  ['GET /customers/:id/billing/payment-methods/new', []],
  ['POST /customers/:id/billing/payment-methods/:methodId', []],
  ['GET /customers/:id/billing/payment-methods/:methodId/edit', []],
  ['POST /customers/:id/billing/payment-methods/:methodId/removal', []],
  ['POST /customers/:id/billing/payments', []],
  ['GET /customers/:id/billing/payments/new', []],
  ['POST /customers/:id/billing/scheduled/:paymentId', []],
  ['POST /customers/:id/billing/scheduled/:paymentId/cancellation', []],
  ['GET /customers/:id/billing/scheduled/:paymentId/reschedule', []],
  ['GET /customers/:id/billing/transactions', []],
  ['GET /customers/:id/billing/transactions/:paymentId', []],
  ['POST /customers/:id/billing/security-deposits', ['admin', 'support']],
  ['POST /customers/:id/billing/security-deposits/:depositId/applications', []],
  ['POST /customers/:id/billing/security-deposits/:depositId/refunds', ['admin', 'support']],
];
for (const [route, roles] of customerRoutes) routeManifest[route] = customerPage(...roles);
