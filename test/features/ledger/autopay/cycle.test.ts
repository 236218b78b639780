import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Queryable } from '../../../../src/db/index.ts';
import { runAutopayCycle } from '../../../../src/features/ledger/autopay/cycle.ts';
import type { Condition } from '../../../../src/features/ledger/autopay/engine.ts';
import { sandboxCards } from '../../../../src/features/ledger/gateway.ts';
import { addDays, todayIso } from '../../../../src/lib/dates.ts';
import { anAutopayConfiguration, anInvoice, aPayment, aPaymentMethod } from '../../../fixtures/billing.ts';
import { aContact, aCustomer } from '../../../fixtures/customers.ts';
import { countingGateway, migratedDatabase } from './cycle-helpers.ts';

const today = todayIso();
const workerFile = fileURLToPath(new URL('../../../helpers/payment-worker.ts', import.meta.url));

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
