import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { staffOf } from '../../auth/guards.ts';
import { type CustomerRow, findCustomerFor } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { resellerName } from '../customers/queries.ts';
import { countryNames } from '../customers/schemas.ts';
import { customerBalanceCents } from '../ledger/balance.ts';
import { activeAlerts } from './alerts/queries.ts';
import { billToLocation } from './queries.ts';
import { type CustomerTabKey, customerTabLinks, type SubTab, subTabLinks } from './tabs.ts';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const rowParams = z.object({ rowId: z.coerce.number().int().positive() });

/** The id of a tab's record in the URL (`:rowId`); the record itself is then looked up within the customer. */
export function rowIdFrom(request: FastifyRequest, what: string): number {
  const parsed = rowParams.safeParse(request.params);
  if (!parsed.success) throw notFound(what);
  return parsed.data.rowId;
}

/** The customer in the URL if the user may see it; anything else is a 404 that does not confirm it exists. */
export async function customerFromRequest(db: Queryable, request: FastifyRequest): Promise<CustomerRow> {
  const params = idParams.safeParse(request.params);
  const customer = params.success ? await findCustomerFor(db, staffOf(request), params.data.id) : undefined;
  if (!customer) throw notFound('This customer');
  return customer;
}

/** A tab's form as shown: the values as typed, the errors beside the fields, a message above them. */
export type TabForm = { values: Record<string, unknown>; errors: FieldErrors; message?: string };

export function emptyForm(values: Record<string, unknown> = {}): TabForm {
  return { values, errors: {} };
}

/**
 * What the header shows on every tab (D2): balance, the Bill To to edit, the alerts not yet cleared. The Bill
 * To row comes whole, so the tabs that show the address (Account Summary, Customer Information) read it once.
 */
export async function customerHeader(db: Queryable, customer: CustomerRow) {
  const [balanceCents, billTo, alerts, reseller] = await Promise.all([
    customerBalanceCents(db, customer.id),
    billToLocation(db, customer.id),
    activeAlerts(db, customer.id),
    resellerName(db, customer.reseller_id),
  ]);
  return {
    balanceCents,
    billTo,
    billToId: (billTo?.id as number | undefined) ?? null,
    alerts,
    resellerName: reseller,
  };
}

/**
 * Renders one tab of the customer's page: the header and tab bar come from the `customer-module/_frame` layout.
 * `subTabs` draws the row of sub-tab links for tabs that have them.
 */
export async function renderCustomerTab(
  db: Queryable,
  reply: FastifyReply,
  customer: CustomerRow,
  tab: CustomerTabKey,
  template: string,
  data: Record<string, unknown> & { subTabs?: { list: readonly SubTab[]; current: string } } = {},
) {
  const { subTabs, ...rest } = data;
  const header = await customerHeader(db, customer);
  return reply.page(template, {
    title: customer.name,
    customer,
    header,
    resellerName: header.resellerName,
    countryNames,
    tabs: customerTabLinks(customer, tab),
    subTabs: subTabs ? subTabLinks(customer.id, tab, subTabs.list, subTabs.current) : null,
    ...rest,
  });
}
