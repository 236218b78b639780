import type { Queryable } from '../../../db/index.ts';

/** The customer's locations, the Bill To first. */
export async function customerLocations(db: Queryable, customerId: number) {
  return db('locations')
    .where({ customer_id: customerId })
    .orderBy([{ column: 'is_bill_to', order: 'desc' }, { column: 'id' }])
    .limit(200);
}

/** The customer's locations to choose from in a form (e.g. where a facility is). */
export async function locationChoices(db: Queryable, customerId: number) {
  return db('locations').where({ customer_id: customerId }).orderBy('id').limit(200).select('id', 'label', 'line1');
}
