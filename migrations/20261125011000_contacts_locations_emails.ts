import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('locations', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('label', 100).notNullable().defaultTo('Main');
    t.string('line1', 200).notNullable();
    t.string('line2', 200).nullable();
    t.string('city', 100).notNullable();
    t.string('region', 100).nullable();
    t.string('postal_code', 20).notNullable();
    t.string('country', 2).notNullable().defaultTo('US');
    t.boolean('is_bill_to').notNullable().defaultTo(false);
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.index(['customer_id']);
  });

  await db.schema.createTable('contacts', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('email', 320).nullable();
    t.string('phone', 40).nullable();
    // Portal sign-in (the customer's administrative user and other portal users).
    t.string('login', 100).nullable().unique();
    t.string('password_hash', 300).nullable();
    t.string('access_level', 40).notNullable().defaultTo('full'); // contact profile; refined by the portal issue
    t.boolean('is_billing_contact').notNullable().defaultTo(false);
    t.string('access_revoked_at', 30).nullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.index(['customer_id']);
    t.index(['email']);
  });

  // Outgoing e-mail: an outbox the sender job drains, and the history shown per customer and contact.
  await db.schema.createTable('emails', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').nullable().references('id').inTable('customers').onDelete('SET NULL');
    t.integer('contact_id').nullable().references('id').inTable('contacts').onDelete('SET NULL');
    t.string('to_address', 320).notNullable();
    t.string('subject', 300).notNullable();
    t.text('body').notNullable();
    t.string('template', 60).notNullable();
    t.string('status', 20).notNullable().defaultTo('queued'); // queued | sent | failed
    t.text('error').nullable();
    t.string('created_at', 30).notNullable();
    t.string('sent_at', 30).nullable();
    t.index(['status', 'id']);
    t.index(['customer_id', 'id']);
    t.index(['contact_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('emails');
  await db.schema.dropTableIfExists('contacts');
  await db.schema.dropTableIfExists('locations');
}
