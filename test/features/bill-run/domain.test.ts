import t from 'tap';
import { type CustomerToBill, composeBill } from '../../../src/features/bill-run/bill.ts';
import { type BillableService, proratedCents, serviceCharges } from '../../../src/features/bill-run/charges.ts';
import { accruals, type CommissionPlan } from '../../../src/features/bill-run/commissions/accrual.ts';
import { billingPeriod } from '../../../src/features/bill-run/periods.ts';
import { formatRate, parseRate, type TaxRate, taxLines } from '../../../src/features/bill-run/taxes/tax.ts';
import { billedSeconds, rateCall, rateFor, rateTable } from '../../../src/features/usage/rating.ts';
import { divideRoundingHalfUp } from '../../../src/lib/money.ts';

const november = billingPeriod('2026-11');

function aService(overrides: Partial<BillableService> = {}): BillableService {
  return {
    id: 1,
    name: 'Hosted Voice',
    monthlyCents: 3_000,
    setupCents: 0,
    startsOn: '2026-01-01',
    endsOn: null,
    usageCents: 0,
    calls: 0,
    priceListId: 1,
    priced: true,
    unratedCalls: 0,
    unratedDestination: null,
    ...overrides,
  };
}

t.test('periods: a calendar month, first to last day', async (t) => {
  t.same(billingPeriod('2026-11'), { period: '2026-11', start: '2026-11-01', end: '2026-11-30', days: 30 });
  t.equal(billingPeriod('2028-02').days, 29);
  t.throws(() => billingPeriod('2026-13'));
});

t.test('rounding: half up, in integers', async (t) => {
  t.equal(divideRoundingHalfUp(5, 10), 1);
  t.equal(divideRoundingHalfUp(4, 10), 0);
  t.equal(divideRoundingHalfUp(15, 10), 2);
  t.throws(() => divideRoundingHalfUp(1, 0));
});

t.test('pro-rating by day: start, end, both in the period, and a whole month', async (t) => {
  t.same(proratedCents(3_000, '2026-01-01', null, november), { cents: 3_000, days: 30 });
  t.same(proratedCents(3_000, '2026-11-21', null, november), { cents: 1_000, days: 10 }, 'starts in the period');
  t.same(proratedCents(3_000, '2026-01-01', '2026-11-05', november), { cents: 500, days: 5 }, 'ends in the period');
  t.same(proratedCents(3_000, '2026-11-11', '2026-11-20', november), { cents: 1_000, days: 10 }, 'both');
  t.same(proratedCents(1_000, '2026-11-30', null, november), { cents: 33, days: 1 }, '33.33 rounds down');
  t.same(proratedCents(2_000, '2026-11-30', null, november), { cents: 67, days: 1 }, '66.67 rounds up');
  t.same(proratedCents(3_000, '2026-12-01', null, november), { cents: 0, days: 0 }, 'not yet started');
  t.same(proratedCents(3_000, '2026-01-01', '2026-10-31', november), { cents: 0, days: 0 }, 'already ended');
});

t.test('set-up is charged in the period the service starts, and only then', async (t) => {
  const service = aService({ setupCents: 5_000, startsOn: '2026-11-15' });
  const kinds = (period: string) => serviceCharges(service, billingPeriod(period)).map((c) => c.kind);
  t.same(kinds('2026-11'), ['recurring', 'setup']);
  t.same(kinds('2026-12'), ['recurring']);
});

t.test('usage: longest prefix wins, minimum and increment (60/6)', async (t) => {
  const table = rateTable([
    { prefix: '44', perMinuteMillicents: 10_000, minimumSeconds: 60, incrementSeconds: 6 },
    { prefix: '447', perMinuteMillicents: 20_000, minimumSeconds: 60, incrementSeconds: 6 },
    { prefix: '1', perMinuteMillicents: 1_250, minimumSeconds: 1, incrementSeconds: 1 },
  ]);
  t.equal(rateFor(table, '447700900123')?.prefix, '447');
  t.equal(rateFor(table, '442071234567')?.prefix, '44');
  t.equal(rateFor(table, '33123'), undefined);
  const rate = rateFor(table, '442071234567')!;
  t.equal(billedSeconds(0, rate), 0, 'an unanswered call costs nothing');
  t.equal(billedSeconds(5, rate), 60, 'the minimum');
  t.equal(billedSeconds(61, rate), 66, 'then six-second steps');
  t.equal(billedSeconds(66, rate), 66);
  t.same(rateCall(61, rate), { billedSeconds: 66, cents: 11 }, '66 s at 10c/min = 11c');
  t.same(rateCall(30, rateFor(table, '1555')!), { billedSeconds: 30, cents: 1 }, '0.625c rounds half up to 1c');
});

