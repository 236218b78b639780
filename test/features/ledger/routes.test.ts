import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { runDueScheduledPayments, settleLeftovers } from '../../../src/features/ledger/charging.ts';
import { SandboxGateway, sandboxCards } from '../../../src/features/ledger/gateway.ts';
import { addDays, formatDate, todayIso } from '../../../src/lib/dates.ts';
import { aCardForm } from '../../fixtures/billing.ts';
import { Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const today = todayIso();

async function acmeOf(db: Db) {
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  return { acme, base: `/customers/${acme.id}/billing` };
}

const keyIn = (html: string) => /name="idempotency_key" value="([^"]+)"/.exec(html)![1];

t.test(
  'every billing page answers staff of the customer, 404 for another reseller, and sign-in for nobody',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme, base } = await acmeOf(db);
    const invoice = await db('invoices').where('customer_id', acme.id).orderBy('id').first();
    const payment = await db('payments').where({ customer_id: acme.id, status: 'scheduled' }).first();
    const method = await db('payment_methods').where('customer_id', acme.id).first();
    const credit = await db('credits').first();
    const creditBase = `/customers/${credit.customer_id}/billing`;
    const pages = [
      base,
      `${base}/open-invoices`,
      `${base}/invoices`,
      `${base}/invoices/new`,
      `${base}/invoices/${invoice.id}`,
      `${base}/invoices/${invoice.id}/view`,
      `${base}/invoices/${invoice.id}/emails`,
      `${base}/payments/new?invoice_ids=${invoice.id}`,
      `${base}/transactions`,
      `${base}/transactions/${payment.id}`,
      `${base}/checks/new`,
      `${base}/pending`,
      `${base}/scheduled`,
      `${base}/scheduled/${payment.id}/reschedule`,
      `${base}/calendar`,
      `${base}/calendar?day=${payment.paid_on}`,
      `${base}/credits?type=memo`,
      `${base}/unbilled-cdrs`,
      `${base}/credit-cards`,
      `${base}/bank-accounts`,
      `${base}/payment-methods/new?kind=ach`,
      `${base}/payment-methods/${method.id}/edit`,
      `${base}/automatic-payments`,
      `${base}/security-deposits`,
      `${creditBase}/credits/${credit.id}`,
    ];
    const northwind = await signIn(app, demoUsers.reseller);
    const contoso = await signIn(app, demoUsers.reseller2);
    const support = await signIn(app, demoUsers.support);
    for (const url of pages) {
      t.equal((await northwind.get(url)).statusCode, 200, `Northwind's reseller opens ${url}`);
      t.equal((await contoso.get(url)).statusCode, 404, `Contoso's reseller gets 404 for ${url}`);
      const anonymous = await new Agent(app).get(url);
      t.equal(anonymous.statusCode, 303, `nobody is sent to sign in from ${url}`);
    }
    t.equal((await support.get(`${base}/credits/new`)).statusCode, 200);
    t.equal((await northwind.get(`${base}/credits/new`)).statusCode, 403, 'a reseller may not issue credit memos');
    const posts = [
      `${base}/invoices`,
      `${base}/payments`,
      `${base}/checks`,
      `${base}/scheduled/${payment.id}`,
      `${base}/scheduled/${payment.id}/cancellation`,
      `${base}/payment-methods`,
      `${base}/payment-methods/${method.id}/removal`,
      `${base}/invoices/${invoice.id}/emails`,
      `${creditBase}/credits/${credit.id}/applications`,
    ];
    for (const url of posts)
      t.equal((await contoso.post(url, {})).statusCode, 404, `Contoso's reseller cannot post to ${url}`);
    t.equal(
      (await northwind.post(`${creditBase}/credits/${credit.id}/refunds`, { amount: '1', reason: 'x' })).statusCode,
      403,
      'a reseller may not refund',
    );
    t.equal((await db('payments').where({ id: payment.id }).first()).status, 'scheduled', 'nothing changed');
  },
);

