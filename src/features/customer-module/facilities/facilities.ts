import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { deleteAudited, insertAudited } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';

/** *Facilities*: circuits and lines at the customer's locations. Audited. */

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
