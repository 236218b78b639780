import type { Knex } from 'knex';

/**
 * Autopay (E12): each customer's configurations in precedence order. The rows of a configuration
 * ("amount greater than 250", "age at least 15") are kept as one JSON text column: they are always read,
 * written and audited together, and the engine is the only thing that interprets them.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('autopay_configurations', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.integer('payment_method_id').notNullable().references('id').inTable('payment_methods');
    // Precedence: the lowest position is tried first.
    t.integer('position').notNullable();
    t.text('conditions').notNullable();
    t.boolean('locked').notNullable().defaultTo(false);
    t.boolean('disabled').notNullable().defaultTo(false);
    t.integer('version').notNullable().defaultTo(1);
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    // The page lists and the cycle reads a customer's configurations in this order.
    t.index(['customer_id', 'position']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('autopay_configurations');
}
