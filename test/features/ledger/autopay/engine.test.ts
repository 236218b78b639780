import fc from 'fast-check';
import t from 'tap';
import {
  type AutopayConfiguration,
  type AutopayInvoice,
  type Condition,
  conditionProblem,
  operators,
  planAutopay,
  triggers,
} from '../../../../src/features/ledger/autopay/engine.ts';
import { addDays } from '../../../../src/lib/dates.ts';

const today = '2026-11-30';
const card = { id: 7, kind: 'card' as const, label: 'Visa', removed: false, expMonth: 12, expYear: 2030 };

function invoice(overrides: Partial<AutopayInvoice> = {}): AutopayInvoice {
  return {
    id: 1,
    number: 'INV-0000001',
    customerId: 1,
    totalCents: 28_000,
    openCents: 28_000,
    pendingCents: 0,
    scheduledCents: 0,
    issuedOn: addDays(today, -10),
    contract: null,
    lineItems: ['Business fibre'],
    triedThisCycle: false,
    ...overrides,
  };
}

function configuration(id: number, conditions: Condition[], overrides: Partial<AutopayConfiguration> = {}) {
  return { id, customerId: 1, position: id, disabled: false, conditions, method: card, ...overrides };
}

const amountOver250: Condition = { trigger: 'amount', operator: 'greater_than', values: ['250'] };
const ageAtLeast15: Condition = { trigger: 'age', operator: 'at_least', values: ['15'] };

t.test('first match wins: later configurations that also hold are ignored', async (t) => {
  const configurations = [
    configuration(2, [amountOver250], { position: 1 }),
    configuration(1, [{ trigger: 'amount', operator: 'at_least', values: ['1'] }], { position: 2 }),
  ];
  const [decision] = planAutopay({ invoices: [invoice()], configurations, today });
  t.equal(decision.action, 'pay');
  t.equal(decision.action === 'pay' && decision.configurationId, 2, 'the top of the list pays');
  t.equal(decision.action === 'pay' && decision.amountCents, 28_000);
});

t.test(
  'all rows must hold: $280 at 10 days does not pay under "amount > 250 and age >= 15"; at 15 days it does',
  async (t) => {
    const configurations = [configuration(1, [amountOver250, ageAtLeast15])];
    const tenDays = planAutopay({ invoices: [invoice()], configurations, today })[0];
    t.match(tenDays, { action: 'skip', reason: 'no_match' });
    const fifteen = planAutopay({ invoices: [invoice({ issuedOn: addDays(today, -15) })], configurations, today })[0];
    t.match(fifteen, { action: 'pay', configurationId: 1 });
    const small = planAutopay({
      invoices: [invoice({ issuedOn: addDays(today, -15), totalCents: 25_000, openCents: 25_000 })],
      configurations,
      today,
    })[0];
    t.match(small, { action: 'skip', reason: 'no_match' }, '$250.00 is not greater than 250');
  },
);

t.test('disabled and invalid configurations never pay', async (t) => {
  const cases: [string, AutopayConfiguration][] = [
    ['disabled', configuration(1, [amountOver250], { disabled: true })],
    ['no rows', configuration(1, [])],
    [
      'an amount that is not a number',
      configuration(1, [{ trigger: 'amount', operator: 'greater_than', values: ['lots'] }]),
    ],
    ['an operator that does not fit', configuration(1, [{ trigger: 'age', operator: 'contains', values: ['1'] }])],
    [
      'several values without "one of"',
      configuration(1, [{ trigger: 'age', operator: 'equals', values: ['10', '11'] }]),
    ],
    ['no value', configuration(1, [{ trigger: 'line_item', operator: 'equals', values: [] }])],
    ['another customer', configuration(1, [amountOver250], { customerId: 2 })],
  ];
  for (const [what, c] of cases)
    t.match(planAutopay({ invoices: [invoice()], configurations: [c], today })[0], { action: 'skip' }, what);
});

t.test('"one of" and "contains" on line item names, and "not equals"', async (t) => {
  const inv = invoice({ lineItems: ['Business fibre', 'Call charges'] });
  const pays = (condition: Condition) =>
    planAutopay({ invoices: [inv], configurations: [configuration(1, [condition])], today })[0].action === 'pay';
  t.ok(pays({ trigger: 'line_item', operator: 'one_of', values: ['Hosted Voice', 'call charges'] }));
  t.notOk(pays({ trigger: 'line_item', operator: 'one_of', values: ['Hosted Voice', 'SIP Trunk'] }));
  t.ok(pays({ trigger: 'line_item', operator: 'contains', values: ['FIBRE'] }));
  t.notOk(pays({ trigger: 'line_item', operator: 'contains', values: ['copper'] }));
  t.notOk(pays({ trigger: 'line_item', operator: 'not_equals', values: ['Call charges'] }));
  t.ok(pays({ trigger: 'line_item', operator: 'not_equals', values: ['Hosted Voice'] }));
  t.ok(pays({ trigger: 'amount', operator: 'one_of', values: ['100', '280.00'] }));
  const contract = invoice({ contract: 'MSA-2026-17' });
  t.equal(
    planAutopay({
      invoices: [contract],
      configurations: [configuration(1, [{ trigger: 'contract', operator: 'contains', values: ['msa-2026'] }])],
      today,
    })[0].action,
    'pay',
  );
});

