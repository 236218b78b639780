import type { Tx } from '../../src/db/index.ts';
import { fieldKeys } from '../../src/features/reports/fields.ts';
import { nextRunAfter } from '../../src/features/reports/schedule.ts';
import { nowIso } from '../../src/lib/dates.ts';

/**
 * Custom Reports (B5) for the demo reseller, so Northwind's staff see the feature at once: an
 * on-demand report with every field, and a weekly one of past-due customers e-mailed on Mondays.
 */
export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  const northwind = (await trx('resellers').where({ name: 'Northwind Telecom' }).first('id')).id as number;
  const riley = (await trx('users').where({ email: 'reseller@example.com' }).first('id')).id as number;
  const common = { reseller_id: northwind, created_by: riley, updated_by: riley, created_at: now, updated_at: now };
  await trx('reports').insert([
    {
      ...common,
      name: 'All customers with Custom Account IDs',
      schedule: 'on-demand',
      period: 'last-month',
      filters: '{}',
      fields: JSON.stringify(fieldKeys),
      recipients: '',
    },
    {
      ...common,
      name: 'Past-due customers (weekly)',
      schedule: 'weekly',
      weekday: 1,
      period: 'last-week',
      filters: JSON.stringify({ withPastDueInvoices: true }),
      fields: JSON.stringify(['custom_account_id', 'name', 'billing_contact', 'past_due', 'oldest_invoice']),
      recipients: 'finance@northwind.example',
      next_run_at: nextRunAfter({ schedule: 'weekly', weekday: 1, month_day: null }, new Date()),
    },
  ]);
}
