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
