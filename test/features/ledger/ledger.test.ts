import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { createDb, type Db } from '../../../src/db/index.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { accountNumberFor } from '../../../src/features/customers/account-number.ts';
import { balanceSummary } from '../../../src/features/ledger/balance.ts';
import { applyCredit, issueCreditMemo, refundCredit } from '../../../src/features/ledger/credits.ts';
import { applyDeposit, receiveDeposit, refundDeposit } from '../../../src/features/ledger/deposits.ts';
import { LedgerError } from '../../../src/features/ledger/errors.ts';
import { GatewayTimeoutError, SandboxGateway, sandboxCards } from '../../../src/features/ledger/gateway.ts';
import { createInvoice } from '../../../src/features/ledger/invoices.ts';
import {
  cardBrandOf,
  digitsOf,
  passesAbaChecksum,
  passesLuhn,
} from '../../../src/features/ledger/payment-method-numbers.ts';
import {
  cancelScheduledPayment,
  claimScheduledPayment,
  failPayment,
  type NewPayment,
  recordPayment,
  settlePayment,
} from '../../../src/features/ledger/payments.ts';
import { addDays, nowIso } from '../../../src/lib/dates.ts';
import { buildTestApp } from '../../helpers/app.ts';

const TODAY = '2026-11-25';
const actor = { userId: null };

async function ledgerDb(t: Test): Promise<Db> {
  const db = createDb({ kind: 'sqlite', file: ':memory:' });
  await migrateToLatest(db);
  const now = nowIso();
  await db('resellers').insert({ name: 'Test Reseller', created_at: now });
  t.teardown(() => db.destroy());
  return db;
}

