import type { Knex } from 'knex';
import { seededRandom } from '../src/lib/seeded-random.ts';

/**
 * `count` customer ids drawn at random (the same ones every run) from all the customers: pages of random
 * customers read mostly cold rows, as a busy office does, where one customer's page would stay in cache.
 */
export async function randomCustomerIds(db: Knex, count = 5000): Promise<number[]> {
  const random = seededRandom(19);
  const { maxId } = (await db('customers').max({ maxId: 'id' }).first()) as { maxId: number };
  return Array.from({ length: count }, () => 1 + Math.floor(random() * Number(maxId)));
}
