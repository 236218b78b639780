import type { Queryable } from '../../../db/index.ts';

/** The customer's facilities with the location each is at. */
export async function customerFacilities(db: Queryable, customerId: number) {
  return db('facilities as f')
    .leftJoin('locations as l', 'l.id', 'f.location_id')
    .where('f.customer_id', customerId)
    .orderBy('f.id')
    .limit(500)
    .select('f.id', 'f.name', 'f.kind', 'f.circuit_id', 'l.label as location_label', 'f.created_at');
}
