import type { Queryable } from '../../../db/index.ts';

const SHOWN = 500;

/** Tax rates by jurisdiction (country, state, city) and kind; an installation has tens to hundreds. */
export function taxRates(db: Queryable) {
  return db('tax_rates')
    .orderBy([{ column: 'country' }, { column: 'region' }, { column: 'city' }, { column: 'charge_kind' }])
    .limit(SHOWN);
}

/** Exemptions, latest expiry first, with their customers. */
export function taxExemptions(db: Queryable) {
  return db('tax_exemptions as e')
    .join('customers as c', 'c.id', 'e.customer_id')
    .orderBy([
      { column: 'e.expires_on', order: 'desc' },
      { column: 'e.id', order: 'desc' },
    ])
    .limit(SHOWN)
    .select('e.*', 'c.name as customer_name', 'c.account_number');
}

export type TaxRateRow = {
  id: number;
  name: string;
  country: string;
  region: string | null;
  city: string | null;
  charge_kind: string;
  rate_millipercent: number;
  version: number;
};

export function findTaxRate(db: Queryable, id: number): Promise<TaxRateRow | undefined> {
  return db('tax_rates').where('id', id).first();
}

export type ExemptionRow = {
  id: number;
  customer_id: number;
  customer_name: string;
  account_number: string;
  certificate_ref: string;
  expires_on: string;
  version: number;
};

export function findExemption(db: Queryable, id: number): Promise<ExemptionRow | undefined> {
  return db('tax_exemptions as e')
    .join('customers as c', 'c.id', 'e.customer_id')
    .where('e.id', id)
    .first('e.*', 'c.name as customer_name', 'c.account_number');
}
