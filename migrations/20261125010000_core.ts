import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('resellers', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable().unique();
    t.string('created_at', 30).notNullable();
  });

  await db.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('email', 320).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('password_hash', 300).notNullable();
    t.string('role', 20).notNullable();
    t.integer('reseller_id').nullable().references('id').inTable('resellers');
    t.string('landing_tab', 40).notNullable().defaultTo('account-summary');
    t.string('disabled_at', 30).nullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.index(['reseller_id']);
  });

  await db.schema.createTable('sessions', (t) => {
    t.string('sid', 128).primary();
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('data').notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });

  await db.schema.createTable('settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
  });

  await db.schema.createTable('institutions', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    // Name folded for search and duplicate detection: lower case, punctuation and spacing removed.
    t.string('name_key', 200).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.index(['name_key']);
  });

  await db.schema.createTable('groups', (t) => {
    t.increments('id').primary();
    t.integer('institution_id').nullable().references('id').inTable('institutions');
    t.string('name', 200).notNullable();
    t.string('name_key', 200).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.index(['name_key']);
    t.index(['institution_id']);
  });

  await db.schema.createTable('customers', (t) => {
    t.increments('id').primary();
    t.string('account_number', 20).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('kind', 20).notNullable(); // business | personal
    t.string('status', 20).notNullable().defaultTo('active');
    t.integer('reseller_id').notNullable().references('id').inTable('resellers');
    t.integer('institution_id').nullable().references('id').inTable('institutions');
    t.integer('group_id').nullable().references('id').inTable('groups');
    t.string('custom_account_id', 64).nullable();
    t.string('email', 320).nullable();
    t.string('phone', 40).nullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['reseller_id', 'custom_account_id']);
    t.index(['reseller_id', 'name']);
    t.index(['name']);
    t.index(['institution_id']);
    t.index(['group_id']);
  });

  await db.schema.createTable('audit_events', (t) => {
    t.increments('id').primary();
    t.string('entity', 60).notNullable();
    t.integer('entity_id').notNullable();
    // The customer the change belongs to, so a customer's whole history is one indexed lookup.
    t.integer('customer_id').nullable();
    t.string('action', 20).notNullable(); // create | update | delete | status
    t.string('field', 100).nullable();
    t.text('old_value').nullable();
    t.text('new_value').nullable();
    t.integer('actor_user_id').nullable().references('id').inTable('users');
    t.string('acting_as', 200).nullable();
    t.string('at', 30).notNullable();
    t.index(['entity', 'entity_id', 'id']);
    t.index(['customer_id', 'id']);
    t.index(['actor_user_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'audit_events',
    'customers',
    'groups',
    'institutions',
    'settings',
    'sessions',
    'users',
    'resellers',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
}