t.test('the Balance page shows E4 figures and past-due markers', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base } = await acmeOf(db);
  const agent = await signIn(app, demoUsers.support);
  const page = await agent.get(base);
  const open = await db('invoices').where('customer_id', acme.id).where('open_cents', '>', 0);
  const total = open.reduce((s, i) => s + i.open_cents, 0);
  const pastDue = open.filter((i) => i.due_on < today).reduce((s, i) => s + i.open_cents, 0);
  t.match(page.body, new RegExp(`\\$${(total / 100).toFixed(2)}</span><span class="stat-label">Total Balance`));
  t.match(page.body, new RegExp(`\\$${(pastDue / 100).toFixed(2)}</span><span class="stat-label">Total Past Due`));
  t.match(page.body, new RegExp(`${open.length}</span><span class="stat-label"># Of Invoices`));
  t.equal(
    page.body.match(/class="row-past-due"/g)?.length,
    open.filter((i) => i.due_on < today).length,
    'each past-due invoice is marked',
  );
  t.match(page.body, /Pay Selected/);
  const noInvoices = await agent.get(`${base}/payments/new`);
  t.equal(noInvoices.statusCode, 303, 'Pay Selected with nothing ticked goes back to Open Invoices');
});

t.test(
  'Pay Invoice refuses more than can be paid, keeps the values, and CONFIRM records one payment with a receipt',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme, base } = await acmeOf(db);
    const agent = await signIn(app, demoUsers.admin);
    const current = await db('invoices').where('customer_id', acme.id).orderBy('id', 'desc').first();
    const method = await db('payment_methods').where('customer_id', acme.id).first();
    const form = await agent.get(`${base}/payments/new?invoice_ids=${current.id}`);
    t.match(
      form.body,
      /At most <strong>\$214\.00<\/strong> can be paid: the open balance of \$264\.00 less \$50\.00 already pending or scheduled/,
    );
    const key = keyIn(form.body);
    const fields = {
      invoice_ids: String(current.id),
      payment_method_id: String(method.id),
      paid_on: today,
      idempotency_key: key,
    };

    const tooMuch = await agent.post(`${base}/payments`, { ...fields, amount: '214.01' });
    t.equal(tooMuch.statusCode, 422);
    t.match(tooMuch.body, /id="amount-error">The most that can be paid on this invoice is \$214\.00/);
    t.match(tooMuch.body, /value="214.01"/, 'the amount typed is kept');
    const badDate = await agent.post(`${base}/payments`, { ...fields, amount: 'ten', paid_on: '2020-01-01' });
    t.equal(badDate.statusCode, 422);
    t.match(badDate.body, /id="amount-error">Enter an amount above zero/);

    const pastDate = await agent.post(`${base}/payments`, { ...fields, amount: '10', paid_on: addDays(today, -1) });
    t.match(pastDate.body, /id="paid_on-error">Pick today or a later date/);

    const ok = await agent.post(`${base}/payments`, { ...fields, amount: '250.00', keep_remainder: 'on' });
    t.equal(ok.statusCode, 303);
    const again = await agent.post(`${base}/payments`, { ...fields, amount: '250.00', keep_remainder: 'on' });
    t.equal(again.headers.location, ok.headers.location, 'submitting the same form again shows the same payment');
    const payments = await db('payments').where('idempotency_key', key);
    t.equal(payments.length, 1);
    t.match(payments[0], { status: 'settled', amount_cents: 25_000, source: 'manual', method: 'card' });
    t.equal(
      (await db('invoices').where('id', current.id).first()).open_cents,
      5_000,
      'the invoice keeps what the scheduled payment will take',
    );
    t.match(
      await db('credits').where('payment_id', payments[0].id).first(),
      { kind: 'unapplied', amount_cents: 3_600 },
      'the remainder is a credit',
    );
    const receipts = await db('emails').where('payment_id', payments[0].id).orderBy('to_address');
    const billingContacts = await db('contacts')
      .where({ customer_id: current.customer_id, is_billing_contact: true })
      .whereNull('access_revoked_at')
      .orderBy('email')
      .pluck('email');
    t.ok(billingContacts.length >= 1);
    t.same(
      receipts.map((r) => r.to_address),
      billingContacts,
      'one receipt is queued for each billing contact, once',
    );
    t.match(receipts[0], { template: 'payment-receipt', status: 'queued' });
    const confirmation = await agent.get(ok.headers.location as string);
    t.match(confirmation.body, /Payment of \$250\.00 \(TX-\d+\) accepted/);
    t.match(confirmation.body, /is an unapplied-payment credit/);
  },
);

