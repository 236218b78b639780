import type { Knex } from 'knex';

/**
 * Custom Reports (B5): a report's settings, its runs, and each run's CSV kept in the database in chunks
 * (so any app process can serve the download, and no process holds a whole file in memory).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('reports', (t) => {
    t.increments('id').primary();
    // The reseller whose customers the report covers; NULL: every reseller's (admins only).
    t.integer('reseller_id').nullable().references('id').inTable('resellers');
    t.string('name', 100).notNullable();
    t.string('schedule', 12).notNullable(); // on-demand | daily | weekly | monthly
    t.integer('weekday').nullable(); // weekly: 0 (Sunday) … 6
    t.integer('month_day').nullable(); // monthly: 1 … 28
    t.string('period', 12).notNullable(); // last-day | last-week | last-month | range
    t.string('range_from', 10).nullable();
    t.string('range_to', 10).nullable();
    t.text('filters').notNullable(); // JSON: status, kind, open invoices, past-due invoices
    t.text('fields').notNullable(); // JSON: the selected field keys, in column order
    t.string('recipients', 1000).notNullable().defaultTo('');
    // Periodic reports: when the next run is due; the scheduler moves it on as it claims the run.
    t.string('next_run_at', 30).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.integer('updated_by').nullable().references('id').inTable('users');
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['reseller_id', 'id']);
    t.index(['next_run_at']);
  });

  await db.schema.createTable('report_runs', (t) => {
    t.increments('id').primary();
    t.integer('report_id').notNullable().references('id').inTable('reports').onDelete('CASCADE');
    // The schedule tick the run is for; unique so two processes can never run one tick twice.
    t.string('due_at', 30).notNullable();
    t.string('period_from', 10).nullable();
    t.string('period_to', 10).nullable();
    t.string('status', 10).notNullable(); // queued | running | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('row_count').nullable();
    t.integer('size_bytes').nullable();
    t.integer('duration_ms').nullable();
    t.string('error', 1000).nullable();
    t.string('started_at', 30).nullable();
    t.string('finished_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.unique(['report_id', 'due_at']);
    t.index(['report_id', 'id']);
  });

  await db.schema.createTable('report_run_chunks', (t) => {
    t.integer('run_id').notNullable().references('id').inTable('report_runs').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.binary('content').notNullable();
    t.primary(['run_id', 'seq']);
  });

  // The receivables dashboard's figures per scope ('all', 'reseller:<id>'), refreshed by a job, so the
  // home page reads one row instead of summing millions of invoices.
  await db.schema.createTable('receivables_snapshots', (t) => {
    t.string('scope', 40).primary();
    t.string('computed_at', 30).notNullable();
    t.text('data').notNullable();
  });

  // A report reads one reseller's customers in id order, a batch at a time.
  await db.schema.alterTable('customers', (t) => {
    t.index(['reseller_id', 'id'], 'customers_reseller_id_order');
  });
  // The receivables dashboard: open balance by due date (all resellers), read from the index alone,
  // and settled payments per day.
  await db.schema.alterTable('invoices', (t) => {
    t.index(['due_on', 'open_cents'], 'invoices_open_by_due_on', { predicate: db.whereRaw('open_cents > 0') });
  });
  await db.schema.alterTable('payments', (t) => {
    t.index(['paid_on', 'status', 'customer_id', 'amount_cents'], 'payments_by_paid_on');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('payments', (t) => {
    t.dropIndex([], 'payments_by_paid_on');
  });
  await db.schema.alterTable('invoices', (t) => {
    t.dropIndex([], 'invoices_open_by_due_on');
  });
  await db.schema.alterTable('customers', (t) => {
    t.dropIndex([], 'customers_reseller_id_order');
  });
  await db.schema.dropTable('receivables_snapshots');
  await db.schema.dropTable('report_run_chunks');
  await db.schema.dropTable('report_runs');
  await db.schema.dropTable('reports');
}
