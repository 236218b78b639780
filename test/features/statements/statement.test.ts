import t from 'tap';
import { sendDueEmails } from '../../../src/features/email/sender.ts';
import { smtpMailer } from '../../../src/features/email/smtp.ts';
import { balanceSummary } from '../../../src/features/ledger/balance.ts';
import { applyCredit, issueCreditMemo } from '../../../src/features/ledger/credits.ts';
import { pdfBuffer, statementPdf } from '../../../src/features/statements/pdf.ts';
import { accountStatement } from '../../../src/features/statements/statement.ts';
import { addDays, todayIso } from '../../../src/lib/dates.ts';
import { formatCents } from '../../../src/lib/money.ts';
import { aCreditMemo, anInvoice, aPayment } from '../../fixtures/billing.ts';
import { aContact, aContactProfile, aCustomer } from '../../fixtures/customers.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { pdfText } from '../../helpers/pdf-text.ts';
import { startSmtpServer } from '../../helpers/smtp-server.ts';

const today = todayIso();

t.test(
  'E3: the statement closes at the ledger’s balance less credits, to the cent; ageing adds up to Total Balance',
  async (t) => {
    const { db } = await buildTestApp(t);
    for (const name of ['Acme Plumbing Ltd', 'Baker & Sons Bakery', 'Evergreen Dental Practice']) {
      const customer = await db('customers').where({ name }).first();
      const ledger = await balanceSummary(db, customer.id, today);
      const whole = await accountStatement(db, customer.id, { from: addDays(today, -365), to: today });
      t.equal(whole.closing_cents, ledger.total_balance_cents - ledger.credits_cents, `${name}: closing balance`);
      t.equal(whole.ageing_total_cents, ledger.total_balance_cents, `${name}: ageing total`);
      const recent = await accountStatement(db, customer.id, { from: addDays(today, -30), to: today });
      t.equal(recent.closing_cents, whole.closing_cents, `${name}: the period does not change where it ends`);
      const moved = recent.lines.reduce((s, l) => s + l.amount_cents, 0);
      t.equal(recent.opening_cents + moved, recent.closing_cents, `${name}: opening + movements = closing`);
    }
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    await issueCreditMemo(
      db,
      {
        customerId: acme.id,
        amountCents: 1_234,
        reason: 'Goodwill',
        idempotencyKey: '00000000-0000-4000-8000-000000000001',
      },
      { userId: null },
    );
    const withMemo = await accountStatement(db, acme.id, { from: addDays(today, -365), to: today });
    const ledger = await balanceSummary(db, acme.id, today);
    t.equal(withMemo.closing_cents, ledger.total_balance_cents - ledger.credits_cents, 'a credit memo counts the same');
    t.ok(withMemo.lines.some((l) => l.kind === 'credit' && l.amount_cents === -1_234));
    const open = await db('invoices').where({ customer_id: acme.id }).where('open_cents', '>', 0);
    const late = open.filter((i) => i.due_on < today && i.due_on >= addDays(today, -30));
    t.equal(
      withMemo.ageing.days1to30,
      late.reduce((s, i) => s + i.open_cents, 0),
      'the 1–30 bucket',
    );
  },
);

t.test(
  'E3: a past period’s statement equals the ledger as it stood at the period’s end, to the cent, whatever was paid since',
  async (t) => {
    const { db } = await buildTestApp(t);
    const customer = await aCustomer(db);
    const end = addDays(today, -40);
    const period = { from: addDays(end, -90), to: end };
    const late40 = await anInvoice(db, {
      customerId: customer.id,
      issuedOn: addDays(end, -70),
      dueOn: addDays(end, -40),
    });
    const late5 = await anInvoice(db, {
      customerId: customer.id,
      issuedOn: addDays(end, -35),
      dueOn: addDays(end, -5),
      lines: [{ description: 'Usage', quantity: 1, unitCents: 5_055 }],
    });
    const notDue = await anInvoice(db, {
      customerId: customer.id,
      issuedOn: addDays(end, -20),
      dueOn: addDays(end, 10),
      lines: [{ description: 'Usage', quantity: 3, unitCents: 833 }],
    });
    await aPayment(db, {
      customerId: customer.id,
      invoiceIds: [late40.id],
      amountCents: 3_001,
      paidOn: addDays(end, -10),
    });

    // The ledger as it stands on the period's last day, before anything later happens.
    const ledgerThen = await balanceSummary(db, customer.id, end);
    const statementThen = await accountStatement(db, customer.id, period);
    t.equal(statementThen.closing_cents, ledgerThen.total_balance_cents - ledgerThen.credits_cents, 'closing balance');
    t.equal(statementThen.ageing_total_cents, ledgerThen.total_balance_cents, 'ageing total is Total Balance');
    t.equal(
      statementThen.ageing_total_cents - statementThen.ageing.current,
      ledgerThen.past_due_cents,
      'the late buckets are Total Past Due',
    );
    t.same(statementThen.ageing, { current: 2_499, days1to30: 5_055, days31to60: 6_999, days61to90: 0, over90: 0 });

    // Later: a check pays everything, a credit memo is applied, a new invoice is issued.
    await aPayment(db, {
      customerId: customer.id,
      invoiceIds: [late40.id, late5.id],
      amountCents: 6_999 + 5_055,
      paidOn: addDays(today, -3),
    });
    const memo = await aCreditMemo(db, { customerId: customer.id, amountCents: 2_499 });
    await applyCredit(
      db,
      { customerId: customer.id, creditId: memo.id, invoiceIds: [notDue.id], idempotencyKey: 'statement-test-apply' },
      { userId: null },
    );
    await anInvoice(db, { customerId: customer.id });
    t.equal(
      (await balanceSummary(db, customer.id, today)).total_balance_cents,
      10_000,
      'today only the new invoice is open',
    );
    t.same(await accountStatement(db, customer.id, period), statementThen, 'the past statement has not moved');
  },
);

