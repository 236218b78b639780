import type { Knex } from 'knex';

/**
 * The bill run (D4, D6, F1): usage rates per price list, imported call records (unbilled until an
 * invoice takes them), tax rates and exemptions, commission plans and what they accrued, and the bill
 * runs with their progress and problems. `billed_periods` makes billing a customer's period twice
 * impossible; `cdrs.call_id` makes importing a call twice impossible.
 */
export async function up(db: Knex): Promise<void> {
  // The last day a service is active, for pro-rating a month it ends in; null while it runs on.
  await db.schema.alterTable('services', (t) => {
    t.string('ended_on', 10).nullable();
  });

  await db.schema.createTable('usage_rates', (t) => {
    t.increments('id').primary();
    t.integer('price_list_id').notNullable().references('id').inTable('price_lists').onDelete('CASCADE');
    t.string('prefix', 20).notNullable();
    t.integer('per_minute_millicents').notNullable();
    t.integer('minimum_seconds').notNullable();
    t.integer('increment_seconds').notNullable();
    t.string('created_at', 30).notNullable();
    t.unique(['price_list_id', 'prefix']);
  });

  await db.schema.createTable('cdr_imports', (t) => {
    t.increments('id').primary();
    t.string('filename', 200).notNullable();
    t.string('status', 10).notNullable(); // running | done | failed
    t.integer('rows_read').notNullable().defaultTo(0);
    t.integer('rows_imported').notNullable().defaultTo(0);
    t.integer('duplicates').notNullable().defaultTo(0);
    t.integer('bad_rows').notNullable().defaultTo(0);
    // The first bad rows with their line numbers and reasons, as JSON.
    t.text('bad_row_detail').notNullable().defaultTo('[]');
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
  });

  await db.schema.createTable('cdrs', (t) => {
    t.increments('id').primary();
    t.string('call_id', 100).notNullable().unique();
    t.integer('import_id').notNullable().references('id').inTable('cdr_imports');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.integer('service_id').notNullable().references('id').inTable('services');
    t.string('number', 20).notNullable();
    t.string('destination', 20).notNullable();
    t.string('started_at', 30).notNullable();
    t.integer('duration_seconds').notNullable();
    // Null until a usage rate is found for the destination (then the bill run rates it again).
    t.integer('billed_seconds').nullable();
    t.integer('rated_cents').nullable();
    t.integer('invoice_id').nullable().references('id').inTable('invoices');
    t.index(['customer_id', 'invoice_id', 'started_at'], 'cdrs_unbilled_by_customer');
    t.index(['service_id', 'invoice_id'], 'cdrs_unbilled_by_service');
    t.index(['invoice_id']);
    t.index(['import_id']);
  });

  await db.schema.createTable('tax_rates', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable();
    t.string('country', 2).notNullable();
    t.string('region', 100).nullable();
    t.string('city', 100).nullable();
    t.string('charge_kind', 10).notNullable(); // recurring | usage | setup
    t.integer('rate_millipercent').notNullable();
    t.string('created_at', 30).notNullable();
    t.index(['country', 'region', 'city']);
  });

  await db.schema.createTable('tax_exemptions', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('certificate_ref', 60).notNullable();
    t.string('expires_on', 10).notNullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['customer_id', 'expires_on']);
  });

  await db.schema.createTable('commission_plans', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable().unique();
    t.string('payee_kind', 20).notNullable(); // sales_person | reseller
    t.integer('recurring_bp').notNullable();
    t.integer('usage_bp').notNullable();
    t.integer('setup_bp').notNullable();
    t.string('created_at', 30).notNullable();
  });

  await db.schema.createTable('bill_runs', (t) => {
    t.increments('id').primary();
    t.string('period', 7).notNullable();
    t.string('status', 10).notNullable(); // running | done | failed
    t.integer('customers_total').notNullable().defaultTo(0);
    t.integer('customers_done').notNullable().defaultTo(0);
    t.integer('invoices_made').notNullable().defaultTo(0);
    t.integer('errors_count').notNullable().defaultTo(0);
    t.bigInteger('total_cents').notNullable().defaultTo(0);
    t.string('failure', 500).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    // Written with every chunk: a running row that stops moving belonged to a process that died.
    t.string('updated_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    t.index(['period', 'status']);
  });

  await db.schema.createTable('bill_run_problems', (t) => {
    t.increments('id').primary();
    t.integer('bill_run_id').notNullable().references('id').inTable('bill_runs').onDelete('CASCADE');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('kind', 20).notNullable();
    t.string('message', 500).notNullable();
    t.string('fix_href', 300).notNullable();
    t.string('fix_label', 100).notNullable();
    t.index(['bill_run_id', 'id']);
  });

  await db.schema.createTable('billed_periods', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('period', 7).notNullable();
    t.integer('bill_run_id').notNullable().references('id').inTable('bill_runs');
    t.integer('invoice_id').notNullable().references('id').inTable('invoices');
    t.unique(['customer_id', 'period']);
    t.index(['bill_run_id']);
    t.index(['invoice_id']);
  });

  await db.schema.createTable('commission_accruals', (t) => {
    t.increments('id').primary();
    t.integer('invoice_id').notNullable().references('id').inTable('invoices');
    t.integer('plan_id').notNullable().references('id').inTable('commission_plans');
    t.string('period', 7).notNullable();
    t.string('payee_kind', 20).notNullable();
    t.string('payee', 100).notNullable();
    t.integer('base_cents').notNullable();
    t.integer('amount_cents').notNullable();
    t.string('created_at', 30).notNullable();
    t.unique(['invoice_id', 'plan_id']);
    t.index(['period', 'payee_kind', 'payee']);
    t.index(['plan_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'commission_accruals',
    'billed_periods',
    'bill_run_problems',
    'bill_runs',
    'commission_plans',
    'tax_exemptions',
    'tax_rates',
    'cdrs',
    'cdr_imports',
    'usage_rates',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
  await db.schema.alterTable('services', (t) => {
    t.dropColumn('ended_on');
  });
}
