import type { Knex } from 'knex';
import { createChangeCounter, dropChangeCounter } from '../src/db/change-counter.ts';
import { organisationsCounter } from '../src/features/institutions/queries.ts';

/** Issue 19: the External Customer Numbers page keeps its duplicate-name counts while no institution or group changes. */
export async function up(db: Knex): Promise<void> {
  await createChangeCounter(db, organisationsCounter);
}

export async function down(db: Knex): Promise<void> {
  await dropChangeCounter(db, organisationsCounter);
}