t.test('a future date schedules the payment; RESCHEDULE and cancel change it, the calendar shows it', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base } = await acmeOf(db);
  const agent = await signIn(app, demoUsers.support);
  const scheduled = await db('payments').where({ customer_id: acme.id, status: 'scheduled' }).first();
  const month = scheduled.paid_on.slice(0, 7);
  const calendar = await agent.get(`${base}/calendar?month=${month}`);
  t.match(calendar.body, /1SP \$50\.00/);
  const breakdown = await agent.get(`${base}/calendar?day=${scheduled.paid_on}`, { htmx: true });
  t.match(breakdown.body, /^<section id="calendar-day"/, 'htmx gets only the breakdown');
  t.match(breakdown.body, /\$50\.00/);

  const invalid = await agent.post(`${base}/scheduled/${scheduled.id}`, { paid_on: addDays(today, -3) });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /id="paid_on-error">Pick today or a later date/);
  t.match(invalid.body, new RegExp(`value="${addDays(today, -3)}"`), 'the date typed is kept');
  const moved = await agent.post(`${base}/scheduled/${scheduled.id}`, { paid_on: addDays(today, 20) });
  t.equal(moved.statusCode, 303);
  t.equal((await db('payments').where('id', scheduled.id).first()).paid_on, addDays(today, 20));
  t.ok(
    await db('audit_events').where({ entity: 'payments', entity_id: scheduled.id, field: 'paid_on' }).first(),
    'the change is audited',
  );

  t.match(
    (await agent.get(moved.headers.location as string)).body,
    new RegExp(`now runs on ${formatDate(addDays(today, 20))}\\.`),
    'the message gives the date as pages show dates, not as ISO',
  );

  // Without JavaScript (the form sends `ask`) a page asks first, its buttons named by their effect.
  const asked = await agent.post(`${base}/scheduled/${scheduled.id}/cancellation`, { ask: '1' });
  t.equal(asked.statusCode, 200);
  t.match(asked.body, /<h1>Cancel the scheduled payment of \$50\.00 on /);
  t.match(asked.body, />Keep payment<\/a>/);
  t.match(asked.body, />Cancel payment<\/button>/);
  t.notMatch(asked.body, /name="ask"/, 'the page’s own button cancels');
  t.equal((await db('payments').where('id', scheduled.id).first()).status, 'scheduled', 'nothing is cancelled yet');
  const scheduledList = await agent.get(`${base}/scheduled`);
  t.match(scheduledList.body, /data-confirm-yes="Cancel payment" data-confirm-no="Keep payment"/);
  t.match(scheduledList.body, /<noscript><input type="hidden" name="ask" value="1"><\/noscript>/);

  const cancelled = await agent.post(`${base}/scheduled/${scheduled.id}/cancellation`);
  t.equal(cancelled.statusCode, 303);
  t.equal((await db('payments').where('id', scheduled.id).first()).status, 'cancelled');
  const twice = await agent.post(`${base}/scheduled/${scheduled.id}/cancellation`);
  t.equal(twice.statusCode, 409, 'a cancelled payment cannot be cancelled or rescheduled again');
  const scheduledPage = await agent.get(`${base}/scheduled`);
  t.match(scheduledPage.body, /No scheduled payments/);
});

t.test('a paper check is recorded as settled and its rest stays on account; the history lists it', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base } = await acmeOf(db);
  const agent = await signIn(app, demoUsers.reseller);
  const pastDue = await db('invoices')
    .where('customer_id', acme.id)
    .where('due_on', '<', today)
    .where('open_cents', '>', 0)
    .orderBy('due_on')
    .first();
  const form = await agent.get(`${base}/checks/new`);
  const missing = await agent.post(`${base}/checks`, {
    amount: '100',
    reference: '',
    paid_on: today,
    idempotency_key: keyIn(form.body),
    invoice_ids: String(pastDue.id),
  });
  t.equal(missing.statusCode, 422);
  t.match(missing.body, /id="reference-error">Enter the check number/);
  t.match(
    missing.body,
    new RegExp(`id="inv-${pastDue.id}" name="invoice_ids" value="${pastDue.id}" checked`),
    'the ticked invoice stays ticked',
  );
  const ok = await agent.post(`${base}/checks`, {
    amount: '100',
    reference: '20931',
    paid_on: today,
    idempotency_key: keyIn(form.body),
    invoice_ids: String(pastDue.id),
  });
  t.equal(ok.statusCode, 303);
  const check = await db('payments').where({ reference: '20931' }).first();
  t.match(check, { status: 'settled', source: 'external', method: 'check' });
  t.equal((await db('invoices').where('id', pastDue.id).first()).open_cents, 0);
  t.equal((await db('credits').where('payment_id', check.id).first()).amount_cents, 10_000 - pastDue.open_cents);
  const history = await agent.get(`${base}/transactions`);
  t.match(history.body, /Check 20931/);
  t.match(history.body, /pay-status-settled/);
  const invoices = await agent.get(`${base}/invoices`);
  t.match(invoices.body, /<span class="status status-active">Paid<\/span>/);
});

