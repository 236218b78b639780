import type { Knex } from 'knex';

/** Issue 18: failed sign-ins per account and per client, shared by every app process (auth/sign-in-limits.ts). */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('sign_in_failures', (t) => {
    t.increments('id').primary();
    t.string('key', 400).notNullable();
    t.string('failed_at', 30).notNullable();
    t.index(['key', 'failed_at'], 'sign_in_failures_by_key');
    t.index(['failed_at'], 'sign_in_failures_by_time');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sign_in_failures');
}
