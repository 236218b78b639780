import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import { insertAudited, updateAudited } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';

/** *Alerts*: set on the customer, shown on the header of every tab until cleared. Audited. */

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
