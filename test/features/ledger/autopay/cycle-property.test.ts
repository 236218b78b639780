import fc from 'fast-check';
import t from 'tap';
import type { Db } from '../../../../src/db/index.ts';
import { runAutopayCycle } from '../../../../src/features/ledger/autopay/cycle.ts';
import { type Condition, operators, triggers } from '../../../../src/features/ledger/autopay/engine.ts';
import { sandboxCards } from '../../../../src/features/ledger/gateway.ts';
import { addDays, todayIso } from '../../../../src/lib/dates.ts';
import { anInvoice, aPayment, aPaymentMethod } from '../../../fixtures/billing.ts';
import { aCustomer } from '../../../fixtures/customers.ts';
import { testDatabaseUrl } from '../../../helpers/app.ts';
import { countingGateway, migratedDatabase } from './cycle-helpers.ts';

const today = todayIso();

/** Mostly rows that make sense (so that worlds do pay), and some that do not (which must never pay). */
const conditionArb: fc.Arbitrary<Condition> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<Condition>(
      { trigger: 'amount', operator: 'greater_than', values: ['100'] },
      { trigger: 'amount', operator: 'at_most', values: ['150'] },
      { trigger: 'age', operator: 'at_least', values: ['15'] },
      { trigger: 'age', operator: 'less_than', values: ['20'] },
      { trigger: 'line_item', operator: 'one_of', values: ['Fibre', 'Hosted Voice'] },
      { trigger: 'line_item', operator: 'contains', values: ['charges'] },
      { trigger: 'line_item', operator: 'not_equals', values: ['Fibre'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      trigger: fc.constantFrom(...triggers),
      operator: fc.constantFrom(...operators),
      values: fc.array(fc.constantFrom('50', '100', '0', 'Fibre', 'x'), { minLength: 0, maxLength: 2 }),
    }),
  },
);

const worldArb = fc.record({
  invoices: fc.array(
    fc.record({
      cents: fc.integer({ min: 1_000, max: 30_000 }),
      age: fc.integer({ min: 0, max: 40 }),
      line: fc.constantFrom('Fibre', 'Call charges'),
      pay: fc.constantFrom('none', 'check', 'pending', 'scheduled'),
    }),
    { maxLength: 5 },
  ),
  configurations: fc.array(
    fc.record({
      conditions: fc.array(conditionArb, { minLength: 1, maxLength: 2 }),
      disabled: fc.boolean(),
      declines: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
});

/** Rolls back whatever `work` wrote: each property run starts from the same empty customer. */
async function thenRollBack(db: Db, work: (trx: Db) => Promise<void>) {
  await db
    .transaction(async (trx) => {
      await work(trx as unknown as Db);
      throw new RolledBack();
    })
    .catch((error) => {
      if (!(error instanceof RolledBack)) throw error;
    });
}
class RolledBack extends Error {}

// 1,000 runs on SQLite; on PostgreSQL each run costs a few round trips more: 1,000 runs took 55–72 s there (load
// average 13–14, 2026-11-30) against ~10 s for these 100, too much for CI's time limit.
const propertyRuns = testDatabaseUrl ? 100 : 1000;

t.test('property: the dry run and the real cycle agree, and no payment exceeds what may be paid', async (t) => {
  const { db } = await migratedDatabase(t);
  const customer = await aCustomer(db);
  const approving = await aPaymentMethod(db, { customerId: customer.id });
  const declining = await aPaymentMethod(db, { customerId: customer.id, number: sandboxCards.decline });
  let paying = 0;
  await fc.assert(
    fc.asyncProperty(worldArb, async (world) => {
      let agreed = true;
      await thenRollBack(db, async (trx) => {
        for (const inv of world.invoices) {
          const invoice = await anInvoice(trx, {
            customerId: customer.id,
            issuedOn: addDays(today, -inv.age),
            lines: [{ description: inv.line, quantity: 1, unitCents: inv.cents }],
          });
          if (inv.pay === 'none') continue;
          await aPayment(trx, {
            customerId: customer.id,
            invoiceIds: [invoice.id],
            amountCents: Math.ceil(inv.cents / 2),
            paymentMethodId: inv.pay === 'check' ? undefined : approving.id,
            paidOn: inv.pay === 'scheduled' ? addDays(today, 3) : today,
          });
        }
        for (const [i, c] of world.configurations.entries()) {
          // Written directly, so that configurations the form would refuse are in the data too.
          await trx('autopay_configurations').insert({
            customer_id: customer.id,
            payment_method_id: c.declines ? declining.id : approving.id,
            position: i + 1,
            conditions: JSON.stringify(c.conditions),
            disabled: c.disabled,
            created_at: today,
            updated_at: today,
          });
        }
        const payable = new Map<number, number>();
        for (const row of await trx('invoices').where('customer_id', customer.id).select('id', 'open_cents'))
          payable.set(row.id, row.open_cents);
        for (const r of await trx('payment_applications as pa')
          .join('payments as p', 'p.id', 'pa.payment_id')
          .whereIn('p.status', ['pending', 'scheduled'])
          .select('pa.invoice_id', 'pa.amount_cents'))
          payable.set(r.invoice_id, (payable.get(r.invoice_id) ?? 0) - r.amount_cents);

        const planned: string[] = [];
        const { gateway } = countingGateway();
        await runAutopayCycle(trx, gateway, {
          date: today,
          dryRun: true,
          onDecision: (d) => {
            if (d.action === 'pay') planned.push(`${d.invoice.id}:${d.amountCents}:${d.method.id}`);
          },
        });
        await runAutopayCycle(trx, gateway, { date: today });
        const made = (
          await trx('payments as p')
            .join('payment_applications as pa', 'pa.payment_id', 'p.id')
            .where('p.source', 'autopay')
            .orderBy('pa.invoice_id')
            .select('pa.invoice_id', 'p.amount_cents', 'p.payment_method_id')
        ).map((p: { invoice_id: number; amount_cents: number; payment_method_id: number }) => {
          if (p.amount_cents > (payable.get(p.invoice_id) ?? 0)) agreed = false;
          return `${p.invoice_id}:${p.amount_cents}:${p.payment_method_id}`;
        });
        // Both sorted as text: PostgreSQL's ids keep growing across the rolled-back runs, past 99 and 999.
        if (made.sort().join() !== planned.sort().join()) agreed = false;
        paying += made.length ? 1 : 0;
      });
      return agreed;
    }),
    { numRuns: propertyRuns },
  );
  t.ok(paying > propertyRuns / 20, `the random worlds paid something in ${paying} of ${propertyRuns} runs`);
});
