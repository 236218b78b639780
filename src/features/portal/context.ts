import type { FastifyRequest } from 'fastify';
import { contactOf } from '../../auth/guards.ts';
import { type ContactPrincipal, can, type Permission } from '../../auth/principal.ts';
import { type CustomerRow, findCustomerFor } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { todayIso } from '../../lib/dates.ts';
import { notFound } from '../../lib/http-error.ts';
import { type BalanceSummary, balanceSummary } from '../ledger/balance.ts';
import { ledgerNumbers } from '../ledger/page-data.ts';

/** The portal's menu (E14): each entry shows only when the contact's profile grants its permission. */
const portalSections: readonly { key: string; label: string; path: string; permission?: Permission }[] = [
  { key: 'balance', label: 'Balance', path: '' },
  { key: 'open-invoices', label: 'Open Invoices', path: '/open-invoices', permission: 'view_invoices' },
  { key: 'invoices', label: 'Invoice History', path: '/invoices', permission: 'view_invoices' },
  { key: 'transactions', label: 'Transaction History', path: '/transactions', permission: 'view_invoices' },
  { key: 'pending', label: 'Pending', path: '/pending', permission: 'view_invoices' },
  { key: 'scheduled', label: 'Scheduled', path: '/scheduled', permission: 'view_invoices' },
  { key: 'calendar', label: 'Payments Calendar', path: '/calendar', permission: 'view_invoices' },
  { key: 'payment-methods', label: 'Payment Methods', path: '/payment-methods', permission: 'manage_payment_methods' },
  { key: 'autopay', label: 'Autopay', path: '/autopay', permission: 'manage_autopay' },
  { key: 'credits', label: 'Customer Credits', path: '/credits', permission: 'see_credits' },
  { key: 'statement', label: 'Statements', path: '/statement', permission: 'receive_statements' },
];

export type PortalContext = {
  contact: ContactPrincipal;
  customer: CustomerRow;
  balance: BalanceSummary;
  base: '/portal';
  today: string;
  /** The portal layout frames the billing pages it shares with staff (views/ledger/_billing-layout.eta). */
  frame: '/layouts/portal';
  sections: { key: string; label: string; path: string }[];
  navTitle: string;
  canPay: boolean;
  canManageMethods: boolean;
  numbers: typeof ledgerNumbers;
};

/** The signed-in contact's own customer (through the scope, so nothing else is reachable) and what every portal page shows. */
export async function portalContext(db: Db, request: FastifyRequest): Promise<PortalContext> {
  const contact = contactOf(request);
  const customer = await findCustomerFor(db, contact, contact.customerId);
  if (!customer) throw notFound('This account');
  const today = todayIso();
  return {
    contact,
    customer,
    balance: await balanceSummary(db, customer.id, today),
    base: '/portal',
    today,
    frame: '/layouts/portal',
    sections: portalSections.filter((s) => !s.permission || can(contact, s.permission)),
    navTitle: 'Your account',
    canPay: can(contact, 'pay'),
    canManageMethods: can(contact, 'manage_payment_methods'),
    numbers: ledgerNumbers,
  };
}
