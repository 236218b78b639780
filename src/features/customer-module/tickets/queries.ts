import type { StaffPrincipal } from '../../../auth/principal.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Queryable } from '../../../db/index.ts';
import { newestFirstPage } from '../queries.ts';

const TICKETS_PAGE_SIZE = 25;

/** Staff a ticket may be assigned to: the reseller's own users for a reseller, all staff otherwise. */
export async function assignableUsers(
  db: Queryable,
  user: StaffPrincipal,
  customer: Pick<CustomerRow, 'reseller_id'>,
): Promise<{ id: number; name: string }[]> {
  const query = db('users').whereNull('disabled_at').orderBy('name').select('id', 'name');
  if (user.role === 'reseller') query.where({ reseller_id: customer.reseller_id });
  else query.where((w) => w.whereNot('role', 'reseller').orWhere('reseller_id', customer.reseller_id));
  return query;
}

/** One page of the customer's open or closed tickets, newest first, with whom each is assigned to. */
export async function ticketsPage(
  db: Queryable,
  customerId: number,
  status: 'open' | 'closed',
  before: number | undefined,
) {
  const query = db('tickets as t')
    .leftJoin('users as u', 'u.id', 't.assignee_user_id')
    .where({ 't.customer_id': customerId, 't.status': status })
    .select('t.id', 't.subject', 't.status', 't.created_at', 't.closed_at', 'u.name as assignee_name');
  return newestFirstPage(query, 't.id', before, TICKETS_PAGE_SIZE);
}

/** A ticket's comments, oldest first. */
export async function ticketComments(db: Queryable, ticketId: number) {
  return db('ticket_comments as c')
    .leftJoin('users as u', 'u.id', 'c.author_user_id')
    .where('c.ticket_id', ticketId)
    .orderBy('c.id')
    .limit(500)
    .select('c.id', 'c.body', 'c.created_at', 'u.name as author_name');
}

/** The name of the staff user who opened a ticket, if known. */
export async function ticketOpener(db: Queryable, openedByUserId: number | null): Promise<string | null> {
  const row = await db('users').where({ id: openedByUserId }).first('name');
  return (row?.name as string | undefined) ?? null;
}
