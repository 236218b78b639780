import type { Knex } from 'knex';
import { createChangeCounter, dropChangeCounter } from '../src/db/change-counter.ts';
import { numberPoolsCounter } from '../src/features/wizard/queries.ts';

/** Issue 19: the wizard's Numbers step keeps the list of pool owners while no number changes pool. */
export async function up(db: Knex): Promise<void> {
  await createChangeCounter(db, numberPoolsCounter);
}

export async function down(db: Knex): Promise<void> {
  await dropChangeCounter(db, numberPoolsCounter);
}
