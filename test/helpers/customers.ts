import type { Db } from '../../src/db/index.ts';

/** The id of the demo customer with this name. */
export async function customerId(db: Db, name: string): Promise<number> {
  return (await db('customers').where({ name }).first('id')).id;
}
