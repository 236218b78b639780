import type { Queryable } from '../../../db/index.ts';

/** The child accounts linked to a corporate account, by name. */
export async function childAccounts(db: Queryable, parentId: number) {
  return db('customers')
    .where({ parent_customer_id: parentId })
    .orderBy(['name', 'id'])
    .limit(500)
    .select('id', 'account_number', 'name', 'status');
}
