import type { Knex } from 'knex';
import { inventoryRow } from '../../src/features/numbers/numbers.ts';
import { insertGenerated } from './batch.ts';
import type { LargeSeedOptions } from './types.ts';

/** 100 blocks of 10,000 numbers (Sheffield 0114 100…199), none shared with the demo blocks. */
export const LARGE_PREFIXES = Array.from({ length: 100 }, (_, i) => `0114${100 + i}`);
const PER_PREFIX = 10_000;

/**
 * A million inventory numbers. Each block is handed out from the bottom, as *next available* does, so
 * a random share of its lowest numbers is assigned; 1 in 200 numbers sits in a customer's pool. Also an
 * open wizard draft of the admin's (Hosted Voice chosen), whose Numbers tab the benchmark searches.
 */
export async function generate(db: Knex, { customers, random }: LargeSeedOptions): Promise<void> {
  const now = new Date().toISOString();
  const assignedBelow = LARGE_PREFIXES.map(() => Math.floor(random() * 0.6 * PER_PREFIX));
  const { maxId } = (await db('customers').max({ maxId: 'id' }).first()) as { maxId: number };
  await insertGenerated(db, 'phone_numbers', LARGE_PREFIXES.length * PER_PREFIX, (i) => {
    const block = Math.floor(i / PER_PREFIX);
    const number = LARGE_PREFIXES[block] + String(i % PER_PREFIX).padStart(4, '0');
    const assigned = i % PER_PREFIX < assignedBelow[block];
    const pooled = !assigned && random() < 0.005;
    return {
      ...inventoryRow(number, {
        poolCustomerId: pooled ? 1 + Math.floor(random() * Math.min(customers, Number(maxId))) : null,
        now,
        random,
      }),
      status: assigned ? 'assigned' : 'available',
      customer_id: assigned ? 1 + Math.floor(random() * Number(maxId)) : null,
    };
  });

  const admin = await db('users').where({ email: 'admin@example.com' }).first('id');
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first('id');
  const expires = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000).toISOString();
  await db('drafts').insert({
    id: 'benchmark-numbers-draft',
    kind: 'add-services',
    user_id: admin.id,
    reached_step: 3,
    data: JSON.stringify({
      customer_mode: 'existing',
      account_number: 'LD0000001',
      service_type_id: String(hosted.id),
    }),
    created_at: now,
    updated_at: now,
    expires_at: expires,
  });
}
