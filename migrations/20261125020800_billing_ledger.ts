import type { Knex } from 'knex';

/**
 * The billing ledger. Entries are append-only: invoices, payments, applications, credits, credit
 * applications and refunds are never edited or deleted. Two running balances (invoices.open_cents,
 * credits.remaining_cents) are kept in the same transaction as the entries that change them, and CHECK
 * constraints make a negative balance impossible even if code were wrong.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('invoices', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('number', 20).notNullable().unique();
    t.string('issued_on', 10).notNullable();
    t.string('due_on', 10).notNullable();
    t.string('po_number', 60).nullable();
    t.string('memo', 500).nullable();
    t.integer('total_cents').notNullable();
    t.integer('open_cents').notNullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.check(
      '?? > 0 and ?? >= 0 and ?? <= ??',
      ['total_cents', 'open_cents', 'open_cents', 'total_cents'],
      'invoices_balance_in_range',
    );
    t.index(['customer_id', 'issued_on']);
  });
  // Open invoices per customer, oldest due first: balance, open-invoice lists and the customers filter.
  await db.schema.alterTable('invoices', (t) => {
    t.index(['customer_id', 'due_on'], 'invoices_open_by_customer', { predicate: db.whereRaw('open_cents > 0') });
  });

  await db.schema.createTable('invoice_lines', (t) => {
    t.increments('id').primary();
    t.integer('invoice_id').notNullable().references('id').inTable('invoices');
    t.integer('position').notNullable();
    t.string('description', 300).notNullable();
    t.integer('quantity').notNullable();
    t.integer('unit_cents').notNullable();
    t.integer('amount_cents').notNullable();
    t.unique(['invoice_id', 'position']);
  });

  await db.schema.createTable('payment_methods', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('kind', 10).notNullable(); // card | ach
    t.string('friendly_name', 100).notNullable();
    // Only what the gateway hands back: never the card or account number.
    t.string('gateway_token', 100).notNullable().unique();
    t.string('brand', 40).notNullable(); // Visa … or the bank account type
    t.string('last4', 4).notNullable();
    t.integer('exp_month').nullable();
    t.integer('exp_year').nullable();
    t.string('holder_name', 200).notNullable();
    t.string('address_line1', 200).nullable();
    t.string('city', 100).nullable();
    t.string('region', 100).nullable();
    t.string('postal_code', 20).nullable();
    t.string('country', 2).nullable();
    t.integer('authorised_by').nullable().references('id').inTable('users');
    t.string('authorised_at', 30).notNullable();
    // EDIT re-enters everything and replaces the method; the old row is kept for the payments that used it.
    t.integer('replaced_by_id').nullable().references('id').inTable('payment_methods');
    t.string('removed_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.index(['customer_id']);
  });

  await db.schema.createTable('payments', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.integer('amount_cents').notNullable();
    t.string('method', 10).notNullable(); // card | ach | check
    t.integer('payment_method_id').nullable().references('id').inTable('payment_methods');
    t.string('reference', 60).nullable(); // e.g. the paper check's number
    t.string('status', 12).notNullable(); // pending | scheduled | settled | failed | cancelled
    t.string('source', 12).notNullable(); // manual | portal | autopay | external
    t.string('paid_on', 10).notNullable(); // the transaction date (or the date it is scheduled for)
    t.string('idempotency_key', 64).notNullable().unique();
    t.string('gateway_ref', 100).nullable();
    t.string('submitted_at', 30).nullable();
    t.string('settled_at', 30).nullable();
    t.string('failure_reason', 300).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.check('?? > 0', ['amount_cents'], 'payments_amount_positive');
    t.index(['customer_id', 'id']);
    t.index(['status', 'paid_on']);
    t.index(['customer_id', 'status', 'paid_on']);
    t.index(['reference']);
  });

  // Which invoices a payment pays, fixed when it is made. They count against an invoice's open balance
  // once the payment settles, and against what may still be paid while it is pending or scheduled.
  await db.schema.createTable('payment_applications', (t) => {
    t.increments('id').primary();
    t.integer('payment_id').notNullable().references('id').inTable('payments');
    t.integer('invoice_id').notNullable().references('id').inTable('invoices');
    t.integer('amount_cents').notNullable();
    t.check('?? > 0', ['amount_cents'], 'payment_applications_amount_positive');
    t.unique(['payment_id', 'invoice_id']);
    t.index(['invoice_id']);
  });

  await db.schema.createTable('credits', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('kind', 10).notNullable(); // memo | unapplied
    t.integer('amount_cents').notNullable();
    t.integer('remaining_cents').notNullable();
    // An unapplied payment's credit is the remainder of exactly one payment.
    t.integer('payment_id').nullable().unique().references('id').inTable('payments');
    t.string('reason', 300).nullable();
    t.string('idempotency_key', 64).nullable().unique();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.check(
      '?? > 0 and ?? >= 0 and ?? <= ??',
      ['amount_cents', 'remaining_cents', 'remaining_cents', 'amount_cents'],
      'credits_remaining_in_range',
    );
    t.index(['customer_id', 'kind']);
  });

  await db.schema.createTable('credit_applications', (t) => {
    t.increments('id').primary();
    t.integer('credit_id').notNullable().references('id').inTable('credits');
    t.integer('invoice_id').notNullable().references('id').inTable('invoices');
    t.integer('amount_cents').notNullable();
    // The user action that applied it: the same action submitted twice cannot apply twice.
    t.string('idempotency_key', 64).notNullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.check('?? > 0', ['amount_cents'], 'credit_applications_amount_positive');
    t.unique(['idempotency_key', 'credit_id', 'invoice_id']);
    t.index(['credit_id']);
    t.index(['invoice_id']);
  });

  await db.schema.createTable('refunds', (t) => {
    t.increments('id').primary();
    t.integer('credit_id').notNullable().references('id').inTable('credits');
    t.integer('amount_cents').notNullable();
    t.string('reason', 300).nullable();
    t.string('idempotency_key', 64).notNullable().unique();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.check('?? > 0', ['amount_cents'], 'refunds_amount_positive');
    t.index(['credit_id']);
  });

  // E-mail history per invoice and per payment (invoice notifications, receipts).
  await db.schema.alterTable('emails', (t) => {
    t.integer('invoice_id').nullable().references('id').inTable('invoices');
    t.integer('payment_id').nullable().references('id').inTable('payments');
    t.index(['invoice_id']);
    t.index(['payment_id']);
  });

  // Contacts by the start of their name or e-mail (global search), through an index on SQLite and PostgreSQL alike.
  await db.raw('CREATE INDEX contacts_name_lower ON contacts (lower(name))');
  await db.raw('CREATE INDEX contacts_email_lower ON contacts (lower(email))');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS contacts_email_lower');
  await db.raw('DROP INDEX IF EXISTS contacts_name_lower');
  await db.schema.alterTable('emails', (t) => {
    t.dropIndex(['invoice_id']);
    t.dropIndex(['payment_id']);
    t.dropForeign(['invoice_id']);
    t.dropForeign(['payment_id']);
    t.dropColumn('invoice_id');
    t.dropColumn('payment_id');
  });
  for (const table of [
    'refunds',
    'credit_applications',
    'credits',
    'payment_applications',
    'payments',
    'payment_methods',
    'invoice_lines',
    'invoices',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
}
