import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import t from 'tap';
import type { Db, Queryable } from '../../../../src/db/index.ts';
import { migrateToLatest } from '../../../../src/db/migrate.ts';
import { runAutopayCycle } from '../../../../src/features/ledger/autopay/cycle.ts';
import { type Condition, operators, triggers } from '../../../../src/features/ledger/autopay/engine.ts';
import { type ChargeResult, type PaymentGateway, sandboxCards } from '../../../../src/features/ledger/gateway.ts';
import { addDays, todayIso } from '../../../../src/lib/dates.ts';
import { anAutopayConfiguration, anInvoice, aPayment, aPaymentMethod } from '../../../fixtures/billing.ts';
import { aContact, aCustomer } from '../../../fixtures/customers.ts';
import { openEmptyTestDatabase, testDatabaseUrl } from '../../../helpers/app.ts';

type Tap = { teardown(fn: () => unknown): void };
const today = todayIso();
const workerFile = fileURLToPath(new URL('../../../helpers/payment-worker.ts', import.meta.url));

/** A migrated database of its own (SQLite file, or a PostgreSQL schema), which other processes can open too. */
async function migratedDatabase(t: Tap) {
  const { db, config } = await openEmptyTestDatabase(t);
  await migrateToLatest(db);
  return { db, database: config.database };
}

/** A gateway that approves every card but the sandbox's decline card, and remembers every charge. */
function countingGateway() {
  const charged: string[] = [];
  const gateway: PaymentGateway = {
    tokenize: () => Promise.reject(new Error('not used')),
    charge: async (request): Promise<ChargeResult> => {
      charged.push(request.idempotencyKey);
      return request.token.includes('_decline_')
        ? { status: 'declined', ref: `d_${request.idempotencyKey}`, reason: 'Card declined.' }
        : { status: 'approved', ref: `a_${request.idempotencyKey}` };
    },
    retrieve: async (ref) => ({ status: 'approved', ref }),
  };
  return { gateway, charged };
}

const over100: Condition = { trigger: 'amount', operator: 'greater_than', values: ['100'] };

async function autopayPaymentsOf(db: Queryable, invoiceId: number) {
  return db('payments as p')
    .join('payment_applications as pa', 'pa.payment_id', 'p.id')
    .where({ 'pa.invoice_id': invoiceId, 'p.source': 'autopay' })
    .select('p.*');
}

t.test('a cycle run twice pays each matching invoice once, by the first matching configuration', async (t) => {
  const { db } = await migratedDatabase(t);
  const customer = await aCustomer(db);
  const first = await aPaymentMethod(db, { customerId: customer.id, friendlyName: 'First' });
  const second = await aPaymentMethod(db, { customerId: customer.id, friendlyName: 'Second' });
  await anAutopayConfiguration(db, { customerId: customer.id, paymentMethodId: first.id, conditions: [over100] });
  await anAutopayConfiguration(db, {
    customerId: customer.id,
    paymentMethodId: second.id,
    conditions: [{ trigger: 'amount', operator: 'at_least', values: ['1'] }],
  });
  const big = await anInvoice(db, {
    customerId: customer.id,
    lines: [{ description: 'Fibre', quantity: 1, unitCents: 28_000 }],
  });
  const small = await anInvoice(db, {
    customerId: customer.id,
    lines: [{ description: 'Fibre', quantity: 1, unitCents: 5_000 }],
  });
  const checked = await anInvoice(db, { customerId: customer.id });
  await aPayment(db, { customerId: customer.id, invoiceIds: [checked.id], amountCents: 10_000 });

  const { gateway, charged } = countingGateway();
  const run = await runAutopayCycle(db, gateway, { date: today });
  t.match(run, { invoices: 2, payments: 2, paymentCents: 33_000, declined: 0 });
  const again = await runAutopayCycle(db, gateway, { date: today });
  t.match(again, { payments: 0, skipped: { paid: 0, tried: 0 } }, 'the paid invoices are no longer open');
  t.equal(charged.length, 2, 'two charges in all');
  const [bigPayment] = await autopayPaymentsOf(db, big.id);
  t.equal(bigPayment.payment_method_id, first.id, 'the top configuration paid the $280 invoice');
  t.equal(bigPayment.status, 'settled');
  t.equal(
    (await autopayPaymentsOf(db, small.id))[0].payment_method_id,
    second.id,
    'the second paid what the first did not match',
  );
  t.equal((await db('invoices').where('id', big.id).first()).open_cents, 0);
  const audit = await db('audit_events').where({ entity: 'payments', entity_id: bigPayment.id });
  t.ok(
    audit.some((e: { field: string }) => e.field === 'autopay_configuration_id'),
    'the payment is audited with its configuration',
  );
});

