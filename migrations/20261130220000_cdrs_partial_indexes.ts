import type { Knex } from 'knex';

/**
 * The call records' indexes each hold the calls of one state: the unbilled ones (by customer, by service),
 * which the import adds to and the bill run takes out of, and the billed ones (by invoice). Every index
 * held every call before, with `invoice_id` in its key, so billing a call moved its entry in three indexes
 * (a delete and an insert each), and importing one added an entry to an invoice index it had no place in.
 * Every query on them names the state (`invoice_id IS NULL`, or an invoice), so it reads the partial index.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('cdrs', (t) => {
    t.dropIndex([], 'cdrs_unbilled_by_customer');
    t.dropIndex([], 'cdrs_unbilled_by_service');
    t.dropIndex(['invoice_id']);
  });
  await db.schema.alterTable('cdrs', (t) => {
    t.index(['customer_id', 'started_at'], 'cdrs_unbilled_by_customer', { predicate: db.whereNull('invoice_id') });
    t.index(['service_id'], 'cdrs_unbilled_by_service', { predicate: db.whereNull('invoice_id') });
    t.index(['invoice_id'], 'cdrs_by_invoice', { predicate: db.whereNotNull('invoice_id') });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('cdrs', (t) => {
    t.dropIndex([], 'cdrs_unbilled_by_customer');
    t.dropIndex([], 'cdrs_unbilled_by_service');
    t.dropIndex([], 'cdrs_by_invoice');
  });
  await db.schema.alterTable('cdrs', (t) => {
    t.index(['customer_id', 'invoice_id', 'started_at'], 'cdrs_unbilled_by_customer');
    t.index(['service_id', 'invoice_id'], 'cdrs_unbilled_by_service');
    t.index(['invoice_id']);
  });
}