t.test(
  'E3: statement page, PDF and Emailing to the default billing contacts through SMTP; the PDF shows the ledger’s totals',
  async (t) => {
    const smtp = await startSmtpServer(t);
    const { app, db, config } = await buildTestApp(t, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const noStatements = await aContactProfile(db, { reseller_id: acme.reseller_id, permissions: ['view_invoices'] });
    await aContact(db, {
      customer_id: acme.id,
      name: 'Not Statements',
      email: 'no@acme.example',
      is_billing_contact: true,
      profile_id: noStatements.id,
    });
    const support = await signIn(app, demoUsers.support);
    const base = `/customers/${acme.id}/statement`;
    const page = await support.get(`${base}?from=${addDays(today, -365)}`);
    t.equal(page.statusCode, 200);
    t.match(page.body, /Opening balance/);
    t.match(page.body, /Over 90 days/);
    const ledger = await balanceSummary(db, acme.id, today);
    const closing = formatCents(ledger.total_balance_cents - ledger.credits_cents);
    t.match(page.body, closing);
    const pdf = await support.get(`${base}.pdf?from=${addDays(today, -365)}`);
    t.equal(pdf.statusCode, 200);
    t.equal(pdf.headers['content-type'], 'application/pdf');
    t.match(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
    t.equal((await (await signIn(app, demoUsers.reseller2)).get(base)).statusCode, 404, 'another reseller');
    t.equal(
      (await (await signIn(app, demoUsers.reseller)).post(`${base}/emailing`)).statusCode,
      403,
      'resellers do not send',
    );

    const sent = await support.post(`${base}/emailing`, { from: addDays(today, -365), to: today });
    t.equal(sent.statusCode, 303);
    await sendDueEmails(db, smtpMailer({ url: config.smtpUrl!, from: config.mailFrom }));
    t.same(
      smtp.received.map((r) => r.to),
      [['billing@acmeplumbingltd.example']],
      'the billing contact whose profile receives statements',
    );
    const [attachment] = smtp.received[0].mail.attachments;
    t.equal(attachment.contentType, 'application/pdf');
    const text = pdfText(attachment.content);
    const closingAt = text.indexOf('Closing balance');
    t.ok(closingAt > 0, 'the PDF says Closing balance');
    t.equal(text[closingAt + 1], closing, 'the PDF’s closing balance is the ledger’s');
    const totalAt = text.findIndex((s) => s.startsWith('Total open: '));
    t.equal(
      text[totalAt],
      `Total open: ${formatCents(ledger.total_balance_cents)}`,
      'the PDF’s ageing total is Total Balance',
    );
    t.match((await support.get(`/customers/${acme.id}/contacts`)).statusCode, 200);

    const period = await accountStatement(db, acme.id, { from: addDays(today, -365), to: today });
    t.ok(
      text.includes(
        `Invoices ${formatCents(period.invoiced_cents)} · Payments ${formatCents(period.paid_cents)} · Credits ${formatCents(period.credited_cents)} · Refunds ${formatCents(period.refunded_cents)}`,
      ),
      'the PDF’s period totals are the statement’s',
    );
    const direct = await pdfBuffer(
      await statementPdf(acme, await accountStatement(db, acme.id, { from: today, to: today })),
    );
    t.ok(pdfText(direct).includes('Opening balance'));
  },
);
