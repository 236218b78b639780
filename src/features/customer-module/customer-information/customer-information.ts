import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { updateAudited } from '../../audit/audit.ts';

/** *Customer Information*: the core fields, and status changes with a reason. Audited; stale edits refused. */

type Customer = Pick<CustomerRow, 'id'>;

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
