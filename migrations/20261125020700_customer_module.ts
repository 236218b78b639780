import type { Knex } from 'knex';
import {
  createTextIndex,
  createTextSearch,
  dropTextIndex,
  dropTextSearch,
  type TextIndex,
} from '../src/db/text-search.ts';

// The customer search index as this migration made it (20261130180000 folds accents and phone digits).
const customerSearchIndex: TextIndex = {
  name: 'customer_search',
  table: 'customers',
  columns: ['name', 'account_number', 'email', 'custom_account_id', 'phone'],
};

/** The Customer Module (D): the records its tabs keep, the access trail and the user's recently viewed list. */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (t) => {
    // Linked Accounts: a corporate account's child accounts point at it.
    t.boolean('is_corporate').notNullable().defaultTo(false);
    t.integer('parent_customer_id').nullable().references('id').inTable('customers').onDelete('SET NULL');
    t.index(['parent_customer_id', 'name']);
    // *Inventory* filters by status and by kind and pages by name: each filter walks its own index in
    // name order. The status ones replace the plain status indexes, which they cover for the counts.
    t.dropIndex(['status'], 'customers_status_index');
    t.dropIndex(['reseller_id', 'status'], 'customers_reseller_status_index');
    t.index(['status', 'name'], 'customers_status_name_index');
    t.index(['kind', 'name'], 'customers_kind_name_index');
    t.index(['reseller_id', 'status', 'name'], 'customers_reseller_status_name_index');
    t.index(['reseller_id', 'kind', 'name'], 'customers_reseller_kind_name_index');
  });
  // A status change carries the reason the user gave; other events leave it empty.
  await db.schema.alterTable('audit_events', (t) => {
    t.text('reason').nullable();
    t.index(['customer_id', 'action', 'id']);
  });
  // The search index gains the phone number (D1); the index is rebuilt from the table.
  await dropTextIndex(db, {
    ...customerSearchIndex,
    columns: customerSearchIndex.columns.filter((c) => c !== 'phone'),
  });
  await createTextIndex(db, customerSearchIndex);
  // Customers are also found by their effective external customer number: the numbers need an index too.
  await createTextSearch(db, 'external_customer_numbers', 'number');

  await db.schema.createTable('customer_access', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('path', 300).notNullable();
    t.string('at', 30).notNullable();
    t.index(['customer_id', 'id']);
    t.index(['user_id', 'id']);
  });
  await db.schema.createTable('recently_viewed', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('viewed_at', 30).notNullable();
    t.primary(['user_id', 'customer_id']);
    t.index(['user_id', 'viewed_at']);
    t.index(['customer_id']);
  });

  await db.schema.createTable('notes', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.text('body').notNullable();
    t.boolean('pinned').notNullable().defaultTo(false);
    t.integer('author_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['customer_id', 'pinned', 'id']);
    t.index(['author_user_id']);
  });
  await db.schema.createTable('letters', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('template', 40).notNullable();
    t.string('subject', 200).notNullable();
    t.text('body').notNullable();
    t.integer('author_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('created_at', 30).notNullable();
    t.index(['customer_id', 'id']);
    t.index(['author_user_id']);
  });
  await db.schema.createTable('tickets', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('subject', 200).notNullable();
    t.text('description').nullable();
    t.string('status', 20).notNullable().defaultTo('open'); // open | closed
    t.integer('assignee_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.integer('opened_by_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('closed_at', 30).nullable();
    t.index(['customer_id', 'status', 'id']);
    t.index(['assignee_user_id', 'status']);
    t.index(['opened_by_user_id']);
  });
  await db.schema.createTable('ticket_comments', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.integer('author_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.text('body').notNullable();
    t.string('created_at', 30).notNullable();
    t.index(['ticket_id', 'id']);
    t.index(['author_user_id']);
  });
  await db.schema.createTable('documents', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('filename', 255).notNullable();
    t.string('content_type', 100).notNullable();
    t.integer('size_bytes').notNullable();
    // In the database, so backups, PostgreSQL copies and several app processes need no shared disk.
    t.binary('content').notNullable();
    t.integer('uploaded_by_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('created_at', 30).notNullable();
    t.index(['customer_id', 'id']);
    t.index(['uploaded_by_user_id']);
  });
  await db.schema.createTable('facilities', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('kind', 40).notNullable();
    t.string('circuit_id', 100).nullable();
    t.integer('location_id').nullable().references('id').inTable('locations').onDelete('SET NULL');
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.index(['customer_id', 'id']);
    t.index(['location_id']);
  });
  await db.schema.createTable('alerts', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('message', 300).notNullable();
    t.integer('created_by_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('created_at', 30).notNullable();
    t.string('cleared_at', 30).nullable();
    t.integer('cleared_by_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.integer('version').notNullable().defaultTo(1);
    t.index(['customer_id', 'cleared_at', 'id']);
    t.index(['created_by_user_id']);
    t.index(['cleared_by_user_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'alerts',
    'facilities',
    'documents',
    'ticket_comments',
    'tickets',
    'letters',
    'notes',
    'recently_viewed',
    'customer_access',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
  await dropTextSearch(db, 'external_customer_numbers', 'number');
  await db.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['customer_id', 'action', 'id']);
    t.dropColumn('reason');
  });
  // SQLite rebuilds the table to drop columns, which takes the search triggers with it: rebuild them after.
  await dropTextIndex(db, customerSearchIndex);
  await db.schema.alterTable('customers', (t) => {
    for (const name of [
      'customers_status_name_index',
      'customers_kind_name_index',
      'customers_reseller_status_name_index',
      'customers_reseller_kind_name_index',
    ])
      t.dropIndex([], name);
    t.index(['status'], 'customers_status_index');
    t.index(['reseller_id', 'status'], 'customers_reseller_status_index');
    t.dropIndex(['parent_customer_id', 'name']);
    t.dropForeign(['parent_customer_id']);
    t.dropColumn('parent_customer_id');
    t.dropColumn('is_corporate');
  });
  await createTextIndex(db, {
    ...customerSearchIndex,
    columns: customerSearchIndex.columns.filter((c) => c !== 'phone'),
  });
}