t.test('staff create an invoice with lines; mistakes are shown beside the fields with the values kept', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base } = await acmeOf(db);
  const agent = await signIn(app, demoUsers.admin);
  const bad = await agent.post(`${base}/invoices`, {
    issued_on: today,
    due_on: addDays(today, -1),
    po_number: 'PO-1',
    line_description: ['Fibre', '', ''],
    line_quantity: ['2', '', ''],
    line_unit: ['abc', '', ''],
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /id="due_on-error">The due date cannot be before the issue date/);
  t.match(bad.body, /id="line_unit.0-error">A price above zero/);
  t.match(bad.body, /value="Fibre"/);
  t.match(bad.body, /value="PO-1"/);
  const ok = await agent.post(`${base}/invoices`, {
    issued_on: today,
    due_on: addDays(today, 30),
    po_number: 'PO-1',
    line_description: ['Fibre', 'Install'],
    line_quantity: ['2', ''],
    line_unit: ['49.99', '100'],
  });
  t.equal(ok.statusCode, 303);
  const invoice = await db('invoices').where({ customer_id: acme.id, po_number: 'PO-1' }).first();
  t.match(invoice, { total_cents: 19_998, open_cents: 19_998 });
  t.equal((await db('invoice_lines').where('invoice_id', invoice.id)).length, 2);
  const summary = await agent.get(ok.headers.location as string);
  t.match(summary.body, /Invoice Summary/);
  t.match(summary.body, /Purchase Order #<\/dt><dd>PO-1/);
  const sent = await agent.post(`${base}/invoices/${invoice.id}/emails`);
  t.equal(sent.statusCode, 303);
  t.match(await db('emails').where('invoice_id', invoice.id).first(), {
    template: 'invoice',
    subject: `Invoice ${invoice.number}`,
  });
  t.match((await agent.get(`${base}/invoices/${invoice.id}/emails`)).body, /billing@acmeplumbingltd.example/);
  t.match((await agent.get(`${base}/invoices/${invoice.id}/view`)).body, /Balance due/);
});

t.test('credits: filters and totals, applying to open invoices, refunds, and memo validation', async (t) => {
  const { app, db } = await buildTestApp(t);
  const baker = await db('customers').where({ name: 'Baker & Sons Bakery' }).first();
  const base = `/customers/${baker.id}/billing`;
  const agent = await signIn(app, demoUsers.support);
  const memoForm = await agent.get(`${base}/credits/new`);
  const bad = await agent.post(`${base}/credits`, {
    amount: '-5',
    reason: 'Sorry',
    idempotency_key: keyIn(memoForm.body),
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /id="amount-error"/);
  t.match(bad.body, /value="Sorry"/);
  await agent.post(`${base}/credits`, { amount: '10', reason: 'Sorry', idempotency_key: keyIn(memoForm.body) });
  await agent.post(`${base}/credits`, { amount: '10', reason: 'Sorry', idempotency_key: keyIn(memoForm.body) });
  const memos = await agent.get(`${base}/credits?type=memo`);
  t.match(memos.body, /<strong>\$35\.00<\/strong> remaining on 2 credits/, 'the same form twice issues one memo');
  t.match((await agent.get(`${base}/credits?type=unapplied`)).body, /remaining on 0 credits/);

  const credit = await db('credits').where({ customer_id: baker.id }).orderBy('id').first();
  const invoice = await db('invoices').where({ customer_id: baker.id }).first();
  const page = await agent.get(`${base}/credits/${credit.id}`);
  const applyKey =
    /name="idempotency_key" value="([^"]+)">\s*\n\s*<p class="field-error|name="idempotency_key" value="([^"]+)"/.exec(
      page.body,
    )!;
  const noneTicked = await agent.post(`${base}/credits/${credit.id}/applications`, {
    idempotency_key: applyKey[1] ?? applyKey[2],
  });
  t.equal(noneTicked.statusCode, 422);
  t.match(noneTicked.body, /Choose one or more open invoices/);
  await agent.post(`${base}/credits/${credit.id}/applications`, {
    idempotency_key: applyKey[1] ?? applyKey[2],
    invoice_ids: String(invoice.id),
  });
  t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, invoice.open_cents - 2_500);
  t.equal((await db('credits').where('id', credit.id).first()).remaining_cents, 0);

  const second = await db('credits').where({ customer_id: baker.id }).orderBy('id', 'desc').first();
  const secondPage = await agent.get(`${base}/credits/${second.id}`);
  const keys = [...secondPage.body.matchAll(/name="idempotency_key" value="([^"]+)"/g)].map((m) => m[1]);
  const tooMuch = await agent.post(`${base}/credits/${second.id}/refunds`, {
    amount: '11',
    reason: 'Paid back',
    idempotency_key: keys[1],
  });
  t.equal(tooMuch.statusCode, 422);
  t.match(tooMuch.body, /id="refund_amount-error">At most \$10\.00 remains on this credit/);
  t.match(tooMuch.body, /value="Paid back"/);
  await agent.post(`${base}/credits/${second.id}/refunds`, {
    amount: '4',
    reason: 'Paid back',
    idempotency_key: keys[1],
  });
  t.equal((await db('credits').where('id', second.id).first()).remaining_cents, 600);
});