t.test('tax by jurisdiction and charge kind, with an exemption', async (t) => {
  const rates: TaxRate[] = [
    {
      id: 1,
      name: 'US federal',
      country: 'US',
      region: null,
      city: null,
      chargeKind: 'recurring',
      rateMillipercent: 2_000,
    },
    {
      id: 2,
      name: 'NY state',
      country: 'US',
      region: 'NY',
      city: null,
      chargeKind: 'recurring',
      rateMillipercent: 4_000,
    },
    { id: 3, name: 'NYC', country: 'US', region: 'NY', city: 'New York', chargeKind: 'usage', rateMillipercent: 8_875 },
    {
      id: 4,
      name: 'NJ state',
      country: 'US',
      region: 'NJ',
      city: null,
      chargeKind: 'recurring',
      rateMillipercent: 6_625,
    },
  ];
  const base = { recurring: 10_000, usage: 1_000, setup: 5_000 };
  const nyc = { country: 'US', region: 'NY', city: 'new york' };
  t.same(
    taxLines(rates, nyc, base, undefined).map((l) => [l.rateId, l.cents]),
    [
      [1, 200],
      [2, 400],
      [3, 89],
    ],
    'country, state and city rates add up; 88.75 rounds up',
  );
  t.same(
    taxLines(rates, { country: 'US', region: 'NY', city: 'Albany' }, base, undefined).map((l) => l.rateId),
    [1, 2],
  );
  t.same(taxLines(rates, nyc, base, { certificateRef: 'EX-1', expiresOn: '2027-01-01' }), [], 'exempt');
  t.equal(parseRate('8.875%'), 8_875);
  t.equal(parseRate('abc'), null);
  t.equal(formatRate(8_875), '8.875%');
  t.equal(formatRate(2_000), '2%');
});

t.test('commission accrual per charge kind, for a sales person and a reseller', async (t) => {
  const plans: CommissionPlan[] = [
    { id: 1, name: 'Sales', payeeKind: 'sales_person', basisPoints: { recurring: 1_000, usage: 500, setup: 0 } },
    { id: 2, name: 'Resellers', payeeKind: 'reseller', basisPoints: { recurring: 250, usage: 250, setup: 250 } },
  ];
  const byKind = { recurring: 10_000, usage: 1_001, setup: 5_000 };
  t.same(accruals(plans, byKind, { salesPerson: 'Jo Sales', reseller: { id: 1, name: 'Northwind' } }), [
    { planId: 1, payeeKind: 'sales_person', payee: 'Jo Sales', baseCents: 16_001, cents: 1_000 + 50 },
    { planId: 2, payeeKind: 'reseller', payee: 'Northwind', baseCents: 16_001, cents: 250 + 25 + 125 },
  ]);
  t.same(accruals(plans, byKind, { salesPerson: ' ', reseller: null }), [], 'no payee, no accrual');
});

t.test(
  'a bill: lines for charges and taxes, total = sum of lines to the cent, problems with their fixes',
  async (t) => {
    const customer: CustomerToBill = {
      id: 7,
      name: 'Acme',
      accountNumber: 'LD0000007',
      billTo: { country: 'US', region: 'NY', city: 'New York' },
      payees: { salesPerson: null, reseller: null },
      exemptions: [{ certificateRef: 'OLD', expiresOn: '2026-10-31' }],
      services: [
        aService({ monthlyCents: 1_000, startsOn: '2026-11-30', setupCents: 2_500, usageCents: 333, calls: 4 }),
        aService({ id: 2, monthlyCents: 2_000, startsOn: '2026-11-30' }),
      ],
    };
    const rates: TaxRate[] = [
      { id: 1, name: 'Tax', country: 'US', region: null, city: null, chargeKind: 'recurring', rateMillipercent: 7_500 },
    ];
    const bill = composeBill(customer, november, { taxRates: rates, plans: [] });
    t.same(
      bill.lines.map((l) => l.unitCents),
      [33, 2_500, 333, 67, 8],
      '33.33 + 66.67 pro-rated; 7.5% of 100 = 7.5 rounds up to 8',
    );
    t.equal(bill.totalCents, 33 + 2_500 + 333 + 67 + 8);
    t.equal(bill.exemption, undefined, 'an expired certificate exempts nothing');
    t.same(bill.problems, []);

    const broken = composeBill(
      { ...customer, billTo: null, services: [aService({ priced: false, unratedCalls: 2, unratedDestination: '33' })] },
      november,
      { taxRates: rates, plans: [] },
    );
    t.same(
      broken.problems.map((p) => [p.kind, p.fixHref]),
      [
        ['no-bill-to', '/customers/7/locations'],
        ['no-price', '/admin/price-lists/1'],
        ['unrated-calls', '/usage/rates?price_list=1&prefix=33'],
      ],
    );
  },
);