let customerSequence = 0;
async function newCustomer(db: Db): Promise<number> {
  const now = nowIso();
  const [{ id }] = await db('customers')
    .insert({
      account_number: accountNumberFor(++customerSequence),
      name: `Customer ${customerSequence}`,
      kind: 'business',
      reseller_id: 1,
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  return id;
}

const sumOf = async (query: Promise<{ s: number | null }[]> | PromiseLike<unknown>) =>
  Number(((await query) as { s: number | null }[])[0]?.s ?? 0);

/** Every rule the ledger promises, checked from the entries themselves for one customer: the broken ones. */
async function ledgerProblems(db: Db, customerId: number): Promise<string[]> {
  const problems: string[] = [];
  const expect = (holds: boolean, rule: string) => void (holds || problems.push(rule));
  const invoices = await db('invoices').where('customer_id', customerId);
  // What security deposits paid, per invoice, and the deposits, in one query each (D4).
  const deposits = await db('security_deposits').where('customer_id', customerId);
  const depositEntries = await db('security_deposit_entries').whereIn(
    'deposit_id',
    deposits.map((d) => d.id),
  );
  const depositApplied = new Map<number, number>();
  for (const e of depositEntries)
    if (e.invoice_id) depositApplied.set(e.invoice_id, (depositApplied.get(e.invoice_id) ?? 0) + e.amount_cents);
  for (const invoice of invoices) {
    expect(
      invoice.open_cents >= 0 && invoice.open_cents <= invoice.total_cents,
      `${invoice.number} open balance stays within 0..total`,
    );
    const settled = await sumOf(
      db('payment_applications as pa')
        .join('payments as p', 'p.id', 'pa.payment_id')
        .where({ 'pa.invoice_id': invoice.id, 'p.status': 'settled' })
        .select(db.raw('sum(pa.amount_cents) as s')),
    );
    const reserved = await sumOf(
      db('payment_applications as pa')
        .join('payments as p', 'p.id', 'pa.payment_id')
        .where('pa.invoice_id', invoice.id)
        .whereIn('p.status', ['pending', 'scheduled'])
        .select(db.raw('sum(pa.amount_cents) as s')),
    );
    const credited = await sumOf(
      db('credit_applications').where('invoice_id', invoice.id).select(db.raw('sum(amount_cents) as s')),
    );
    const fromDeposits = depositApplied.get(invoice.id) ?? 0;
    expect(
      invoice.open_cents === invoice.total_cents - settled - credited - fromDeposits,
      `${invoice.number} open balance equals its entries`,
    );
    expect(reserved <= invoice.open_cents, `${invoice.number} is never promised more than is open`);
  }
  const duplicates = await db('payment_applications')
    .groupBy('payment_id', 'invoice_id')
    .havingRaw('count(*) > 1')
    .select('payment_id');
  expect(duplicates.length === 0, 'no payment is applied to the same invoice twice');

  const payments = await db('payments').where('customer_id', customerId);
  for (const payment of payments) {
    const applied = await sumOf(
      db('payment_applications').where('payment_id', payment.id).select(db.raw('sum(amount_cents) as s')),
    );
    const credit = await db('credits').where('payment_id', payment.id).first();
    const deposit = deposits.find((d) => d.payment_id === payment.id);
    if (payment.status === 'settled') {
      expect(
        applied + (credit?.amount_cents ?? 0) + (deposit?.amount_cents ?? 0) === payment.amount_cents,
        `settled payment ${payment.id} is applied, kept as credit or held as a deposit, to the cent`,
      );
    } else {
      expect(!credit, `only a settled payment leaves a credit (${payment.id})`);
      expect(applied <= payment.amount_cents, `payment ${payment.id} applies no more than its amount`);
    }
  }

  const credits = await db('credits').where('customer_id', customerId);
  for (const credit of credits) {
    const used = await sumOf(
      db('credit_applications').where('credit_id', credit.id).select(db.raw('sum(amount_cents) as s')),
    );
    const refunded = await sumOf(db('refunds').where('credit_id', credit.id).select(db.raw('sum(amount_cents) as s')));
    expect(
      credit.remaining_cents === credit.amount_cents - used - refunded,
      `credit ${credit.id} remainder equals its entries`,
    );
  }

  // A deposit holds what it received less what it applied and refunded (D4).
  let depositRefunds = 0;
  for (const deposit of deposits) {
    const entries = depositEntries.filter((e) => e.deposit_id === deposit.id);
    const used = entries.reduce((s, e) => s + e.amount_cents, 0);
    depositRefunds += entries.filter((e) => e.kind === 'refunded').reduce((s, e) => s + e.amount_cents, 0);
    expect(deposit.held_cents === deposit.amount_cents - used, `deposit ${deposit.id} holds what its entries leave`);
  }
  const heldTotal = deposits.reduce((s, d) => s + d.held_cents, 0);

  const openTotal = invoices.reduce((s, i) => s + i.open_cents, 0);
  const creditTotal = credits.reduce((s, c) => s + c.remaining_cents, 0);
  const summary = await balanceSummary(db, customerId, TODAY);
  expect(summary.total_balance_cents === openTotal, 'Total Balance is the sum of open invoices');
  expect(
    summary.total_balance_cents - summary.credits_cents === openTotal - creditTotal,
    'customer balance = open invoices − unapplied credits',
  );

  // Every cent in (settled payments, memos) is on an invoice it paid, refunded, or still on account.
  const moneyIn =
    payments.filter((p) => p.status === 'settled').reduce((s, p) => s + p.amount_cents, 0) +
    credits.filter((c) => c.kind === 'memo').reduce((s, c) => s + c.amount_cents, 0);
  const paidOnInvoices = invoices.reduce((s, i) => s + i.total_cents - i.open_cents, 0);
  const refunds = await sumOf(
    db('refunds as r')
      .join('credits as c', 'c.id', 'r.credit_id')
      .where('c.customer_id', customerId)
      .select(db.raw('sum(r.amount_cents) as s')),
  );
  expect(
    moneyIn === paidOnInvoices + refunds + creditTotal + heldTotal + depositRefunds,
    'every cent is accounted for',
  );
  return problems;
}

type Op =
  | { op: 'invoice'; cents: number; dueIn: number }
  | { op: 'pay'; cents: number; pick: number[]; future: boolean; keepRemainder: boolean; method: 'card' | 'check' }
  | { op: 'replay'; which: number }
  | { op: 'settle' | 'fail' | 'cancel' | 'run'; which: number }
  | { op: 'credit'; cents: number }
  | { op: 'apply'; which: number; pick: number[] }
  | { op: 'refund'; which: number; cents: number }
  | { op: 'deposit'; cents: number }
  | { op: 'applyDeposit'; which: number; invoice: number; cents: number }
  | { op: 'refundDeposit'; which: number; cents: number };

const cents = fc.integer({ min: 1, max: 50_000 });
const index = fc.nat({ max: 20 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('invoice' as const), cents, dueIn: fc.integer({ min: -30, max: 30 }) }),
  fc.record({
    op: fc.constant('pay' as const),
    cents,
    pick: fc.array(index, { maxLength: 3 }),
    future: fc.boolean(),
    keepRemainder: fc.boolean(),
    method: fc.constantFrom('card' as const, 'check' as const),
  }),
  fc.record({ op: fc.constant('replay' as const), which: index }),
  fc.record({
    op: fc.constantFrom('settle' as const, 'fail' as const, 'cancel' as const, 'run' as const),
    which: index,
  }),
  fc.record({ op: fc.constant('credit' as const), cents }),
  fc.record({ op: fc.constant('apply' as const), which: index, pick: fc.array(index, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('refund' as const), which: index, cents }),
  // Security deposits (D4) as one choice among the others, so the older operations keep their share.
  fc.oneof(
    fc.record({ op: fc.constant('deposit' as const), cents }),
    fc.record({ op: fc.constant('applyDeposit' as const), which: index, invoice: index, cents }),
    fc.record({ op: fc.constant('refundDeposit' as const), which: index, cents }),
  ),
);

async function runOps(db: Db, customerId: number, ops: Op[]) {
  const invoiceIds: number[] = [];
  const paymentIds: number[] = [];
  const creditIds: number[] = [];
  const depositIds: number[] = [];
  const submitted: NewPayment[] = [];
  const at = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);
  for (const step of ops) {
    try {
      switch (step.op) {
        case 'invoice': {
          const invoice = await db.transaction((trx) =>
            createInvoice(
              trx,
              {
                customerId,
                issuedOn: TODAY,
                dueOn: addDays(TODAY, step.dueIn),
                lines: [{ description: 'Service', quantity: 1, unitCents: step.cents }],
              },
              actor,
            ),
          );
          invoiceIds.push(invoice.id);
          break;
        }
        case 'pay': {
          const input: NewPayment = {
            customerId,
            amountCents: step.cents,
            method: step.method,
            source: step.method === 'check' ? 'external' : 'manual',
            paidOn: step.future && step.method === 'card' ? addDays(TODAY, 3) : TODAY,
            today: TODAY,
            invoiceIds: step.pick.map((i) => at(invoiceIds, i)).filter((id): id is number => id !== undefined),
            remainder: step.keepRemainder ? 'credit' : 'refuse',
            idempotencyKey: randomUUID(),
          };
          const { payment, created } = await recordPayment(db, input, actor);
          if (!created) throw new Error('a fresh key must record a payment');
          paymentIds.push(payment.id);
          submitted.push(input);
          break;
        }
        case 'replay': {
          const input = at(submitted, step.which);
          if (!input) break;
          const before = await db('payments').count({ n: '*' }).first();
          const { created } = await recordPayment(db, input, actor);
          const after = await db('payments').count({ n: '*' }).first();
          if (created || Number(before?.n) !== Number(after?.n))
            throw new Error('a replayed payment must not record again');
          break;
        }
        case 'settle':
        case 'fail': {
          const id = at(paymentIds, step.which);
          if (id === undefined) break;
          await db.transaction((trx) =>
            step.op === 'settle' ? settlePayment(trx, id, actor) : failPayment(trx, id, 'Declined', actor),
          );
          break;
        }
        case 'run': {
          // What the scheduled-payments job does with a due payment: claim it, then settle it.
          const id = at(paymentIds, step.which);
          if (id === undefined) break;
          if (await claimScheduledPayment(db, id, nowIso(), actor))
            await db.transaction((trx) => settlePayment(trx, id, actor));
          break;
        }
        case 'cancel': {
          const id = at(paymentIds, step.which);
          if (id === undefined) break;
          await db.transaction((trx) => cancelScheduledPayment(trx, customerId, id, actor));
          break;
        }
        case 'credit': {
          const credit = await db.transaction((trx) =>
            issueCreditMemo(
              trx,
              { customerId, amountCents: step.cents, reason: 'Goodwill', idempotencyKey: randomUUID() },
              actor,
            ),
          );
          creditIds.push(credit.id);
          break;
        }
        case 'apply': {
          const all = [
            ...creditIds,
            ...(await db('credits').where({ customer_id: customerId, kind: 'unapplied' }).pluck('id')),
          ];
          const creditId = at(all, step.which);
          const picked = step.pick.map((i) => at(invoiceIds, i)).filter((id): id is number => id !== undefined);
          if (creditId === undefined || picked.length === 0) break;
          await db.transaction((trx) =>
            applyCredit(trx, { customerId, creditId, invoiceIds: picked, idempotencyKey: randomUUID() }, actor),
          );
          break;
        }
        case 'refund': {
          const creditId = at(await db('credits').where('customer_id', customerId).pluck('id'), step.which);
          if (creditId === undefined) break;
          await db.transaction((trx) =>
            refundCredit(
              trx,
              { customerId, creditId, amountCents: step.cents, reason: 'Returned', idempotencyKey: randomUUID() },
              actor,
            ),
          );
          break;
        }
        case 'deposit': {
          const { deposit } = await receiveDeposit(
            db,
            {
              customerId,
              amountCents: step.cents,
              reference: null,
              reason: null,
              today: TODAY,
              idempotencyKey: randomUUID(),
            },
            actor,
          );
          depositIds.push(deposit.id);
          break;
        }
        case 'applyDeposit': {
          const depositId = at(depositIds, step.which);
          const invoiceId = at(invoiceIds, step.invoice);
          if (depositId === undefined || invoiceId === undefined) break;
          const input = { customerId, depositId, invoiceId, amountCents: step.cents, idempotencyKey: randomUUID() };
          await applyDeposit(db, input, actor);
          if (await applyDeposit(db, input, actor)) throw new Error('a replayed application must not apply again');
          break;
        }
        case 'refundDeposit': {
          const depositId = at(depositIds, step.which);
          if (depositId === undefined) break;
          const input = {
            customerId,
            depositId,
            amountCents: step.cents,
            reason: 'Returned',
            idempotencyKey: randomUUID(),
          };
          await refundDeposit(db, input, actor);
          if (await refundDeposit(db, input, actor)) throw new Error('a replayed refund must not refund again');
          break;
        }
      }
    } catch (error) {
      // The ledger refusing an action (too much, nothing left, wrong state) is expected; anything else is a bug.
      const refused = error instanceof LedgerError || (error as { statusCode?: number }).statusCode === 409;
      if (!refused) throw error;
    }
  }
}

t.test(
  'random sequences of invoice, pay, schedule, cancel, credit, apply, refund and deposits keep the ledger whole',
  async (t) => {
    const db = await ledgerDb(t);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        runs++;
        const customerId = await newCustomer(db);
        await runOps(db, customerId, ops);
        const problems = await ledgerProblems(db, customerId);
        if (problems.length) throw new Error(problems.join('\n'));
      }),
      { numRuns: 1000 },
    );
    t.equal(runs, 1000, 'ran 1,000 random sequences');
  },
);