t.test('a declined card records the failure, tells the billing contacts, and is not retried that cycle', async (t) => {
  const { db } = await migratedDatabase(t);
  const customer = await aCustomer(db);
  await aContact(db, { customer_id: customer.id, name: 'Bill', email: 'bill@example.com', is_billing_contact: true });
  const declining = await aPaymentMethod(db, { customerId: customer.id, number: sandboxCards.decline });
  await anAutopayConfiguration(db, { customerId: customer.id, paymentMethodId: declining.id, conditions: [over100] });
  const invoice = await anInvoice(db, {
    customerId: customer.id,
    lines: [{ description: 'Fibre', quantity: 1, unitCents: 28_000 }],
  });
  const { gateway, charged } = countingGateway();
  t.match(await runAutopayCycle(db, gateway, { date: today }), { payments: 1, declined: 1 });
  t.match(await runAutopayCycle(db, gateway, { date: today }), { payments: 0, skipped: { tried: 1 } });
  t.equal(charged.length, 1, 'charged once');
  const [payment] = await autopayPaymentsOf(db, invoice.id);
  t.equal(payment.status, 'failed');
  t.equal(payment.failure_reason, 'Card declined.');
  const emails = await db('emails').where({ payment_id: payment.id });
  t.equal(emails.length, 1);
  t.match(emails[0], { to_address: 'bill@example.com', template: 'autopay-declined' });
  t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, 28_000, 'still open');
  const tomorrow = await runAutopayCycle(db, gateway, { date: addDays(today, 1) });
  t.match(tomorrow, { payments: 1 }, 'the next cycle tries again');
});

t.test('two processes running the cycle at the same moment pay each invoice once', async (t) => {
  const { db, database } = await migratedDatabase(t);
  const invoiceIds: number[] = [];
  for (let c = 0; c < 4; c++) {
    const customer = await aCustomer(db);
    const method = await aPaymentMethod(db, { customerId: customer.id });
    await anAutopayConfiguration(db, { customerId: customer.id, paymentMethodId: method.id, conditions: [over100] });
    for (let i = 0; i < 10; i++)
      invoiceIds.push(
        (
          await anInvoice(db, {
            customerId: customer.id,
            lines: [{ description: 'L', quantity: 1, unitCents: 20_000 }],
          })
        ).id,
      );
  }
  const startAt = Date.now() + 3000;
  const results = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<{ charged: string[] }>((resolve, reject) => {
          const child = fork(workerFile, { execArgv: ['--import=tsx'], serialization: 'advanced' });
          child.send({ task: 'autopay', database, startAt, date: today });
          child.once('message', (message) => resolve(message as { charged: string[] }));
          child.once('error', reject);
          child.once('exit', (code) => code && reject(new Error(`worker exited with ${code}`)));
        }),
    ),
  );
  const charged = results.flatMap((r) => r.charged);
  t.equal(charged.length, invoiceIds.length, 'one charge per invoice between the two processes');
  t.equal(new Set(charged).size, charged.length, 'no key charged twice');
  const payments = await db('payments').where('source', 'autopay');
  t.equal(payments.length, invoiceIds.length);
  t.ok(payments.every((p: { status: string }) => p.status === 'settled'));
  t.equal(Number((await db('invoices').sum({ s: 'open_cents' }).first())?.s), 0, 'every invoice paid in full');
});

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

// 1,000 runs on SQLite; on PostgreSQL each run costs a few round trips more, so fewer fit the file's time limit.
const propertyRuns = testDatabaseUrl ? 300 : 1000;

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
        if (made.join() !== planned.sort().join()) agreed = false;
        paying += made.length ? 1 : 0;
      });
      return agreed;
    }),
    { numRuns: propertyRuns },
  );
  t.ok(paying > propertyRuns / 20, `the random worlds paid something in ${paying} of ${propertyRuns} runs`);
});
