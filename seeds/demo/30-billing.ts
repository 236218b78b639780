import type { Tx } from '../../src/db/index.ts';
import { issueCreditMemo } from '../../src/features/ledger/credits.ts';
import { SandboxGateway, sandboxCards } from '../../src/features/ledger/gateway.ts';
import { createInvoice } from '../../src/features/ledger/invoices.ts';
import { savePaymentMethod } from '../../src/features/ledger/payment-methods.ts';
import { recordPayment, settlePayment } from '../../src/features/ledger/payments.ts';
import { addDays, nowIso, todayIso } from '../../src/lib/dates.ts';

const actor = { userId: null, actingAs: 'demo data' };

/**
 * Billing demo data: Acme Plumbing has a paid, a partly paid, a past-due and a current invoice, a card
 * and a scheduled payment; Baker & Sons has a credit memo; Evergreen Dental (Contoso) has open invoices.
 */
export async function seed(trx: Tx): Promise<void> {
  const today = todayIso();
  const customer = async (name: string) => (await trx('customers').where({ name }).first('id')).id as number;
  const acme = await customer('Acme Plumbing Ltd');
  const baker = await customer('Baker & Sons Bakery');
  const evergreen = await customer('Evergreen Dental Practice');

  const hasBillingContact = await trx('contacts').where({ customer_id: acme, is_billing_contact: true }).first('id');
  if (!hasBillingContact) {
    await trx('contacts').insert({
      customer_id: acme,
      name: 'Priya Acme',
      email: 'billing@acmeplumbingltd.example',
      is_billing_contact: true,
      created_at: nowIso(),
    });
  }

  const invoice = (
    customerId: number,
    issuedDaysAgo: number,
    dueInDays: number,
    lines: [string, number, number][],
    poNumber?: string,
  ) =>
    createInvoice(
      trx,
      {
        customerId,
        issuedOn: addDays(today, -issuedDaysAgo),
        dueOn: addDays(today, -issuedDaysAgo + dueInDays),
        poNumber,
        lines: lines.map(([description, quantity, unitCents]) => ({ description, quantity, unitCents })),
      },
      actor,
    );

  const paid = await invoice(
    acme,
    75,
    30,
    [
      ['Business fibre 500 Mb', 1, 18_900],
      ['Static IP block /29', 1, 2_500],
    ],
    'PO-4410',
  );
  const partly = await invoice(
    acme,
    45,
    30,
    [
      ['Business fibre 500 Mb', 1, 18_900],
      ['Hosted PBX seats', 6, 1_250],
    ],
    'PO-4471',
  );
  await invoice(acme, 40, 20, [
    ['Call charges', 1, 4_637],
    ['Number porting', 2, 1_500],
  ]);
  const current = await invoice(
    acme,
    5,
    30,
    [
      ['Business fibre 500 Mb', 1, 18_900],
      ['Hosted PBX seats', 6, 1_250],
    ],
    'PO-4502',
  );

  const payment = (input: {
    amountCents: number;
    method: 'check' | 'card';
    invoiceIds: number[];
    paidOn: string;
    reference?: string;
    paymentMethodId?: number;
  }) =>
    recordPayment(
      trx,
      {
        customerId: acme,
        source: input.method === 'check' ? 'external' : 'manual',
        today,
        remainder: 'refuse',
        idempotencyKey: `demo-${input.invoiceIds.join('-')}-${input.amountCents}-${input.paidOn}`,
        ...input,
      },
      actor,
    );

  await payment({
    amountCents: paid.total_cents,
    method: 'check',
    reference: '10442',
    invoiceIds: [paid.id],
    paidOn: addDays(today, -50),
  });
  const card = await savePaymentMethod(
    trx,
    new SandboxGateway(),
    {
      customerId: acme,
      friendlyName: 'Acme Business Visa',
      details: {
        kind: 'card',
        number: sandboxCards.approve[0],
        expMonth: 8,
        expYear: Number(today.slice(0, 4)) + 3,
        cvc: '123',
        holderName: 'Priya Patel',
      },
      address: { line1: '12 Harbour Road', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    },
    actor,
  );
  const partPayment = await payment({
    amountCents: 10_000,
    method: 'card',
    paymentMethodId: card.id,
    invoiceIds: [partly.id],
    paidOn: today,
  });
  await settlePayment(trx, partPayment.payment.id, actor, 'sbx_demo');
  await payment({
    amountCents: 5_000,
    method: 'card',
    paymentMethodId: card.id,
    invoiceIds: [current.id],
    paidOn: addDays(today, 7),
  });

  await invoice(baker, 20, 30, [
    ['Broadband 200 Mb', 1, 6_500],
    ['Router rental', 1, 800],
  ]);
  await issueCreditMemo(
    trx,
    { customerId: baker, amountCents: 2_500, reason: 'Service outage on the 3rd', idempotencyKey: 'demo-baker-memo' },
    actor,
  );

  await invoice(evergreen, 50, 30, [['Practice lines', 4, 2_250]], 'EV-88');
  await invoice(
    evergreen,
    12,
    30,
    [
      ['Practice lines', 4, 2_250],
      ['Call charges', 1, 3_412],
    ],
    'EV-91',
  );
}
