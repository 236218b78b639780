import type { Queryable } from '../../db/index.ts';
import { addDays } from '../../lib/dates.ts';
import type { CustomerToBill, RunRules } from './bill.ts';
import type { BillableService, ChargeKind } from './charges.ts';
import type { CommissionPlan, PayeeKind } from './commissions/accrual.ts';
import type { BillingPeriod } from './periods.ts';
import type { TaxRate } from './taxes/tax.ts';

/** Calls up to the end of the period count: `started_at` (an ISO timestamp) before the next day. */
export const callsBefore = (period: BillingPeriod) => addDays(period.end, 1);

/** Services that are billed in the period: active, or ended within it; started by its last day. */
function servicesOfPeriod(db: Queryable, period: BillingPeriod) {
  return db('services as s')
    .where('s.created_at', '<', callsBefore(period))
    .where((q) => q.where('s.status', 'active').orWhere('s.ended_on', '>=', period.start));
}

/**
 * The customers with ids in (`afterId`, `throughId`] with something to bill in the period and no invoice
 * for it yet, in id order. The bill run walks all customers in such ranges: bounded on both sides, each
 * part of the union reads only its range of the indexes (open-ended, it read every later call each time).
 */
export async function customerIdsToBill(db: Queryable, period: BillingPeriod, afterId: number, throughId: number) {
  const withServices = servicesOfPeriod(db, period)
    .where('s.customer_id', '>', afterId)
    .where('s.customer_id', '<=', throughId)
    .select('s.customer_id as id');
  const withCalls = db('cdrs')
    .where('customer_id', '>', afterId)
    .where('customer_id', '<=', throughId)
    .whereNull('invoice_id')
    .where('started_at', '<', callsBefore(period))
    .select('customer_id as id');
  const rows: { id: number }[] = await db
    .select('u.id')
    .from(withServices.union(withCalls).as('u'))
    .whereNotExists(db('billed_periods as b').whereRaw('b.customer_id = u.id').where('b.period', period.period))
    .orderBy('u.id');
  return rows.map((r) => r.id);
}

/** The last id of the next `size` customers after `afterId`, or undefined when none is left. */
export async function endOfCustomerRange(db: Queryable, afterId: number, size: number): Promise<number | undefined> {
  const row = await db
    .from(db('customers').where('id', '>', afterId).orderBy('id').limit(size).select('id').as('r'))
    .max({ last: 'r.id' })
    .first();
  return row?.last ?? undefined;
}

/** How many customers the period has to bill, for the progress bar: counted range by range. */
export async function countCustomersToBill(db: Queryable, period: BillingPeriod): Promise<number> {
  let count = 0;
  for (let after = 0; ; ) {
    const through = await endOfCustomerRange(db, after, 20_000);
    if (through === undefined) return count;
    count += (await customerIdsToBill(db, period, after, through)).length;
    after = through;
  }
}

