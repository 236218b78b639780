import type { Knex } from 'knex';
import { createTextIndex, dropTextIndex } from '../src/db/text-search.ts';
import { phoneNumberSearchIndex } from '../src/features/numbers/numbers.ts';

/**
 * The service catalogue (service types and the settings each of their numbers has), price lists, the
 * phone number inventory, the Add Services Wizard's drafts, and the services it creates (C1–C8).
 */
export async function up(db: Knex): Promise<void> {
  // The customer's PIN (C1), kept only as a hash.
  await db.schema.alterTable('customers', (t) => {
    t.string('pin_hash', 300).nullable();
  });

  await db.schema.createTable('service_types', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable().unique();
    t.text('description').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });

  await db.schema.createTable('service_type_settings', (t) => {
    t.increments('id').primary();
    t.integer('service_type_id').notNullable().references('id').inTable('service_types').onDelete('CASCADE');
    t.string('key', 60).notNullable();
    t.string('label', 100).notNullable();
    t.string('kind', 20).notNullable(); // text | phone | email | on-off | seconds
    t.string('default_value', 200).notNullable().defaultTo('');
    t.boolean('required').notNullable().defaultTo(false);
    t.integer('position').notNullable().defaultTo(0);
    t.integer('version').notNullable().defaultTo(1);
    t.unique(['service_type_id', 'key']);
  });

  await db.schema.createTable('price_lists', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable().unique();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });

  // One price per service type and one per number grade; a missing row means "no price" (a validity error).
  await db.schema.createTable('price_list_items', (t) => {
    t.increments('id').primary();
    t.integer('price_list_id').notNullable().references('id').inTable('price_lists').onDelete('CASCADE');
    t.integer('service_type_id').nullable().references('id').inTable('service_types').onDelete('CASCADE');
    t.string('grade', 20).nullable();
    t.integer('monthly_cents').notNullable();
    t.integer('setup_cents').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.check('(service_type_id IS NULL) <> (grade IS NULL)', [], 'price_list_items_one_subject');
    t.unique(['price_list_id', 'service_type_id']);
    t.unique(['price_list_id', 'grade']);
  });

  await db.schema.createTable('wizard_drafts', (t) => {
    t.string('id', 32).primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // The furthest step the user may open: every step before it has passed validation.
    t.integer('reached_step').notNullable().defaultTo(1);
    t.text('data').notNullable();
    // Set in the creating transaction; `created_services_at` is claimed first, so creation happens once.
    t.integer('customer_id').nullable().references('id').inTable('customers').onDelete('SET NULL');
    t.string('created_services_at', 30).nullable();
    t.text('creation_log').nullable();
    t.string('finished_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id', 'finished_at', 'expires_at']);
  });

  await db.schema.createTable('services', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.integer('service_type_id').notNullable().references('id').inTable('service_types');
    t.integer('price_list_id').notNullable().references('id').inTable('price_lists');
    t.string('status', 20).notNullable().defaultTo('active');
    // Prices as they were when the service was created; a later price list change does not reprice it.
    t.integer('monthly_cents').notNullable();
    t.integer('setup_cents').notNullable();
    t.string('wizard_draft_id', 32).nullable().references('id').inTable('wizard_drafts').onDelete('SET NULL');
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['customer_id', 'id']);
    t.index(['wizard_draft_id']);
  });

  await db.schema.createTable('phone_numbers', (t) => {
    t.increments('id').primary();
    t.string('number', 20).notNullable().unique();
    t.string('prefix', 10).notNullable();
    t.string('grade', 20).notNullable();
    // NULL: the public pool; otherwise the customer whose pool the number is in.
    t.integer('pool_customer_id').nullable().references('id').inTable('customers').onDelete('SET NULL');
    t.string('status', 20).notNullable().defaultTo('available'); // available | reserved | assigned | withdrawn
    t.string('reserved_by_draft', 32).nullable().references('id').inTable('wizard_drafts').onDelete('SET NULL');
    // A reservation lapses at this time (when its draft expires); after it the number is free again.
    t.string('reserved_until', 30).nullable();
    t.integer('customer_id').nullable().references('id').inTable('customers').onDelete('SET NULL');
    // A random key given at insert: numbers in key order are a random permutation, so *random* reads a
    // window of it from a random start (uniform over matches, one index range per search).
    t.integer('shuffle_key').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    // *next available*: in number order within a pool, optionally narrowed to a grade; a prefix is a range on number.
    t.index(['pool_customer_id', 'number']);
    t.index(['pool_customer_id', 'grade', 'number']);
    // *random*: in key order within a pool, narrowed to a prefix or a grade.
    t.index(['pool_customer_id', 'shuffle_key']);
    t.index(['pool_customer_id', 'prefix', 'shuffle_key']);
    t.index(['pool_customer_id', 'grade', 'shuffle_key']);
    t.index(['prefix']);
    t.index(['reserved_by_draft']);
    t.index(['customer_id']);
  });
  // *containing* searches: any digit run of three or more, over a million numbers.
  await createTextIndex(db, phoneNumberSearchIndex);

  await db.schema.createTable('service_numbers', (t) => {
    t.increments('id').primary();
    t.integer('service_id').notNullable().references('id').inTable('services').onDelete('CASCADE');
    // Unique: a number belongs to one service, so it can never be handed to two customers.
    t.integer('phone_number_id').notNullable().unique().references('id').inTable('phone_numbers');
    t.text('settings').notNullable();
    // The number's grade price when it was assigned.
    t.integer('monthly_cents').notNullable();
    t.integer('setup_cents').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['service_id']);
  });

  // The numbers a draft has chosen, with their settings (C3, C4); the reservation itself is on phone_numbers.
  await db.schema.createTable('wizard_draft_numbers', (t) => {
    t.increments('id').primary();
    t.string('draft_id', 32).notNullable().references('id').inTable('wizard_drafts').onDelete('CASCADE');
    t.integer('phone_number_id').notNullable().references('id').inTable('phone_numbers').onDelete('CASCADE');
    t.text('settings').notNullable().defaultTo('{}');
    // Which of the draft's services (1..quantity) the number goes to.
    t.integer('service_index').notNullable().defaultTo(1);
    t.unique(['draft_id', 'phone_number_id']);
    t.index(['phone_number_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await dropTextIndex(db, phoneNumberSearchIndex);
  for (const table of [
    'wizard_draft_numbers',
    'service_numbers',
    'phone_numbers',
    'services',
    'wizard_drafts',
    'price_list_items',
    'price_lists',
    'service_type_settings',
    'service_types',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
  await db.schema.alterTable('customers', (t) => {
    t.dropColumn('pin_hash');
  });
}
