import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.ts';
import type { SignedInUser } from '../auth/users.ts';

export type CustomerRow = {
  id: number;
  account_number: string;
  name: string;
  kind: 'business' | 'personal';
  status: string;
  reseller_id: number;
  institution_id: number | null;
  group_id: number | null;
  custom_account_id: string | null;
  email: string | null;
  phone: string | null;
  sales_person: string | null;
  branch: string | null;
  is_corporate: number | boolean;
  parent_customer_id: number | null;
  version: number;
  created_at: string;
  updated_at: string;
};

/**
 * The only way features reach customers: a reseller user sees only its own reseller's customers; admin
 * and support see all. Tenant scoping lives here, so a forgotten `where` cannot leak another reseller's rows.
 */
export function scopedCustomers(db: Queryable, user: SignedInUser, alias = 'customers'): Knex.QueryBuilder<CustomerRow> {
  const query = db<CustomerRow>(alias === 'customers' ? 'customers' : `customers as ${alias}`);
  if (user.role === 'reseller') return query.where(`${alias}.reseller_id`, user.resellerId ?? -1);
  return query;
}

/** A customer the user may see, or undefined (which routes answer with 404, never 403, to not confirm it exists). */
export async function findCustomerFor(db: Queryable, user: SignedInUser, id: number): Promise<CustomerRow | undefined> {
  return scopedCustomers(db, user).where('customers.id', id).first();
}
