import t, { type Test } from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { emailJobHandlers, emailRecurringJobs } from '../../../src/features/email/jobs.ts';
import { CLAIM_LEASE_MS } from '../../../src/features/email/queries.ts';
import { RETRY_DELAYS_MS, sendDueEmails } from '../../../src/features/email/sender.ts';
import { smtpMailer } from '../../../src/features/email/smtp.ts';
import { transactionNumberFor } from '../../../src/features/ledger/payments.ts';
import { jobHandlers, recurringJobs } from '../../../src/jobs/handlers.ts';
import { enqueueJob, runDueJobs } from '../../../src/jobs/queue.ts';
import { todayIso } from '../../../src/lib/dates.ts';
import { aContact } from '../../fixtures/customers.ts';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { startSmtpServer } from '../../helpers/smtp-server.ts';

const MAIL_FROM = 'Acme Billing <billing@ledgerdesk.example>';

/** Acme has one billing contact in the test world; receipts go to each, so give it a second. */
async function testAppWithTwoBillingContacts(t: Test, env: Record<string, string> = {}) {
  const built = await buildTestApp(t, env);
  const acme = await built.db('customers').where({ name: 'Acme Plumbing Ltd' }).first('id');
  await aContact(built.db, {
    customer_id: acme.id,
    name: 'Sam Ledger',
    email: 'sam.ledger@acmeplumbing.example',
    is_billing_contact: true,
  });
  return built;
}

async function acmeOf(db: Db) {
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const contacts: { id: number; name: string; email: string }[] = await db('contacts')
    .where({ customer_id: acme.id, is_billing_contact: true })
    .whereNull('access_revoked_at')
    .orderBy('id')
    .select('id', 'name', 'email');
  return { acme, contacts, base: `/customers/${acme.id}/billing` };
}

/** Email Invoice on the customer's first `count` invoices, as staff press it; returns the invoices. */
async function emailInvoices(t: Test, db: Db, agent: Agent, count: number) {
  const { acme, base } = await acmeOf(db);
  const invoices: { id: number; number: string }[] = await db('invoices')
    .where('customer_id', acme.id)
    .orderBy('id')
    .limit(count);
  for (const invoice of invoices) t.equal((await agent.post(`${base}/invoices/${invoice.id}/emails`)).statusCode, 303);
  return invoices;
}

t.test('a payment receipt goes to each billing contact over SMTP, exactly once', async (t) => {
  const smtp = await startSmtpServer(t);
  const { app, db, config } = await testAppWithTwoBillingContacts(t, {
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    MAIL_FROM,
  });
  const { acme, contacts, base } = await acmeOf(db);
  t.ok(contacts.length >= 2, 'the customer has two billing contacts');
  // Whatever a contact is called goes into the HTML escaped.
  await db('contacts').where('id', contacts[0].id).update({ name: 'Priya <Finance> & Co' });
  const agent = await signIn(app, demoUsers.admin);
  const invoice = await db('invoices').where('customer_id', acme.id).orderBy('id', 'desc').first();
  const method = await db('payment_methods').where('customer_id', acme.id).first();
  const form = await agent.get(`${base}/payments/new?invoice_ids=${invoice.id}`);
  const paid = await agent.post(`${base}/payments`, {
    invoice_ids: String(invoice.id),
    payment_method_id: String(method.id),
    paid_on: todayIso(),
    amount: '100.00',
    idempotency_key: /name="idempotency_key" value="([^"]+)"/.exec(form.body)![1],
  });
  t.equal(paid.statusCode, 303);
  const payment = await db('payments').where({ customer_id: acme.id }).orderBy('id', 'desc').first();
  t.equal(
    (await db('jobs').where({ kind: 'email', status: 'queued' })).length,
    contacts.length,
    'queueing asks the sender to run at once',
  );

  t.ok(jobHandlers(config).email, "the sender is one of the app's jobs");
  t.same(emailRecurringJobs, [{ kind: 'email', cron: '* * * * *' }], 'run every minute too, for retries');
  t.ok(recurringJobs.some((job) => job.kind === 'email'));
  const handlers = emailJobHandlers(config);
  t.same(await runDueJobs(db, handlers, { worker: 'test' }), { done: contacts.length, failed: 0 });
  t.same(smtp.received.map((r) => r.to).sort(), contacts.map((c) => [c.email]).sort(), 'one e-mail per contact');
  const first = smtp.received.find((r) => r.to[0] === contacts[0].email)!.mail;
  t.equal(first.subject, `Payment receipt: ${transactionNumberFor(payment.id)}`);
  t.match(first.from?.text, 'billing@ledgerdesk.example');
  t.match(first.text, /^Hello Priya <Finance> & Co,\n\nWe received a payment of \$100\.00 towards /);
  t.match(first.text, new RegExp(`towards ${invoice.number} on `));
  t.match(first.html, /<p>Hello Priya &lt;Finance&gt; &amp; Co,<\/p>/);
  t.match(first.html, /<strong>\$100\.00<\/strong>/);
  t.match(first.messageId, /^<email-\d+\.\d+@ledgerdesk\.example>$/);

  const rows = await db('emails').where('payment_id', payment.id).orderBy('id');
  t.match(
    rows,
    contacts.map(() => ({ status: 'sent', attempts: 1, error: null, next_attempt_at: null })),
  );
  t.ok(rows.every((row) => row.sent_at));
  t.same(
    (
      await db('email_attempts').whereIn(
        'email_id',
        rows.map((row) => row.id),
      )
    ).map((a) => a.error),
    contacts.map(() => null),
  );
  await enqueueJob(db, { kind: 'email' });
  await runDueJobs(db, handlers, { worker: 'test' });
  t.equal(smtp.received.length, contacts.length, 'a later run sends nothing again');
});

