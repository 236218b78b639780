import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { insertAudited, updateAudited } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';
import { assignableUsers } from './queries.ts';

/** *Task Tickets*: opened, assigned to staff the user may choose, commented on, closed and reopened. Audited. */

type Customer = Pick<CustomerRow, 'id' | 'reseller_id'>;

async function checkAssignee(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  assigneeId: number | null,
): Promise<FieldErrors | null> {
  if (assigneeId === null) return null;
  const allowed = await assignableUsers(db, user, customer);
  return allowed.some((u) => u.id === assigneeId) ? null : { assignee_user_id: 'Choose someone from the list.' };
}

export async function openTicket(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  ticket: { subject: string; description: string | null; assignee_user_id: number | null },
) {
  const errors = await checkAssignee(db, user, customer, ticket.assignee_user_id);
  if (errors) return { errors };
  const id = await insertAudited(
    db,
    { table: 'tickets', customerId: customer.id, actor: actorOf(user) },
    {
      ...ticket,
      customer_id: customer.id,
      status: 'open',
      opened_by_user_id: user.id,
      created_at: nowIso(),
    },
  );
  return { id };
}

export async function assignTicket(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  id: number,
  change: { assignee_user_id: number | null; version: number },
) {
  const errors = await checkAssignee(db, user, customer, change.assignee_user_id);
  if (errors) return errors;
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'tickets', customer.id, id, 'This ticket');
    await updateAudited(
      trx,
      { table: 'tickets', id, customerId: customer.id, actor: actorOf(user), expectedVersion: change.version },
      { assignee_user_id: change.assignee_user_id },
    );
  });
  return null;
}

export async function commentOnTicket(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  ticketId: number,
  body: string,
) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'tickets', customerId, ticketId, 'This ticket');
    await insertAudited(
      trx,
      { table: 'ticket_comments', customerId, actor: actorOf(user) },
      { ticket_id: ticketId, author_user_id: user.id, body, created_at: nowIso() },
    );
  });
}

export async function setTicketStatus(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  id: number,
  status: 'open' | 'closed',
) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'tickets', customerId, id, 'This ticket');
    await updateAudited(
      trx,
      { table: 'tickets', id, customerId, actor: actorOf(user) },
      { status, closed_at: status === 'closed' ? nowIso() : null },
    );
  });
}
