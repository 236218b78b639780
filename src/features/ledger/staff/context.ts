import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { staffOf } from '../../../auth/guards.ts';
import { type CustomerRow, findCustomerFor } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { todayIso } from '../../../lib/dates.ts';
import { notFound } from '../../../lib/http-error.ts';

export { idParam } from '../../../lib/params.ts';

import { customerHeader } from '../../customer-module/frame.ts';
import { billingSubTabs, customerTabLinks } from '../../customer-module/tabs.ts';
import { type BalanceSummary, balanceSummary } from '../balance.ts';
import { ledgerNumbers } from '../page-data.ts';

export type BillingContext = {
  customer: CustomerRow;
  balance: BalanceSummary;
  base: string;
  today: string;
  sections: typeof billingSubTabs;
  /** The layout around the billing pages, which the customer portal shares with another frame. */
  frame: string;
  /** Staff may pay any open invoice (a portal contact only with the *pay* permission). */
  canPay: boolean;
  /** Staff may add, edit and remove payment methods (a portal contact only with *manage_payment_methods*). */
  canManageMethods: boolean;
  /** The Customer Module's header and tab bar, which frame every billing page. */
  header: Awaited<ReturnType<typeof customerHeader>>;
  resellerName: string | undefined;
  tabs: ReturnType<typeof customerTabLinks>;
  /** Display numbers for templates: TX-0000042, CR-0000007. */
  numbers: typeof ledgerNumbers;
};

const numbers = ledgerNumbers;

const customerParams = z.object({ id: z.coerce.number().int().positive() });

/** The customer of a billing route, if the user may see it (404 otherwise), with what every billing page shows. */
export async function billingContext(db: Db, request: FastifyRequest): Promise<BillingContext> {
  const params = customerParams.safeParse(request.params);
  if (!params.success) throw notFound('This customer');
  const customer = await findCustomerFor(db, staffOf(request), params.data.id);
  if (!customer) throw notFound('This customer');
  const today = todayIso();
  const [balance, header] = await Promise.all([balanceSummary(db, customer.id, today), customerHeader(db, customer)]);
  return {
    customer,
    balance,
    base: `/customers/${customer.id}/billing`,
    today,
    sections: billingSubTabs,
    frame: '/customer-module/_frame',
    canPay: true,
    canManageMethods: true,
    numbers,
    header,
    resellerName: header.resellerName,
    tabs: customerTabLinks(customer, 'billing'),
  };
}

/** A fresh key for a form that moves money: submitting the same form twice moves it once. */
export function newIdempotencyKey(): string {
  return randomUUID();
}
