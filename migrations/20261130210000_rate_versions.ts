import type { Knex } from 'knex';

const TABLES = ['tax_rates', 'tax_exemptions', 'usage_rates'] as const;

/**
 * Tax rates, exemptions and usage rates are edited in place (D6): a version per row lets a save refuse
 * an edit made on a row someone changed after it was opened, as every audited update does.
 */
export async function up(db: Knex): Promise<void> {
  for (const table of TABLES) {
    await db.schema.alterTable(table, (t) => {
      t.integer('version').notNullable().defaultTo(1);
    });
  }
}

export async function down(db: Knex): Promise<void> {
  for (const table of TABLES) {
    await db.schema.alterTable(table, (t) => {
      t.dropColumn('version');
    });
  }
}
