import type { Knex } from 'knex';
import { createChangeCounter, dropChangeCounter } from '../src/db/change-counter.ts';
import { signedInCounter } from '../src/plugins/session-store.ts';

/** Issue 19: sessions and their users kept per process while nothing changed them (src/db/change-counter.ts). */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('change_counters', (t) => {
    t.string('name', 100).primary();
    t.bigInteger('value').notNullable();
  });
  await createChangeCounter(db, signedInCounter);
}

export async function down(db: Knex): Promise<void> {
  await dropChangeCounter(db, signedInCounter);
  await db.schema.dropTable('change_counters');
}
