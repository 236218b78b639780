import type { Knex } from 'knex';

/**
 * The external billing file (A7): which institutions and groups bill externally, and the files made per
 * billing period with their exact content. Ledger tables are read, never written; the one index added to
 * `invoices` lets a period's charges be found by issue date.
 */
export async function up(db: Knex): Promise<void> {
  // Everyone at an institution or in a group is billed through its finance department unless an admin
  // says otherwise (the provider's own institution, say): a missing number is then a billing error, not
  // a charge silently left out of the file.
  for (const table of ['institutions', 'groups']) {
    await db.schema.alterTable(table, (t) => {
      t.boolean('bills_externally').notNullable().defaultTo(true);
    });
  }
  await db.schema.alterTable('invoices', (t) => {
    t.index(['issued_on', 'customer_id'], 'invoices_issued_on_customer');
  });

  await db.schema.createTable('billing_files', (t) => {
    t.increments('id').primary();
    t.string('period', 7).notNullable(); // YYYY-MM
    t.string('status', 10).notNullable(); // generating | draft | final
    // The highest invoice line id when the file was made: a line added later belongs to a later file.
    t.integer('through_line_id').notNullable();
    t.integer('row_count').notNullable().defaultTo(0);
    t.bigInteger('total_cents').notNullable().defaultTo(0);
    t.bigInteger('byte_size').notNullable().defaultTo(0);
    t.string('checksum', 64).nullable(); // sha256, hex
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.integer('finalized_by').nullable().references('id').inTable('users');
    t.string('finalized_at', 30).nullable();
    t.index(['period', 'id']);
  });
  await db.schema.alterTable('billing_files', (t) => {
    t.unique(['period'], {
      indexName: 'billing_files_one_final_per_period',
      predicate: db.whereRaw("status = 'final'"),
    });
  });
  // The file's bytes in order, a part at a time, so neither writing nor downloading holds it in memory.
  await db.schema.createTable('billing_file_parts', (t) => {
    t.integer('file_id').notNullable().references('id').inTable('billing_files').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('content').notNullable();
    t.primary(['file_id', 'seq']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('billing_file_parts');
  await db.schema.dropTableIfExists('billing_files');
  await db.schema.alterTable('invoices', (t) => {
    t.dropIndex(['issued_on', 'customer_id'], 'invoices_issued_on_customer');
  });
  // Plain ALTER TABLE … DROP COLUMN, which SQLite (3.35+) and PostgreSQL both run in place: Knex's
  // SQLite dropColumn copies the table, which foreign keys from customers refuse once there is data.
  for (const table of ['groups', 'institutions']) {
    await db.raw('alter table ?? drop column ??', [table, 'bills_externally']);
  }
}
