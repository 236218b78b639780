import { actorOf, type StaffPrincipal } from '../../auth/principal.ts';
import { type CustomerRow, customersVisibleTo } from '../../auth/scope.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { HttpError, notFound } from '../../lib/http-error.ts';
import { auditAction, deleteAudited, insertAudited, updateAudited } from '../audit/audit.ts';

/**
 * The domain rules of the Customer Module's tabs (D4). Every write goes through the audit helpers
 * (insertAudited, updateAudited, deleteAudited), so the *Metrics* tab sees each change without any
 * route writing history by hand. Functions take the customer already checked for the user.
 */

type Customer = Pick<CustomerRow, 'id' | 'reseller_id' | 'version'>;

/** A row of one of the customer's tables, or 404 when it belongs to another customer. */
export async function ownedRow<T = Record<string, unknown>>(
  db: Queryable,
  table: string,
  customerId: number,
  id: number,
  what: string,
  columns = ['*'],
): Promise<T> {
  const row = Number.isInteger(id) ? await db(table).where({ id, customer_id: customerId }).first(columns) : undefined;
  if (!row) throw notFound(what);
  return row as T;
}

export async function updateCustomerInformation(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  change: Record<string, string | boolean | number | null>,
) {
  const { version, ...fields } = change;
  await inTransaction(db, (trx) =>
    updateAudited(
      trx,
      {
        table: 'customers',
        id: customer.id,
        customerId: customer.id,
        actor: actorOf(user),
        expectedVersion: Number(version),
      },
      fields,
    ),
  );
}

export async function changeCustomerStatus(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  change: { status: string; reason: string; version: number },
) {
  await inTransaction(db, (trx) =>
    updateAudited(
      trx,
      {
        table: 'customers',
        id: customer.id,
        customerId: customer.id,
        actor: actorOf(user),
        expectedVersion: change.version,
        reason: change.reason,
      },
      { status: change.status },
    ),
  );
}

/* Locations: exactly one Bill To. */

type LocationValues = {
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string;
  country: string;
  is_bill_to: boolean;
};

/** Makes `locationId` the only Bill To of the customer (audited on each location that changes). */
async function moveBillTo(trx: Queryable, user: StaffPrincipal, customerId: number, locationId: number) {
  const others = await trx('locations')
    .where({ customer_id: customerId, is_bill_to: true })
    .whereNot('id', locationId)
    .select('id');
  for (const other of others)
    await updateAudited(
      trx,
      { table: 'locations', id: other.id, customerId, actor: actorOf(user) },
      { is_bill_to: false },
    );
}

export async function addLocation(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  values: LocationValues,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    // The first location is the Bill To whatever the box says: a customer always has one.
    const first = !(await trx('locations').where({ customer_id: customerId }).first('id'));
    const id = await insertAudited(
      trx,
      { table: 'locations', customerId, actor: actorOf(user) },
      {
        ...values,
        is_bill_to: first || values.is_bill_to,
        customer_id: customerId,
        created_at: nowIso(),
      },
    );
    if (values.is_bill_to) await moveBillTo(trx, user, customerId, id);
    return id;
  });
}

export async function updateLocation(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  id: number,
  values: LocationValues & { version: number },
): Promise<FieldErrors | null> {
  return inTransaction(db, async (trx) => {
    const before = await ownedRow<{ is_bill_to: number | boolean }>(trx, 'locations', customerId, id, 'This location');
    if (before.is_bill_to && !values.is_bill_to)
      return { is_bill_to: 'A customer needs one Bill To location. Make another location the Bill To instead.' };
    const { version, ...fields } = values;
    await updateAudited(
      trx,
      { table: 'locations', id, customerId, actor: actorOf(user), expectedVersion: version },
      fields,
    );
    if (values.is_bill_to) await moveBillTo(trx, user, customerId, id);
    return null;
  });
}

export async function removeLocation(db: Queryable, user: StaffPrincipal, customerId: number, id: number) {
  await inTransaction(db, async (trx) => {
    const row = await ownedRow<{ is_bill_to: number | boolean }>(trx, 'locations', customerId, id, 'This location');
    if (row.is_bill_to)
      throw new HttpError(409, 'This is the Bill To location. Make another location the Bill To before removing it.');
    await deleteAudited(trx, { table: 'locations', id, customerId, actor: actorOf(user) });
  });
}

/* Linked Accounts (corporate accounts and their child accounts). */

export async function linkChildAccount(
  db: Queryable,
  user: StaffPrincipal,
  parent: CustomerRow,
  accountNumber: string,
): Promise<FieldErrors | null> {
  const child = await customersVisibleTo(db, user).where({ account_number: accountNumber }).first();
  if (!child) return { account_number: `No account ${accountNumber} that you can see.` };
  if (child.id === parent.id) return { account_number: 'An account cannot be linked to itself.' };
  if (child.reseller_id !== parent.reseller_id)
    return { account_number: 'Only accounts of the same reseller can be linked.' };
  if (child.is_corporate)
    return { account_number: `${child.name} is a corporate account itself and cannot be a child account.` };
  if (child.parent_customer_id === parent.id)
    return { account_number: `${child.name} is already linked to this account.` };
  if (child.parent_customer_id)
    return { account_number: `${child.name} is linked to another corporate account. Unlink it there first.` };
  await inTransaction(db, (trx) =>
    updateAudited(
      trx,
      { table: 'customers', id: child.id, customerId: child.id, actor: actorOf(user) },
      { parent_customer_id: parent.id },
    ),
  );
  return null;
}