t.test(
  'payment methods: Luhn and routing checks, EDIT replaces, and the card number is never stored, logged or sent back',
  async (t) => {
    const log = new PassThrough();
    const logged: string[] = [];
    log.on('data', (chunk) => logged.push(String(chunk)));
    const { app, db, dir } = await buildTestApp(t, { LOG_LEVEL: 'trace' }, { logStream: log });
    const { acme, base } = await acmeOf(db);
    const agent = await signIn(app, demoUsers.support);
    const cardNumber = '5555555555554444';
    const card = aCardForm({ card_number: cardNumber });
    const responses: string[] = [];
    const unticked = await agent.post(`${base}/payment-methods`, { ...card, authorise: undefined });
    responses.push(unticked.body);
    t.equal(unticked.statusCode, 422);
    t.match(unticked.body, /id="authorise-error">Tick to confirm/);
    t.match(unticked.body, /value="Ops Mastercard"/, 'the name is kept');
    const saved = await agent.post(`${base}/payment-methods`, card);
    t.equal(saved.statusCode, 303);
    responses.push((await agent.get(`${base}/credit-cards`)).body);
    const method = await db('payment_methods').where({ friendly_name: 'Ops Mastercard' }).first();
    t.match(method, { brand: 'Mastercard', last4: '4444', exp_month: 4, country: 'US', kind: 'card' });
    t.match(method.gateway_token, /^sbx_card_approve_/);

    const badAch = await agent.post(`${base}/payment-methods`, {
      kind: 'ach',
      friendly_name: 'Ops bank',
      holder_name: 'Olga',
      routing_number: '021000022',
      account_number: '12',
      authorise: 'on',
    });
    t.equal(badAch.statusCode, 422);
    t.match(badAch.body, /id="routing_number-error">This is not a valid 9-digit routing number/);
    t.match(badAch.body, /id="account_number-error">An account number has 4 to 17 digits/);
    const ach = await agent.post(`${base}/payment-methods`, {
      kind: 'ach',
      friendly_name: 'Ops bank',
      holder_name: 'Olga',
      routing_number: '021000021',
      account_number: '000123456789',
      authorise: 'on',
    });
    t.equal(ach.statusCode, 303);
    t.match(await db('payment_methods').where({ friendly_name: 'Ops bank' }).first(), {
      kind: 'ach',
      brand: 'Checking',
      last4: '6789',
    });

    const edit = await agent.get(`${base}/payment-methods/${method.id}/edit`);
    t.match(
      edit.body,
      /<input type="text" id="card_number" name="card_number" inputmode="numeric" autocomplete="off" maxlength="23">/,
      'EDIT asks for the number again',
    );
    t.match(edit.body, /replace Mastercard ···· 4444/, 'and says which card it replaces');
    const replaced = await agent.post(`${base}/payment-methods/${method.id}`, {
      ...card,
      card_number: '4000000000000002',
      friendly_name: 'Ops Visa',
    });
    t.equal(replaced.statusCode, 303);
    t.ok(
      (await db('payment_methods').where('id', method.id).first()).replaced_by_id,
      'the old method is replaced, not changed',
    );
    const active = await db('payment_methods')
      .where({ customer_id: acme.id })
      .whereNull('replaced_by_id')
      .whereNull('removed_at');
    t.same(active.map((m) => m.friendly_name).sort(), ['Acme Business Visa', 'Ops Visa', 'Ops bank']);

    const visa = active.find((m) => m.friendly_name === 'Acme Business Visa')!;
    const inUse = await agent.post(`${base}/payment-methods/${visa.id}/removal`);
    t.equal(inUse.statusCode, 409, 'a method a scheduled payment uses cannot be removed');
    t.match(inUse.body, /A scheduled payment uses this method/);
    const bank = active.find((m) => m.friendly_name === 'Ops bank')!;
    t.equal((await agent.post(`${base}/payment-methods/${bank.id}/removal`)).statusCode, 303);
    t.ok(
      (await db('payment_methods').where('id', bank.id).first()).removed_at,
      'removed, and kept for the payments that used it',
    );
    t.notMatch((await agent.get(`${base}/bank-accounts`)).body, /<div class="method-name">Ops bank/);

    // A card that the gateway declines: the payment fails and no receipt goes out.
    const declineCard = active.find((m) => m.friendly_name === 'Ops Visa')!;
    const invoice = await db('invoices')
      .where('customer_id', acme.id)
      .where('open_cents', '>', 0)
      .orderBy('due_on')
      .first();
    const payForm = await agent.get(`${base}/payments/new?invoice_ids=${invoice.id}`);
    const declined = await agent.post(`${base}/payments`, {
      invoice_ids: String(invoice.id),
      payment_method_id: String(declineCard.id),
      paid_on: today,
      amount: '10',
      idempotency_key: keyIn(payForm.body),
    });
    const declinedPage = await agent.get(declined.headers.location as string);
    responses.push(declinedPage.body);
    t.match(declinedPage.body, /failed: Card declined \(sandbox test card\)\.</, 'one full stop, not two');
    t.notMatch(declinedPage.body, /failed: [^<]*\.\./);
    t.match(declinedPage.body, /Nothing was applied: the payment failed\./, 'a failed payment applied nothing');
    t.match(declinedPage.body, /<dt>Source<\/dt><dd>Staff<\/dd>/, 'a staff card payment says Staff, not "manual"');
    const activity = await agent.get(`/customers/${acme.id}/metrics/activity-log`);
    t.match(activity.body, /Payment added/, 'the Activity Log names records in words');
    t.notMatch(activity.body, /payments added/);
    t.notMatch(
      declinedPage.body,
      new RegExp(`/invoices/${invoice.id}"`),
      'its page lists no invoice it was applied to',
    );
    const summary = await agent.get(`${base}/invoices/${invoice.id}`);
    t.notMatch(
      summary.body,
      new RegExp(`/transactions/${declined.headers.location?.toString().split('/').pop()}"`),
      'nor does the invoice',
    );
    t.equal((await db('emails').whereNotNull('payment_id')).length, 0);
    t.equal(
      (await db('invoices').where('id', invoice.id).first()).open_cents,
      invoice.open_cents,
      'a declined payment takes nothing off',
    );

    await app.close();
    await db.destroy();
    const files = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('\n');
    for (const secret of [cardNumber, '4000000000000002', '000123456789']) {
      t.notOk(files.includes(secret), `${secret.slice(-4)} is not in the database files`);
      t.notOk(logged.join('').includes(secret), `${secret.slice(-4)} is not in the log`);
      t.notOk(responses.join('').includes(secret), `${secret.slice(-4)} is not in any response`);
    }
    t.ok(logged.length > 0, 'the log was captured');
  },
);