t.test('a security deposit applied to an invoice, then refunded, keeps every ledger rule (D4)', async (t) => {
  const db = await ledgerDb(t);
  const customerId = await newCustomer(db);
  await runOps(db, customerId, [
    { op: 'invoice', cents: 7_000, dueIn: 10 },
    { op: 'deposit', cents: 20_000 },
    { op: 'applyDeposit', which: 0, invoice: 0, cents: 7_000 },
    { op: 'refundDeposit', which: 0, cents: 13_000 },
  ]);
  t.match(await db('security_deposits').where('customer_id', customerId).first(), {
    amount_cents: 20_000,
    held_cents: 0,
  });
  t.equal((await db('invoices').where('customer_id', customerId).first()).open_cents, 0);
  t.same(await ledgerProblems(db, customerId), []);
});

t.test('the same payment submitted 20 times at once is recorded once', async (t) => {
  const db = await ledgerDb(t);
  const customerId = await newCustomer(db);
  const invoice = await db.transaction((trx) =>
    createInvoice(
      trx,
      { customerId, issuedOn: TODAY, dueOn: TODAY, lines: [{ description: 'Line', quantity: 2, unitCents: 5_000 }] },
      actor,
    ),
  );
  const input: NewPayment = {
    customerId,
    amountCents: 4_000,
    method: 'check',
    source: 'external',
    paidOn: TODAY,
    today: TODAY,
    invoiceIds: [invoice.id],
    remainder: 'refuse',
    idempotencyKey: randomUUID(),
  };
  const results = await Promise.all(Array.from({ length: 20 }, () => recordPayment(db, input, actor)));
  t.equal(results.filter((r) => r.created).length, 1, 'one submission created it');
  t.equal(new Set(results.map((r) => r.payment.id)).size, 1, 'all twenty see the same payment');
  t.equal((await db('payments').where('customer_id', customerId)).length, 1);
  t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, 6_000, 'applied once');
});

