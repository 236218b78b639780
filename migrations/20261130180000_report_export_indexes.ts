import type { Knex } from 'knex';

/**
 * Custom Reports at scale (B5, F5): an export sums every customer's invoices and settled payments a
 * range of customers at a time. These indexes hold every column those sums read, so each range is
 * read from the index alone, in customer order, without a lookup of each invoice or payment row.
 * They replace narrower indexes with the same leading columns, which they serve just as well.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('invoices', (t) => {
    t.index(['customer_id', 'issued_on', 'due_on', 'open_cents', 'total_cents'], 'invoices_customer_totals');
    t.dropIndex(['customer_id', 'issued_on']);
  });
  await db.schema.alterTable('payments', (t) => {
    t.index(['customer_id', 'status', 'paid_on', 'amount_cents'], 'payments_customer_settled');
    t.dropIndex(['customer_id', 'status', 'paid_on']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('payments', (t) => {
    t.index(['customer_id', 'status', 'paid_on']);
    t.dropIndex([], 'payments_customer_settled');
  });
  await db.schema.alterTable('invoices', (t) => {
    t.index(['customer_id', 'issued_on']);
    t.dropIndex([], 'invoices_customer_totals');
  });
}
