import type { Knex } from 'knex';

/**
 * Background work as rows, so any app process can run it and none runs it twice: scheduled payments,
 * the Autopay cycle, periodic reports, e-mail. See src/jobs/queue.ts.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('jobs', (t) => {
    t.increments('id').primary();
    t.string('kind', 60).notNullable();
    t.string('run_at', 30).notNullable();
    t.text('payload').notNullable().defaultTo('{}'); // JSON
    t.string('status', 20).notNullable().defaultTo('queued'); // queued | running | done | failed
    t.string('claimed_by', 200).nullable();
    t.string('claimed_at', 30).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    // Makes enqueueing idempotent: the same key (one scheduled run, one payment) is queued once.
    t.string('idempotency_key', 200).nullable().unique();
    t.string('created_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    t.index(['status', 'run_at', 'id']);
    t.index(['status', 'claimed_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('jobs');
}
