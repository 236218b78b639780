import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { HttpError } from '../../../lib/http-error.ts';
import { deleteAudited, insertAudited, updateAudited } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';

/** *Locations*: a customer always has exactly one Bill To. Every change is audited. */

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
