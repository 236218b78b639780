import type { Knex } from 'knex';
import { boundMoneyColumns, unboundMoneyColumns } from '../src/db/money-bounds.ts';
import { MAX_CENTS } from '../src/lib/money.ts';

/**
 * Issue 18: every stored amount of money within ±10^13 cents (lib/money.ts MAX_CENTS), so no row can
 * hold a total past 2^53 or PostgreSQL's integer range. PostgreSQL's columns become bigint to hold it.
 */
export const moneyColumns: Record<string, string[]> = {
  price_list_items: ['monthly_cents', 'setup_cents'],
  services: ['monthly_cents', 'setup_cents'],
  service_numbers: ['monthly_cents', 'setup_cents'],
  invoices: ['total_cents', 'open_cents'],
  invoice_lines: ['unit_cents', 'amount_cents'],
  payments: ['amount_cents'],
  payment_applications: ['amount_cents'],
  credits: ['amount_cents', 'remaining_cents'],
  credit_applications: ['amount_cents'],
  refunds: ['amount_cents'],
};

export async function up(db: Knex): Promise<void> {
  for (const [table, columns] of Object.entries(moneyColumns)) await boundMoneyColumns(db, table, columns, MAX_CENTS);
}

export async function down(db: Knex): Promise<void> {
  for (const [table, columns] of Object.entries(moneyColumns)) await unboundMoneyColumns(db, table, columns);
}
