import t from 'tap';
import { anInvoice } from '../../fixtures/billing.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

/** The idempotency key of the page's form posting to a URL ending in `action`. */
const keyIn = (html: string, action: string) =>
  new RegExp(`action="[^"]*${action}"[^>]*>[\\s\\S]*?name="idempotency_key" value="([^"]+)"`).exec(html)?.[1];

t.test(
  'Security Deposits: record (once per form), hold, apply to an invoice, refund; history on the sub-tab',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id');
    const base = `/customers/${acme.id}/billing/security-deposits`;
    const invoice = await anInvoice(db, {
      customerId: acme.id,
      lines: [{ description: 'Service', quantity: 1, unitCents: 8_000 }],
    });
    const support = await signIn(app, demoUsers.support);
    const page = await support.get(base);
    t.match(page.body, /No security deposits are held/);

    const bad = await support.post(base, {
      amount: 'lots',
      reference: '501',
      idempotency_key: keyIn(page.body, 'security-deposits'),
    });
    t.equal(bad.statusCode, 422);
    t.match(bad.body, /id="amount-error"/);
    t.match(bad.body, /value="lots"/, 'the form comes back filled in');

    const key = keyIn(page.body, 'security-deposits')!;
    for (let i = 0; i < 2; i++) {
      t.equal(
        (await support.post(base, { amount: '200.00', reference: '501', reason: 'New account', idempotency_key: key }))
          .statusCode,
        303,
      );
    }
    const deposits = await db('security_deposits').where('customer_id', acme.id);
    t.equal(deposits.length, 1, 'the same form submitted twice records one deposit');
    t.match(deposits[0], { amount_cents: 20_000, held_cents: 20_000 });
    t.match(await db('payments').where('id', deposits[0].payment_id).first(), {
      status: 'settled',
      amount_cents: 20_000,
      method: 'check',
    });
    t.same(await db('payment_applications').where('payment_id', deposits[0].payment_id), [], 'held, not applied');

    const held = await support.get(base);
    const depositId = deposits[0].id;
    const tooMuch = await support.post(`${base}/${depositId}/applications`, {
      invoice_id: invoice.id,
      amount: '90.00',
      idempotency_key: keyIn(held.body, 'applications'),
    });
    t.equal(tooMuch.statusCode, 422);
    t.match(tooMuch.body, /At most \$80\.00 may still be paid on/);

    const applyKey = keyIn(held.body, 'applications')!;
    for (let i = 0; i < 2; i++) {
      await support.post(`${base}/${depositId}/applications`, {
        invoice_id: invoice.id,
        amount: '80.00',
        idempotency_key: applyKey,
      });
    }
    t.equal((await db('invoices').where('id', invoice.id).first()).open_cents, 0, 'applied once');
    t.equal((await db('security_deposits').where('id', depositId).first()).held_cents, 12_000);

    const refundKey = keyIn((await support.get(base)).body, 'refunds')!;
    const overRefund = await support.post(`${base}/${depositId}/refunds`, {
      amount: '130.00',
      reason: 'Closing',
      idempotency_key: refundKey,
    });
    t.equal(overRefund.statusCode, 422);
    t.match(overRefund.body, /At most \$120\.00 is held/);
    t.equal(
      (
        await support.post(`${base}/${depositId}/refunds`, {
          amount: '120.00',
          reason: 'Closing',
          idempotency_key: refundKey,
        })
      ).statusCode,
      303,
    );
    const history = await support.get(base);
    t.match(history.body, /\$80\.00 applied to <a class="mono"/);
    t.match(history.body, /\$120\.00 refunded · Closing/);
    t.match(history.body, />Closed</);
  },
);

t.test('deposits: a reseller sees deposits but does not receive or refund them; another tenant gets 404', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id');
  const evergreen = await db('customers').where('name', 'Evergreen Dental Practice').first('id');
  const base = `/customers/${acme.id}/billing/security-deposits`;
  const reseller = await signIn(app, demoUsers.reseller);
  const page = await reseller.get(base);
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /Record a deposit/);
  t.equal((await reseller.post(base, { amount: '10.00', idempotency_key: crypto.randomUUID() })).statusCode, 403);
  t.equal(
    (await reseller.post(`${base}/1/refunds`, { amount: '1.00', reason: 'x', idempotency_key: crypto.randomUUID() }))
      .statusCode,
    403,
  );
  t.equal((await reseller.get(`/customers/${evergreen.id}/billing/security-deposits`)).statusCode, 404);
  const otherTenant = await reseller.post(`/customers/${evergreen.id}/billing/security-deposits/1/applications`, {
    invoice_id: 1,
    amount: '1.00',
    idempotency_key: crypto.randomUUID(),
  });
  t.equal(otherTenant.statusCode, 404);
});
