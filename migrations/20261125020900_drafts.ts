import type { Knex } from 'knex';
import { renameTable } from '../src/db/dialect.ts';

/** The columns both kinds of draft had, in their own tables. */
const sharedColumns = [
  'id',
  'user_id',
  'reached_step',
  'data',
  'customer_id',
  'finished_at',
  'created_at',
  'updated_at',
  'expires_at',
];

/**
 * One table for every step-by-step form kept between its steps: the Add Services Wizard's drafts and New
 * Customer Account's, told apart by `kind`. The wizard's table becomes `drafts` by a rename, so the
 * foreign keys pointing at it (services.wizard_draft_id, phone_numbers.reserved_by_draft,
 * wizard_draft_numbers.draft_id) follow it on both databases without rebuilding those tables; New
 * Customer Account's rows move in. `created_services_at` and `creation_log` stay the wizard's own.
 */
export async function up(db: Knex): Promise<void> {
  await renameTable(db, 'wizard_drafts', 'drafts');
  await db.schema.alterTable('drafts', (t) => {
    t.dropIndex(['user_id', 'finished_at', 'expires_at'], 'wizard_drafts_user_id_finished_at_expires_at_index');
    // The rows already here are the wizard's; every insert names its kind.
    t.string('kind', 20).notNullable().defaultTo('add-services');
    t.integer('version').notNullable().defaultTo(1);
    t.index(['user_id', 'kind', 'expires_at']);
  });
  // One New Customer Account draft makes one customer (the wizard's drafts may add to the same one).
  await db.raw(
    "CREATE UNIQUE INDEX drafts_new_customer_customer_id_unique ON drafts (customer_id) WHERE kind = 'new-customer'",
  );
  await db.raw(
    `INSERT INTO drafts (kind, ${sharedColumns.join(', ')}) SELECT 'new-customer', ${sharedColumns.join(', ')} FROM customer_drafts`,
  );
  await db.schema.dropTable('customer_drafts');
}

export async function down(db: Knex): Promise<void> {
  await db.schema.createTable('customer_drafts', (t) => {
    t.string('id', 32).primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('reached_step').notNullable().defaultTo(1);
    t.text('data').notNullable();
    t.integer('customer_id').nullable().unique().references('id').inTable('customers').onDelete('SET NULL');
    t.string('finished_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id', 'finished_at', 'expires_at']);
  });
  await db.raw(
    `INSERT INTO customer_drafts (${sharedColumns.join(', ')}) SELECT ${sharedColumns.join(', ')} FROM drafts WHERE kind = 'new-customer'`,
  );
  await db('drafts').where({ kind: 'new-customer' }).delete();
  await db.raw('DROP INDEX drafts_new_customer_customer_id_unique');
  await db.schema.alterTable('drafts', (t) => {
    t.dropIndex(['user_id', 'kind', 'expires_at']);
  });
  // Plain DROP COLUMN on both databases: Knex would rebuild the table on SQLite, and dropping the old
  // table would set the foreign keys pointing at it to null.
  await db.raw('ALTER TABLE drafts DROP COLUMN kind');
  await db.raw('ALTER TABLE drafts DROP COLUMN version');
  await renameTable(db, 'drafts', 'wizard_drafts');
  await db.schema.alterTable('wizard_drafts', (t) => {
    t.index(['user_id', 'finished_at', 'expires_at']);
  });
}