t.test('the janitor finishes a timed-out card payment and an ACH debit settles a day later', async (t) => {
  let clock = new Date();
  const gateway = new SandboxGateway(() => clock);
  const { app, db } = await buildTestApp(t, {}, { gateway });
  const { acme, base } = await acmeOf(db);
  const agent = await signIn(app, demoUsers.admin);
  const invoice = await db('invoices')
    .where('customer_id', acme.id)
    .where('open_cents', '>', 0)
    .orderBy('due_on')
    .first();
  for (const [kind, fields] of [
    [
      'card',
      {
        card_number: sandboxCards.timeout,
        exp_month: '1',
        exp_year: String(clock.getUTCFullYear() + 1),
        cvc: '111',
        holder_name: 'T',
        friendly_name: 'Slow card',
      },
    ],
    ['ach', { routing_number: '011000015', account_number: '99887766', holder_name: 'T', friendly_name: 'Bank' }],
  ] as const) {
    await agent.post(`${base}/payment-methods`, { kind, authorise: 'on', ...fields });
  }
  const slow = await db('payment_methods').where({ friendly_name: 'Slow card' }).first();
  const bank = await db('payment_methods').where({ friendly_name: 'Bank' }).first();
  const pay = async (methodId: number, amount: string) => {
    const form = await agent.get(`${base}/payments/new?invoice_ids=${invoice.id}`);
    const response = await agent.post(`${base}/payments`, {
      invoice_ids: String(invoice.id),
      payment_method_id: String(methodId),
      paid_on: today,
      amount,
      idempotency_key: keyIn(form.body),
    });
    return db('payments')
      .where('id', Number(/transactions\/(\d+)/.exec(response.headers.location as string)![1]))
      .first();
  };
  const timedOut = await pay(slow.id, '10');
  t.match(timedOut, { status: 'pending', gateway_ref: null }, 'a time-out leaves the payment pending');
  const debit = await pay(bank.id, '20');
  t.equal(debit.status, 'pending');
  t.match(debit.gateway_ref, /^sbx_ach_/);
  t.match((await agent.get(`${base}/pending`)).body, /pay-status-pending/);

  await settleLeftovers(db, gateway, clock);
  t.equal(
    (await db('payments').where('id', timedOut.id).first()).status,
    'pending',
    'too fresh for the janitor: a request may still be waiting',
  );
  clock = new Date(clock.getTime() + 2 * 60_000);
  await settleLeftovers(db, gateway, clock);
  t.equal(
    (await db('payments').where('id', timedOut.id).first()).status,
    'settled',
    'asking again with the same key settles it',
  );
  t.equal((await db('payments').where('id', debit.id).first()).status, 'pending', 'ACH is still on its way');
  clock = new Date(clock.getTime() + 86_400_000);
  await settleLeftovers(db, gateway, clock);
  t.equal((await db('payments').where('id', debit.id).first()).status, 'settled', 'ACH settles the next day');
  t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, invoice.open_cents - 3_000);

  // Due scheduled payments run once.
  const scheduled = await db('payments').where({ customer_id: acme.id, status: 'scheduled' }).first();
  const later = new Date(`${scheduled.paid_on}T12:00:00Z`);
  t.equal(await runDueScheduledPayments(db, gateway, later), 1);
  t.equal(await runDueScheduledPayments(db, gateway, later), 0, 'a second run finds nothing to do');
  t.equal((await db('payments').where('id', scheduled.id).first()).status, 'settled');
});