/** Everything the bill needs about these customers, read in a few queries for the whole chunk. */
export async function customersToBill(db: Queryable, ids: number[], period: BillingPeriod): Promise<CustomerToBill[]> {
  if (ids.length === 0) return [];
  const [customers, locations, exemptions, services, numbers, usage] = await Promise.all([
    db('customers as c')
      .leftJoin('resellers as r', 'r.id', 'c.reseller_id')
      .whereIn('c.id', ids)
      .orderBy('c.id')
      .select('c.id', 'c.name', 'c.account_number', 'c.sales_person', 'r.id as reseller_id', 'r.name as reseller_name'),
    db('locations')
      .whereIn('customer_id', ids)
      .where('is_bill_to', true)
      .select('customer_id', 'country', 'region', 'city'),
    db('tax_exemptions').whereIn('customer_id', ids).select('customer_id', 'certificate_ref', 'expires_on'),
    servicesOfPeriod(db, period)
      .whereIn('s.customer_id', ids)
      .join('service_types as t', 't.id', 's.service_type_id')
      .leftJoin('price_list_items as p', (j) =>
        j.on('p.price_list_id', 's.price_list_id').andOn('p.service_type_id', 's.service_type_id'),
      )
      .orderBy('s.id')
      .select(
        's.id',
        's.customer_id',
        's.price_list_id',
        's.monthly_cents',
        's.setup_cents',
        's.created_at',
        's.ended_on',
        't.name',
        'p.id as price_id',
      ),
    db('service_numbers as n')
      .join('services as s', 's.id', 'n.service_id')
      .whereIn('s.customer_id', ids)
      .groupBy('n.service_id')
      .select('n.service_id', db.raw('sum(n.monthly_cents) as cents')),
    db('cdrs')
      .whereIn('customer_id', ids)
      .whereNull('invoice_id')
      .where('started_at', '<', callsBefore(period))
      .groupBy('service_id')
      .select(
        'service_id',
        db.raw('coalesce(sum(rated_cents), 0) as cents'),
        db.raw('count(rated_cents) as calls'),
        db.raw('sum(case when rated_cents is null then 1 else 0 end) as unrated'),
        db.raw('min(case when rated_cents is null then destination end) as unrated_destination'),
      ),
  ]);
  const numberCents = new Map(
    numbers.map((n: { service_id: number; cents: number }) => [n.service_id, Number(n.cents)]),
  );
  const usageOf = new Map(usage.map((u: { service_id: number }) => [u.service_id, u]));
  const byCustomer = new Map<number, BillableService[]>();
  for (const s of services) {
    const u = usageOf.get(s.id) as
      | { cents: number; calls: number; unrated: number; unrated_destination: string | null }
      | undefined;
    const service: BillableService = {
      id: s.id,
      name: s.name,
      monthlyCents: s.monthly_cents + (numberCents.get(s.id) ?? 0),
      setupCents: s.setup_cents,
      startsOn: s.created_at.slice(0, 10),
      endsOn: s.ended_on,
      usageCents: Number(u?.cents ?? 0),
      calls: Number(u?.calls ?? 0),
      priceListId: s.price_list_id,
      priced: s.price_id !== null,
      unratedCalls: Number(u?.unrated ?? 0),
      unratedDestination: u?.unrated_destination ?? null,
    };
    const list = byCustomer.get(s.customer_id);
    if (list) list.push(service);
    else byCustomer.set(s.customer_id, [service]);
  }
  const billToOf = new Map(locations.map((l) => [l.customer_id, l]));
  const exemptionsOf = new Map<number, { certificate_ref: string; expires_on: string }[]>();
  for (const e of exemptions) exemptionsOf.set(e.customer_id, [...(exemptionsOf.get(e.customer_id) ?? []), e]);
  return customers.map((c) => {
    const billTo = billToOf.get(c.id);
    return {
      id: c.id,
      name: c.name,
      accountNumber: c.account_number,
      billTo: billTo ? { country: billTo.country, region: billTo.region, city: billTo.city } : null,
      payees: {
        salesPerson: c.sales_person,
        reseller: c.reseller_id ? { id: c.reseller_id, name: c.reseller_name } : null,
      },
      exemptions: (exemptionsOf.get(c.id) ?? []).map((e) => ({
        certificateRef: e.certificate_ref,
        expiresOn: e.expires_on,
      })),
      services: byCustomer.get(c.id) ?? [],
    };
  });
}

/** The tax rates and commission plans every bill of the run is worked out with. */
export async function runRules(db: Queryable): Promise<RunRules> {
  const [rates, plans] = await Promise.all([db('tax_rates').orderBy('id'), db('commission_plans').orderBy('id')]);
  return {
    taxRates: rates.map(
      (r): TaxRate => ({
        id: r.id,
        name: r.name,
        country: r.country,
        region: r.region,
        city: r.city,
        chargeKind: r.charge_kind as ChargeKind,
        rateMillipercent: r.rate_millipercent,
      }),
    ),
    plans: plans.map(
      (p): CommissionPlan => ({
        id: p.id,
        name: p.name,
        payeeKind: p.payee_kind as PayeeKind,
        basisPoints: { recurring: p.recurring_bp, usage: p.usage_bp, setup: p.setup_bp },
      }),
    ),
  };
}

export type BillRunRow = {
  id: number;
  period: string;
  status: 'running' | 'done' | 'failed';
  customers_total: number;
  customers_done: number;
  invoices_made: number;
  errors_count: number;
  total_cents: number;
  failure: string | null;
  created_at: string;
  finished_at: string | null;
  created_by_name: string | null;
};

export function findBillRun(db: Queryable, id: number): Promise<BillRunRow | undefined> {
  return db('bill_runs as r')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .where('r.id', id)
    .first('r.*', 'u.name as created_by_name');
}

export function recentBillRuns(db: Queryable, limit = 10): Promise<BillRunRow[]> {
  return db('bill_runs as r')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .select('r.*', 'u.name as created_by_name');
}

export function problemsOfRun(db: Queryable, runId: number, limit = 200) {
  return db('bill_run_problems as p')
    .join('customers as c', 'c.id', 'p.customer_id')
    .where('p.bill_run_id', runId)
    .orderBy('p.id')
    .limit(limit)
    .select('p.*', 'c.name as customer_name');
}

/** The invoices a run made, first ones first (a bounded list; the customer's pages have the rest). */
export function invoicesOfRun(db: Queryable, runId: number, limit = 100) {
  return db('billed_periods as b')
    .join('invoices as i', 'i.id', 'b.invoice_id')
    .join('customers as c', 'c.id', 'b.customer_id')
    .where('b.bill_run_id', runId)
    .orderBy('b.id')
    .limit(limit)
    .select('i.id', 'i.number', 'i.total_cents', 'c.id as customer_id', 'c.name as customer_name');
}
