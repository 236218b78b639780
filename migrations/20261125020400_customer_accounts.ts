import type { Knex } from 'knex';
import { createTextIndex, dropTextIndex, type TextIndex } from '../src/db/text-search.ts';

// The customer search index as this migration made it (later migrations change it).
const customerSearchIndex: TextIndex = {
  name: 'customer_search',
  table: 'customers',
  columns: ['name', 'account_number', 'email', 'custom_account_id'],
};

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (t) => {
    t.string('sales_person', 100).nullable();
    t.string('branch', 100).nullable();
  });
  // Two-character searches: names starting with the term, alphabetically, for everyone and per reseller.
  await db.raw('CREATE INDEX customers_name_start ON customers (lower(substr(name, 1, 2)), name)');
  await db.raw(
    'CREATE INDEX customers_reseller_name_start ON customers (reseller_id, lower(substr(name, 1, 2)), name)',
  );
  await createTextIndex(db, customerSearchIndex);

  // The New Customer Account form, kept server-side between its steps (B2).
  await db.schema.createTable('customer_drafts', (t) => {
    t.string('id', 32).primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // The furthest step the user may open: every step before it has passed validation.
    t.integer('reached_step').notNullable().defaultTo(1);
    t.text('data').notNullable();
    // Set together with finished_at in the creating transaction; unique, so one draft makes one customer.
    t.integer('customer_id').nullable().unique().references('id').inTable('customers').onDelete('SET NULL');
    t.string('finished_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id', 'finished_at', 'expires_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('customer_drafts');
  await dropTextIndex(db, customerSearchIndex);
  await db.raw('DROP INDEX IF EXISTS customers_reseller_name_start');
  await db.raw('DROP INDEX IF EXISTS customers_name_start');
  await db.schema.alterTable('customers', (t) => {
    t.dropColumn('branch');
    t.dropColumn('sales_person');
  });
}