t.test(
  'global search finds customers, contacts, invoices and transactions, grouped and within the tenant',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme } = await acmeOf(db);
    const northwind = await signIn(app, demoUsers.reseller);
    const contoso = await signIn(app, demoUsers.reseller2);
    const byName = await northwind.get('/search?q=acme');
    t.match(byName.body, /<h2>Customers<\/h2>[\s\S]*Acme Plumbing Ltd/);
    const invoice = await db('invoices').where('customer_id', acme.id).orderBy('id').first();
    const byInvoice = await northwind.get(`/search?q=${invoice.number.toLowerCase()}`);
    t.match(byInvoice.body, new RegExp(`<h2>Invoices</h2>[\\s\\S]*${invoice.number}`));
    const byBareNumber = await northwind.get(`/search?q=0${invoice.id}`);
    t.match(byBareNumber.body, new RegExp(invoice.number), 'a bare number finds the invoice');
    t.match(byBareNumber.body, /<h2>Transactions<\/h2>/, 'and the transaction with that number');
    t.match((await northwind.get('/search?q=10442')).body, /check 10442/, 'a check number finds the transaction');
    t.match((await northwind.get('/search?q=Priya')).body, /<h2>Contacts<\/h2>[\s\S]*billing@acmeplumbingltd.example/);
    t.match((await northwind.get('/search?q=billing%40acme')).body, /Priya Acme/, 'contacts by e-mail too');
    const other = await contoso.get(`/search?q=${invoice.number}`);
    t.match(other.body, /Nothing matches/, "another reseller's invoices stay hidden");
    t.notMatch((await contoso.get('/search?q=acme')).body, /Acme Plumbing/);
    t.match((await northwind.get('/search?q=%25')).body, /Type at least two characters/);
    t.match((await northwind.get('/search?q=%25_')).body, /Nothing matches/, 'wildcards match literally');
  },
);

