import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { updateAudited } from '../../audit/audit.ts';
import { storePhoneDigits } from '../../customers/customers.ts';

/** *Customer Information*: the core fields, and status changes with a reason. Audited; stale edits refused. */

type Customer = Pick<CustomerRow, 'id'>;

/** One audited update of the customer row, refused when the record changed since `version` was read. */
function updateCustomerAudited(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  fields: Record<string, string | boolean | number | null>,
  expected: { version: number; reason?: string },
) {
  const target = {
    table: 'customers',
    id: customer.id,
    customerId: customer.id,
    actor: actorOf(user),
    expectedVersion: expected.version,
    reason: expected.reason,
  };
  return inTransaction(db, (trx) => updateAudited(trx, target, fields));
}

export async function updateCustomerInformation(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  change: Record<string, string | boolean | number | null | undefined>,
) {
  const { version, ...typed } = change;
  // A field the form did not send (undefined) stays as it is.
  const fields = Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | boolean | number | null
  >;
  await inTransaction(db, async (trx) => {
    await updateCustomerAudited(trx, user, customer, fields, { version: Number(version) });
    if ('phone' in fields) await storePhoneDigits(trx, customer.id, fields.phone as string | null);
  });
}

export async function changeCustomerStatus(
  db: Queryable,
  user: StaffPrincipal,
  customer: Customer,
  change: { status: string; reason: string; version: number },
) {
  await updateCustomerAudited(db, user, customer, { status: change.status }, change);
}
