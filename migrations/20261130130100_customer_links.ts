import type { Knex } from 'knex';

/**
 * E2: the customer's linked entities in other systems (the accounting customer, the payment gateway's
 * customer), shown as chips; a missing link shows as a warning chip. A table of its own so the wide
 * customers table is not rebuilt.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('customer_links', (t) => {
    t.integer('customer_id').primary().references('id').inTable('customers').onDelete('CASCADE');
    t.string('accounting_customer_ref', 100).nullable();
    t.string('gateway_customer_ref', 100).nullable();
    t.integer('version').notNullable().defaultTo(1);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('customer_links');
}