t.test('the customers list can show only customers with open invoices', async (t) => {
  const { app } = await buildTestApp(t);
  const support = await signIn(app, demoUsers.support);
  const all = await support.get('/customers');
  t.match(all.body, /Carla Jensen/);
  const open = await support.get('/customers?open_invoices=on');
  t.match(open.body, /Acme Plumbing Ltd/);
  t.match(open.body, /Evergreen Dental Practice/);
  t.notMatch(open.body, /Carla Jensen/, 'a customer without invoices is filtered out');
  t.match(open.body, /id="open_invoices" name="open_invoices" value="on" checked/);
  const typed = await support.get('/customers?q=acm&open_invoices=on', { htmx: true });
  t.match(typed.body, /Acme Plumbing Ltd/, 'with a term too, and as an htmx fragment');
  t.notMatch(typed.body, /<html/);
  t.notMatch((await support.get('/customers?q=carla&open_invoices=on')).body, /Carla Jensen<\/a>/);
  const acme = /href="\/customers\/(\d+)\/open">Acme Plumbing Ltd/.exec(open.body)![1];
  t.match(
    (await support.get(`/customers/${acme}`)).body,
    new RegExp(`href="/customers/${acme}/billing"[^>]*>Billing Information`),
    'the customer page links to Billing Information',
  );
});

t.test('payment forms refuse a card number in free text; Diners Club, JCB and UnionPay are named', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base } = await acmeOf(db);
  const agent = await signIn(app, demoUsers.support);
  const card = (number: string, extra: Record<string, string> = {}) => ({
    kind: 'card',
    friendly_name: 'Ops card',
    holder_name: 'Olga Ops',
    card_number: number,
    exp_month: '4',
    exp_year: String(new Date().getUTCFullYear() + 2),
    cvc: '987',
    authorise: 'on',
    ...extra,
  });
  for (const [field, typed] of [
    ['friendly_name', 'Visa 4242 4242 4242 4242'],
    ['holder_name', 'Olga 4242-4242-4242-4242'],
    ['address_line1', '6011111111111117'],
  ] as const) {
    const refused = await agent.post(`${base}/payment-methods`, card('5555555555554444', { [field]: typed }));
    t.equal(refused.statusCode, 422, `${field}: refused`);
    t.match(refused.body, new RegExp(`id="${field}-error">This looks like a card number`), `${field}: said beside it`);
    t.notMatch(refused.body, /4242 4242 4242 4242|6011111111111117/, `${field}: the number is not sent back`);
    t.match(refused.body, /class="error-summary"[^>]*autofocus/, `${field}: the error summary takes focus`);
  }
  t.equal(await db('payment_methods').where('friendly_name', 'like', '%4242%').first(), undefined);
  const fine = await agent.post(
    `${base}/payment-methods`,
    card('5555555555554444', { friendly_name: 'Card 2 of 1234567890' }),
  );
  t.equal(fine.statusCode, 303, 'digits that are no card number are fine');

  const check = await agent.get(`${base}/checks/new`);
  const refusedCheck = await agent.post(`${base}/checks`, {
    amount: '5',
    reference: '4242424242424242',
    paid_on: today,
    idempotency_key: keyIn(check.body),
  });
  t.equal(refusedCheck.statusCode, 422, 'a check reference is free text too');

  for (const [number, brand] of [
    ['30569309025904', 'Diners Club'],
    ['3530111333300000', 'JCB'],
    ['6200000000000005', 'UnionPay'],
  ] as const) {
    const added = await agent.post(`${base}/payment-methods`, card(number, { friendly_name: brand }));
    t.equal(added.statusCode, 303, `${brand} is accepted`);
    t.equal((await db('payment_methods').where({ customer_id: acme.id, friendly_name: brand }).first())?.brand, brand);
  }
});