t.test('invoices created at the same moment each get their own number (also on PostgreSQL)', async (t) => {
  const { db } = await buildTestApp(t);
  const customerId = (await db('customers').where({ name: 'Acme Plumbing Ltd' }).first()).id;
  const invoices = await Promise.all(
    Array.from({ length: 10 }, () =>
      db.transaction((trx) =>
        createInvoice(
          trx,
          {
            customerId,
            issuedOn: TODAY,
            dueOn: TODAY,
            lines: [{ description: 'Line', quantity: 1, unitCents: 1_000 }],
          },
          actor,
        ),
      ),
    ),
  );
  t.equal(new Set(invoices.map((i) => i.number)).size, 10, 'ten invoices, ten numbers, no clash');
});

t.test('a payment above what may still be paid is refused, or kept as credit when asked', async (t) => {
  const db = await ledgerDb(t);
  const customerId = await newCustomer(db);
  const invoice = await db.transaction((trx) =>
    createInvoice(
      trx,
      { customerId, issuedOn: TODAY, dueOn: TODAY, lines: [{ description: 'Line', quantity: 1, unitCents: 10_000 }] },
      actor,
    ),
  );
  const base = {
    customerId,
    method: 'card' as const,
    source: 'manual' as const,
    today: TODAY,
    invoiceIds: [invoice.id],
    remainder: 'refuse' as const,
  };
  const scheduled = await recordPayment(
    db,
    { ...base, amountCents: 3_000, paidOn: '2026-12-01', idempotencyKey: randomUUID() },
    actor,
  );
  t.equal(scheduled.payment.status, 'scheduled');
  await t.rejects(
    recordPayment(db, { ...base, amountCents: 7_001, paidOn: TODAY, idempotencyKey: randomUUID() }, actor),
    {
      message:
        /most that can be paid on this invoice is \$70\.00: the open balance of \$100\.00 less \$30\.00 already pending or scheduled/,
    },
  );
  const insisted = await recordPayment(
    db,
    { ...base, amountCents: 9_000, paidOn: TODAY, remainder: 'credit', idempotencyKey: randomUUID() },
    actor,
  );
  t.equal(insisted.payment.status, 'pending');
  await db.transaction((trx) => settlePayment(trx, insisted.payment.id, actor));
  t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, 3_000, 'the invoice takes only its share');
  const credit = await db('credits').where('payment_id', insisted.payment.id).first();
  t.match(
    credit,
    { kind: 'unapplied', amount_cents: 2_000, remaining_cents: 2_000 },
    'the rest is an unapplied-payment credit',
  );
  t.equal(
    await db.transaction((trx) => settlePayment(trx, insisted.payment.id, actor)),
    false,
    'settling twice does nothing',
  );
  t.same(await ledgerProblems(db, customerId), []);
});

