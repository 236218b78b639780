import type { Knex } from 'knex';

/**
 * Security Deposits (D4): money received through the ledger as a payment that is held, not applied;
 * later applied to an invoice or refunded, each once per user action. `held_cents` is kept in the same
 * transaction as the entries that change it, and a CHECK keeps it within 0..amount.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('security_deposits', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    // The payment it was received as: one deposit per payment, and the payment's key is the action's key.
    t.integer('payment_id').notNullable().unique().references('id').inTable('payments');
    t.integer('amount_cents').notNullable();
    t.integer('held_cents').notNullable();
    t.string('reason', 300).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.check(
      '?? > 0 and ?? >= 0 and ?? <= ??',
      ['amount_cents', 'held_cents', 'held_cents', 'amount_cents'],
      'security_deposits_held_in_range',
    );
    t.index(['customer_id', 'id']);
  });

  await db.schema.createTable('security_deposit_entries', (t) => {
    t.increments('id').primary();
    t.integer('deposit_id').notNullable().references('id').inTable('security_deposits');
    t.string('kind', 10).notNullable(); // applied | refunded
    t.integer('invoice_id').nullable().references('id').inTable('invoices');
    t.integer('amount_cents').notNullable();
    t.string('reason', 300).nullable();
    t.string('idempotency_key', 64).notNullable().unique();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.check('?? > 0', ['amount_cents'], 'security_deposit_entries_amount_positive');
    t.index(['deposit_id', 'id']);
    t.index(['invoice_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('security_deposit_entries');
  await db.schema.dropTableIfExists('security_deposits');
}
