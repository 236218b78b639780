import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfig } from '../../../src/config.ts';
import { createDb } from '../../../src/db/index.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { createInvoice } from '../../../src/features/ledger/invoices.ts';
import { type NewPayment, recordPayment } from '../../../src/features/ledger/payments.ts';
import { addDays, todayIso } from '../../../src/lib/dates.ts';
import { aPaymentMethod } from '../../fixtures/billing.ts';
import { aCustomer } from '../../fixtures/customers.ts';
import { emptyTestDatabase } from '../../helpers/app.ts';
import { scratchRoot } from '../../helpers/scratch.ts';

const workerFile = fileURLToPath(new URL('../../helpers/payment-worker.ts', import.meta.url));

/** Runs the same task in several processes, each with its own database connection, at one moment. */
function inParallel<T>(count: number, data: Record<string, unknown>): Promise<T[]> {
  const startAt = Date.now() + 3000;
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<T>((resolve, reject) => {
          const child = fork(workerFile, { execArgv: ['--import=tsx'], serialization: 'advanced' });
          child.send({ ...data, startAt });
          child.once('message', (message) => resolve(message as T));
          child.once('error', reject);
          child.once('exit', (code) => code && reject(new Error(`worker exited with ${code}`)));
        }),
    ),
  );
}

/** One database (a SQLite file, or a PostgreSQL schema when the suite runs there) for several processes. */
async function sharedDatabase(t: Tap) {
  const dir = mkdtempSync(join(scratchRoot(), 'ledger-processes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { database } = loadConfig({ NODE_ENV: 'test', ...(await emptyTestDatabase(t, dir)) });
  const db = createDb(database);
  await migrateToLatest(db);
  t.teardown(() => db.destroy());
  return { db, database };
}
type Tap = { teardown(fn: () => unknown): void };

t.test(
  'two processes running the scheduled-payments job at the same moment settle each due payment exactly once',
  async (t) => {
    const { db, database } = await sharedDatabase(t);
    const today = todayIso();
    const customer = await aCustomer(db);
    const method = (await aPaymentMethod(db, { customerId: customer.id })).id;
    const invoiceIds: number[] = [];
    for (let i = 0; i < 30; i++) {
      const invoice = await db.transaction((trx) =>
        createInvoice(
          trx,
          {
            customerId: customer.id,
            issuedOn: today,
            dueOn: today,
            lines: [{ description: 'Line', quantity: 1, unitCents: 1_000 }],
          },
          { userId: null },
        ),
      );
      invoiceIds.push(invoice.id);
      await recordPayment(
        db,
        {
          customerId: customer.id,
          amountCents: 1_000,
          method: 'card',
          paymentMethodId: method,
          source: 'manual',
          paidOn: addDays(today, 2),
          today,
          invoiceIds: [invoice.id],
          remainder: 'refuse',
          idempotencyKey: randomUUID(),
        },
        { userId: null },
      );
    }
    const results = await inParallel<{ claimed: number; charged: string[] }>(2, {
      database,
      task: 'job',
      now: `${addDays(today, 2)}T09:00:00Z`,
    });
    t.equal(results[0].claimed + results[1].claimed, 30, 'between them they claimed every due payment once');
    const charged = results.flatMap((r) => r.charged);
    t.equal(charged.length, 30, 'the gateway was called 30 times');
    t.equal(new Set(charged).size, 30, 'never twice for one payment');
    t.comment(`the processes claimed ${results.map((r) => r.claimed).join(' + ')}`);
    const invoices = await db('invoices').whereIn('id', invoiceIds);
    t.ok(
      invoices.every((i) => i.open_cents === 0),
      'every invoice is paid, and none below zero',
    );
    t.equal((await db('payments').where({ customer_id: customer.id, status: 'settled' })).length, 30);
  },
);

t.test('the same payment submitted 20 times at once from two processes is recorded once', async (t) => {
  const { db, database } = await sharedDatabase(t);
  const today = todayIso();
  const customer = await aCustomer(db);
  const invoice = await db.transaction((trx) =>
    createInvoice(
      trx,
      {
        customerId: customer.id,
        issuedOn: today,
        dueOn: today,
        lines: [{ description: 'Line', quantity: 1, unitCents: 9_000 }],
      },
      { userId: null },
    ),
  );
  const payment: NewPayment = {
    customerId: customer.id,
    amountCents: 5_000,
    method: 'check',
    reference: '77',
    source: 'external',
    paidOn: today,
    today,
    invoiceIds: [invoice.id],
    remainder: 'refuse',
    idempotencyKey: randomUUID(),
  };
  const results = await inParallel<{ created: number; ids: number[] }>(2, {
    database,
    task: 'pay',
    payment,
    times: 10,
  });
  t.equal(results[0].created + results[1].created, 1, 'one of the twenty submissions recorded it');
  t.same(new Set(results.flatMap((r) => r.ids)).size, 1, 'all twenty answered with the same payment');
  t.equal((await db('payments').where('customer_id', customer.id)).length, 1);
  t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, 4_000, 'applied once');
});
