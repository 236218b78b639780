import type { Knex } from 'knex';
import { insertGenerated } from './batch.ts';
import type { LargeSeedOptions } from './types.ts';

/** The customer the Customer Module benchmark opens: the first demo customer, seen by admin and Northwind. */
export const HEAVY_CUSTOMER_NAME = 'Acme Plumbing Ltd';

const ENTITIES = ['customers', 'notes', 'tickets', 'documents', 'locations'];
const FIELDS = ['name', 'email', 'phone', 'status', 'body', 'pinned', 'subject', 'assignee_user_id'];

/**
 * One customer with a long history (D, performance): 1,000 notes, 500 documents, 10,000 audit events,
 * 2,000 access trail rows, so opening it shows whether every list on its tabs is bounded and indexed.
 */
export async function generate(db: Knex, { random }: LargeSeedOptions): Promise<void> {
  const customer = (await db('customers').where({ name: HEAVY_CUSTOMER_NAME }).first('id')).id as number;
  const users: number[] = (await db('users').select('id')).map((u) => u.id);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const start = Date.parse('2024-01-01T00:00:00Z');
  const at = (i: number, count: number) => new Date(start + Math.floor((i / count) * 700 * 86_400_000)).toISOString();

  await insertGenerated(db, 'notes', 1000, (i) => ({
    customer_id: customer,
    body: `Call ${i}: discussed the account, ${pick(['billing', 'an outage', 'a new line', 'a move', 'a price change'])}. Follow up next week.`,
    pinned: i % 250 === 0,
    author_user_id: pick(users),
    created_at: at(i, 1000),
    updated_at: at(i, 1000),
  }));
  const content = Buffer.alloc(2048, 7);
  await insertGenerated(
    db,
    'documents',
    500,
    (i) => ({
      customer_id: customer,
      filename: `document-${i}.pdf`,
      content_type: 'application/pdf',
      size_bytes: content.length,
      content,
      uploaded_by_user_id: pick(users),
      created_at: at(i, 500),
    }),
    { rowsPerStatement: 100 },
  );
  await insertGenerated(db, 'audit_events', 10_000, (i) => {
    const field = pick(FIELDS);
    return {
      entity: pick(ENTITIES),
      entity_id: customer,
      customer_id: customer,
      action: field === 'status' ? 'status' : 'update',
      field,
      old_value: `old ${i}`,
      new_value: `new ${i}`,
      reason: field === 'status' ? 'Benchmark status change' : null,
      actor_user_id: pick(users),
      at: at(i, 10_000),
    };
  });
  await insertGenerated(db, 'customer_access', 2000, (i) => ({
    customer_id: customer,
    user_id: pick(users),
    path: `/customers/${customer}/account-summary`,
    at: at(i, 2000),
  }));
}