export async function unlinkChildAccount(db: Queryable, user: StaffPrincipal, parent: CustomerRow, childId: number) {
  await inTransaction(db, async (trx) => {
    const child = await trx('customers').where({ id: childId, parent_customer_id: parent.id }).first('id');
    if (!child) throw notFound('This linked account');
    await updateAudited(
      trx,
      { table: 'customers', id: childId, customerId: childId, actor: actorOf(user) },
      { parent_customer_id: null },
    );
  });
}

/* Communications: notes and letters. */

export async function addNote(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  note: { body: string; pinned: boolean },
): Promise<number> {
  const now = nowIso();
  return insertAudited(
    db,
    { table: 'notes', customerId, actor: actorOf(user) },
    { ...note, customer_id: customerId, author_user_id: user.id, created_at: now, updated_at: now },
  );
}

export async function setNotePinned(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  id: number,
  pinned: boolean,
) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'notes', customerId, id, 'This note');
    await updateAudited(trx, { table: 'notes', id, customerId, actor: actorOf(user) }, { pinned });
  });
}

export async function writeLetter(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  letter: { template: string; subject: string; body: string },
): Promise<number> {
  return insertAudited(
    db,
    { table: 'letters', customerId, actor: actorOf(user) },
    { ...letter, customer_id: customerId, author_user_id: user.id, created_at: nowIso() },
  );
}

/* Task Tickets. */

/** Staff a ticket may be assigned to: the reseller's own users for a reseller, all staff otherwise. */
export async function assignableUsers(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
): Promise<{ id: number; name: string }[]> {
  const query = db('users').whereNull('disabled_at').orderBy('name').select('id', 'name');
  if (user.role === 'reseller') query.where({ reseller_id: customer.reseller_id });
  else query.where((w) => w.whereNot('role', 'reseller').orWhere('reseller_id', customer.reseller_id));
  return query;
}

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

/* Documents: contents stay out of the audit log. */

export async function addDocument(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  file: { filename: string; content_type: string; content: Buffer },
): Promise<number> {
  return insertAudited(
    db,
    { table: 'documents', customerId, actor: actorOf(user) },
    {
      filename: file.filename,
      content_type: file.content_type,
      content: file.content,
      size_bytes: file.content.length,
      customer_id: customerId,
      uploaded_by_user_id: user.id,
      created_at: nowIso(),
    },
    ['content'],
  );
}

export async function removeDocument(db: Queryable, user: StaffPrincipal, customerId: number, id: number) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'documents', customerId, id, 'This document', ['id']);
    await deleteAudited(trx, { table: 'documents', id, customerId, actor: actorOf(user) }, ['content']);
  });
}

/* Facilities and Alerts. */

export async function addFacility(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  facility: { name: string; kind: string; circuit_id: string | null; location_id: number | null },
): Promise<FieldErrors | null> {
  if (
    facility.location_id !== null &&
    !(await db('locations').where({ id: facility.location_id, customer_id: customerId }).first('id'))
  ) {
    return { location_id: 'Choose one of this customer’s locations.' };
  }
  await insertAudited(
    db,
    { table: 'facilities', customerId, actor: actorOf(user) },
    { ...facility, customer_id: customerId, created_at: nowIso() },
  );
  return null;
}

export async function removeFacility(db: Queryable, user: StaffPrincipal, customerId: number, id: number) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'facilities', customerId, id, 'This facility');
    await deleteAudited(trx, { table: 'facilities', id, customerId, actor: actorOf(user) });
  });
}

export async function setAlert(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  message: string,
): Promise<number> {
  return insertAudited(
    db,
    { table: 'alerts', customerId, actor: actorOf(user) },
    { message, customer_id: customerId, created_by_user_id: user.id, created_at: nowIso() },
  );
}

export async function clearAlert(db: Queryable, user: StaffPrincipal, customerId: number, id: number) {
  await inTransaction(db, async (trx) => {
    const alert = await ownedRow<{ cleared_at: string | null }>(trx, 'alerts', customerId, id, 'This alert');
    if (alert.cleared_at) return;
    await updateAudited(
      trx,
      { table: 'alerts', id, customerId, actor: actorOf(user) },
      { cleared_at: nowIso(), cleared_by_user_id: user.id },
    );
  });
}

/* Users: the customer's portal users. */

export async function changeContactPassword(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  contactId: number,
  passwordHash: string,
) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'contacts', customerId, contactId, 'This user');
    await trx('contacts')
      .where({ id: contactId })
      .update({ password_hash: passwordHash, version: trx.raw('version + 1') });
    // The log says that the password changed, never what it is.
    await auditAction(trx, { table: 'contacts', id: contactId, customerId, actor: actorOf(user) }, 'password-change');
  });
}