t.test(
  'the SMTP server dies mid-queue: the failure is recorded and retried, and every e-mail arrives once',
  async (t) => {
    const down = await startSmtpServer(t, { stopListeningAfter: 1 });
    const { app, db, config } = await testAppWithTwoBillingContacts(t, {
      SMTP_URL: `smtp://127.0.0.1:${down.port}`,
      MAIL_FROM,
    });
    const { contacts, base } = await acmeOf(db);
    const agent = await signIn(app, demoUsers.admin);
    const invoices = await emailInvoices(t, db, agent, 2);
    const queued = await db('emails')
      .whereIn(
        'invoice_id',
        invoices.map((i) => i.id),
      )
      .orderBy('id');
    t.equal(queued.length, 2 * contacts.length);
    const mailer = smtpMailer({ url: config.smtpUrl!, from: config.mailFrom });
    const start = new Date();
    const at = (ms: number) => () => new Date(start.getTime() + ms);

    t.same(
      await sendDueEmails(db, mailer, { now: at(0) }),
      { sent: 1, retrying: 1, failed: 0 },
      'the first is accepted, the second finds the server gone, and the run stops there',
    );
    t.equal(down.received.length, 1);
    const [sent, refused, ...untried] = await db('emails')
      .whereIn(
        'id',
        queued.map((e) => e.id),
      )
      .orderBy('id');
    t.match(sent, { status: 'sent', attempts: 1, error: null });
    t.match(refused, { status: 'queued', attempts: 1, error: /ECONNREFUSED/, claimed_by: null });
    t.equal(refused.next_attempt_at, at(RETRY_DELAYS_MS[0])().toISOString(), 'tried again after a minute');
    t.match(await db('email_attempts').where('email_id', refused.id), [{ error: /ECONNREFUSED/, started_at: String }]);
    t.match(
      untried,
      untried.map(() => ({ status: 'queued', attempts: 0 })),
      'the rest wait for the next run',
    );
    const history = (await agent.get(`${base}/invoices/${invoices[0].id}/emails`)).body;
    t.match(history, /<span class="status status-active">sent<\/span>/);
    t.match(history, /<span class="status">queued<\/span> · next try/);
    t.match(history, /<span class="field-error">[^<]*ECONNREFUSED/);

    const up = await startSmtpServer(t, { port: down.port });
    t.same(
      await sendDueEmails(db, mailer, { now: at(30_000) }),
      { sent: untried.length, retrying: 0, failed: 0 },
      'half a minute later the server is back: the untried ones go, the failed one waits for its time',
    );
    t.same(await sendDueEmails(db, mailer, { now: at(RETRY_DELAYS_MS[0]) }), { sent: 1, retrying: 0, failed: 0 });
    t.same(await sendDueEmails(db, mailer, { now: at(3_600_000) }), { sent: 0, retrying: 0, failed: 0 });

    const arrived = [...down.received, ...up.received];
    t.same(
      arrived.map((r) => `${r.to[0]} ${r.mail.subject}`).sort(),
      queued.map((e) => `${e.to_address} ${e.subject}`).sort(),
      'every e-mail arrived, exactly once',
    );
    t.equal(new Set(arrived.map((r) => r.mail.messageId)).size, queued.length);
    t.match(await db('emails').where('id', refused.id).first(), { status: 'sent', attempts: 2, error: null });
    t.same(
      (await db('email_attempts').where('email_id', refused.id).orderBy('id')).map((a) => a.error === null),
      [false, true],
      'both attempts are kept',
    );
  },
);