t.test('card numbers pass the Luhn check and routing numbers the ABA checksum', async (t) => {
  for (const good of [
    '4242424242424242',
    '5555555555554444',
    '378282246310005',
    '6011111111111117',
    '4000000000000002',
  ])
    t.ok(passesLuhn(good), good);
  for (const bad of ['4242424242424241', '1234', 'abcd567890123', '4242 4242 4242 4242']) t.notOk(passesLuhn(bad), bad);
  t.equal(digitsOf('4242 4242-4242 4242'), '4242424242424242');
  for (const good of ['011000015', '021000021', '110000000']) t.ok(passesAbaChecksum(good), good);
  for (const bad of ['021000022', '12345678', '0110000150']) t.notOk(passesAbaChecksum(bad), bad);
  t.same(
    ['4242424242424242', '5555555555554444', '378282246310005', '6011111111111117', '1234567890123'].map(cardBrandOf),
    ['Visa', 'Mastercard', 'American Express', 'Discover', 'Card'],
  );
});

t.test('the sandbox gateway approves, declines, times out once per key, and settles ACH the next day', async (t) => {
  let now = new Date('2026-11-25T10:00:00Z');
  const gateway = new SandboxGateway(() => now);
  const token = async (number: string) => {
    const stored = await gateway.tokenize({
      kind: 'card',
      number,
      expMonth: 1,
      expYear: 2030,
      cvc: '123',
      holderName: 'T',
    });
    if (!stored.ok) throw new Error('refused');
    t.notOk(stored.token.includes(number), 'the token does not contain the number');
    return stored.token;
  };
  t.equal(
    (await gateway.charge({ token: await token(sandboxCards.approve[0]), amountCents: 100, idempotencyKey: 'a' }))
      .status,
    'approved',
  );
  t.equal(
    (await gateway.charge({ token: await token(sandboxCards.decline), amountCents: 100, idempotencyKey: 'd' })).status,
    'declined',
  );
  const slow = await token(sandboxCards.timeout);
  const timedOut = await gateway
    .charge({ token: slow, amountCents: 100, idempotencyKey: 't' })
    .catch((error: unknown) => error);
  t.ok(timedOut instanceof GatewayTimeoutError, 'the time-out test card times out');
  t.equal(
    (await gateway.charge({ token: slow, amountCents: 100, idempotencyKey: 't' })).status,
    'approved',
    'asking again gives the result',
  );
  const bank = await gateway.tokenize({
    kind: 'ach',
    routingNumber: '011000015',
    accountNumber: '12345678',
    accountType: 'checking',
    holderName: 'T',
  });
  if (!bank.ok) throw new Error('refused');
  const debit = await gateway.charge({ token: bank.token, amountCents: 100, idempotencyKey: 'b' });
  t.match(debit, { status: 'processing', settlesOn: '2026-11-26' });
  t.equal((await gateway.retrieve(debit.ref)).status, 'processing');
  now = new Date('2026-11-26T00:00:01Z');
  t.equal((await gateway.retrieve(debit.ref)).status, 'approved');
});
