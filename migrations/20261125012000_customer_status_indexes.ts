import type { Knex } from 'knex';

// Counting customers by status (home page) reads these covering indexes instead of the table.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (t) => {
    t.index(['status'], 'customers_status_index');
    t.index(['reseller_id', 'status'], 'customers_reseller_status_index');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (t) => {
    t.dropIndex(['status'], 'customers_status_index');
    t.dropIndex(['reseller_id', 'status'], 'customers_reseller_status_index');
  });
}