t.test(
  'a refusal for good fails the e-mail at once; a refusal for now is retried, up to the last attempt',
  async (t) => {
    const smtp = await startSmtpServer(t, {
      refuse: (address) =>
        address.startsWith('gone@')
          ? { code: 550, message: 'No such mailbox' }
          : address.startsWith('full@')
            ? { code: 452, message: 'Mailbox full, try later' }
            : undefined,
    });
    const { app, db, config } = await testAppWithTwoBillingContacts(t, {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM,
    });
    const { contacts, base } = await acmeOf(db);
    await db('contacts').where('id', contacts[0].id).update({ email: 'gone@acme.example' });
    await db('contacts').where('id', contacts[1].id).update({ email: 'full@acme.example' });
    const agent = await signIn(app, demoUsers.admin);
    const [invoice] = await emailInvoices(t, db, agent, 1);
    const mailer = smtpMailer({ url: config.smtpUrl!, from: config.mailFrom });
    let clock = new Date();
    t.same(await sendDueEmails(db, mailer, { now: () => clock }), { sent: 0, retrying: 1, failed: 1 });
    const full = await db('emails').where({ invoice_id: invoice.id, to_address: 'full@acme.example' }).first();
    for (const delay of RETRY_DELAYS_MS) {
      t.same(await sendDueEmails(db, mailer, { now: () => new Date(clock.getTime() + delay - 1000) }), {
        sent: 0,
        retrying: 0,
        failed: 0,
      });
      clock = new Date(clock.getTime() + delay);
      await sendDueEmails(db, mailer, { now: () => clock });
    }
    t.match(await db('emails').where({ invoice_id: invoice.id }).orderBy('to_address'), [
      { to_address: 'full@acme.example', status: 'failed', attempts: RETRY_DELAYS_MS.length + 1, error: /452/ },
      { to_address: 'gone@acme.example', status: 'failed', attempts: 1, error: /550 No such mailbox/ },
    ]);
    t.equal((await db('email_attempts').where('email_id', full.id)).length, RETRY_DELAYS_MS.length + 1);
    t.equal(smtp.received.length, 0);
    const history = (await agent.get(`${base}/invoices/${invoice.id}/emails`)).body;
    t.equal(history.match(/<span class="status status-past-due">failed<\/span>/g)?.length, 2);
    t.match(history, /<span class="field-error">[^<]*550 No such mailbox/);
  },
);

t.test('without SMTP_URL the sender sends nothing and the e-mail stays queued', async (t) => {
  const smtp = await startSmtpServer(t);
  const { app, db, config } = await testAppWithTwoBillingContacts(t);
  t.equal(config.smtpUrl, undefined);
  const agent = await signIn(app, demoUsers.admin);
  const [invoice] = await emailInvoices(t, db, agent, 1);
  const { contacts } = await acmeOf(db);
  t.same(await runDueJobs(db, emailJobHandlers(config), { worker: 'test' }), { done: contacts.length, failed: 0 });
  t.match(
    await db('emails').where('invoice_id', invoice.id),
    contacts.map(() => ({ status: 'queued', attempts: 0, sent_at: null, error: null })),
  );
  t.equal((await db('email_attempts')).length, 0);
  t.equal(smtp.received.length, 0);
});

t.test(
  'senders running at once send each e-mail once; one that crashed mid-send is taken over after its lease',
  async (t) => {
    const smtp = await startSmtpServer(t);
    const { app, db, config } = await testAppWithTwoBillingContacts(t, {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM,
    });
    const agent = await signIn(app, demoUsers.admin);
    const invoices = await emailInvoices(t, db, agent, 3);
    const queued = await db('emails')
      .whereIn(
        'invoice_id',
        invoices.map((i) => i.id),
      )
      .orderBy('id');
    const start = new Date();
    const crashed = queued[0];
    await db('emails')
      .where('id', crashed.id)
      .update({ claimed_by: 'crashed', claimed_at: start.toISOString(), attempts: 1 });
    const mailer = smtpMailer({ url: config.smtpUrl!, from: config.mailFrom });
    const runs = await Promise.all([1, 2, 3].map(() => sendDueEmails(db, mailer, { now: () => start })));
    t.equal(
      runs.reduce((sum, run) => sum + run.sent, 0),
      queued.length - 1,
      'between them they sent each e-mail but the claimed one',
    );
    t.same(
      smtp.received.map((r) => r.mail.messageId).sort(),
      [...new Set(smtp.received.map((r) => r.mail.messageId))].sort(),
      'none twice',
    );
    const justBefore = new Date(start.getTime() + CLAIM_LEASE_MS - 1);
    t.same(await sendDueEmails(db, mailer, { now: () => justBefore }), { sent: 0, retrying: 0, failed: 0 });
    const after = new Date(start.getTime() + CLAIM_LEASE_MS + 1);
    t.same(await sendDueEmails(db, mailer, { now: () => after }), { sent: 1, retrying: 0, failed: 0 });
    t.match(await db('emails').where('id', crashed.id).first(), { status: 'sent', attempts: 2, claimed_by: null });
    t.equal(smtp.received.length, queued.length);
  },
);
