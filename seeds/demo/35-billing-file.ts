import type { Tx } from '../../src/db/index.ts';
import { createInvoice } from '../../src/features/ledger/invoices.ts';
import { addDays, todayIso } from '../../src/lib/dates.ts';

/**
 * External Billing File demo (A7): Frank Osei, at "St Marys Hospital" (no number, and a near-duplicate of
 * "St. Mary's Hospital", which has one), gets an invoice this month, so a fresh start shows billing errors
 * and their fixes; Baker & Sons gets one too, so the file has lines once they are fixed.
 */
export async function seed(trx: Tx): Promise<void> {
  const today = todayIso();
  const actor = { userId: null, actingAs: 'demo data' };
  const customer = async (name: string) => (await trx('customers').where({ name }).first('id')).id as number;
  const invoice = (customerId: number, lines: [string, number, number][]) =>
    createInvoice(
      trx,
      {
        customerId,
        issuedOn: today,
        dueOn: addDays(today, 30),
        lines: lines.map(([description, quantity, unitCents]) => ({ description, quantity, unitCents })),
      },
      actor,
    );
  await invoice(await customer('Frank Osei'), [
    ['Home broadband', 1, 3_500],
    ['Call charges', 1, 1_240],
  ]);
  await invoice(await customer('Baker & Sons Bakery'), [['Bakery phone lines', 3, 1_800]]);
}