t.test('skips say why: paid, pending, scheduled, tried this cycle, expired method', async (t) => {
  const configurations = [configuration(1, [amountOver250])];
  const reasonOf = (inv: AutopayInvoice, cs = configurations) => {
    const d = planAutopay({ invoices: [inv], configurations: cs, today })[0];
    return d.action === 'skip' ? d.reason : 'pay';
  };
  t.equal(reasonOf(invoice({ openCents: 0 })), 'paid');
  t.equal(reasonOf(invoice({ pendingCents: 100 })), 'pending');
  t.equal(reasonOf(invoice({ scheduledCents: 100 })), 'scheduled');
  t.equal(reasonOf(invoice({ triedThisCycle: true })), 'tried');
  const expired = [configuration(1, [amountOver250], { method: { ...card, expYear: 2026, expMonth: 10 } })];
  t.equal(reasonOf(invoice(), expired), 'method_expired');
  const removed = [configuration(1, [amountOver250], { method: { ...card, removed: true } })];
  t.equal(reasonOf(invoice(), removed), 'method_expired');
  const thisMonth = [configuration(1, [amountOver250], { method: { ...card, expYear: 2026, expMonth: 11 } })];
  t.equal(reasonOf(invoice(), thisMonth), 'pay', 'a card is good through its expiry month');
});

t.test('line item names must be known when saving', async (t) => {
  const known = new Set(['business fibre']);
  t.equal(conditionProblem({ trigger: 'line_item', operator: 'equals', values: ['Business Fibre'] }, known), null);
  t.match(conditionProblem({ trigger: 'line_item', operator: 'equals', values: ['Fibre'] }, known), /not a line item/);
  t.match(conditionProblem({ trigger: 'age', operator: 'at_least', values: ['ten'] }), /not a number of days/);
});

const conditionArb: fc.Arbitrary<Condition> = fc.record({
  trigger: fc.constantFrom(...triggers),
  operator: fc.constantFrom(...operators),
  values: fc.array(fc.constantFrom('100', '250', '15', '30', 'Business fibre', 'Call', 'x'), {
    minLength: 0,
    maxLength: 3,
  }),
});

const invoiceArb: fc.Arbitrary<AutopayInvoice> = fc
  .record({
    id: fc.integer({ min: 1, max: 1_000_000 }),
    customerId: fc.integer({ min: 1, max: 3 }),
    totalCents: fc.integer({ min: 1, max: 100_000 }),
    openShare: fc.integer({ min: 0, max: 100 }),
    pendingShare: fc.integer({ min: 0, max: 100 }),
    scheduledShare: fc.integer({ min: 0, max: 100 }),
    age: fc.integer({ min: 0, max: 120 }),
    lineItems: fc.array(fc.constantFrom('Business fibre', 'Call charges', 'Hosted Voice'), { maxLength: 3 }),
    triedThisCycle: fc.boolean(),
  })
  .map((r) => {
    const openCents = Math.floor((r.totalCents * r.openShare) / 100);
    const pendingCents = Math.floor((openCents * r.pendingShare) / 200);
    const scheduledCents = Math.floor(((openCents - pendingCents) * r.scheduledShare) / 200);
    return {
      id: r.id,
      number: `INV-${r.id}`,
      customerId: r.customerId,
      totalCents: r.totalCents,
      openCents,
      pendingCents,
      scheduledCents,
      issuedOn: addDays(today, -r.age),
      contract: null,
      lineItems: r.lineItems,
      triedThisCycle: r.triedThisCycle,
    };
  });

const configurationArb: fc.Arbitrary<AutopayConfiguration> = fc.record({
  id: fc.integer({ min: 1, max: 1000 }),
  customerId: fc.integer({ min: 1, max: 3 }),
  position: fc.integer({ min: 1, max: 10 }),
  disabled: fc.boolean(),
  conditions: fc.array(conditionArb, { maxLength: 3 }),
  method: fc.record({
    id: fc.integer({ min: 1, max: 9 }),
    kind: fc.constant('card' as const),
    label: fc.constant('Visa'),
    removed: fc.boolean(),
    expMonth: fc.constant(12),
    expYear: fc.constantFrom(2025, 2030),
  }),
});

t.test('property: a plan never pays above the open balance net of pending and scheduled payments', async (t) => {
  fc.assert(
    fc.property(
      fc.array(invoiceArb, { maxLength: 20 }),
      fc.array(configurationArb, { maxLength: 6 }),
      (invoices, configurations) => {
        for (const d of planAutopay({ invoices, configurations, today })) {
          if (d.action !== 'pay') continue;
          const net = d.invoice.openCents - d.invoice.pendingCents - d.invoice.scheduledCents;
          if (!(d.amountCents > 0 && d.amountCents <= net)) return false;
          const config = configurations.find((c) => c.id === d.configurationId)!;
          if (config.disabled || config.customerId !== d.invoice.customerId || d.invoice.triedThisCycle) return false;
        }
        return true;
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('1,000 random plans hold');
});
