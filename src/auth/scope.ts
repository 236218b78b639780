import type { Knex } from 'knex';
import type { Queryable } from '../db/index.ts';
import { preparedQuery } from '../db/prepared.ts';
import type { Principal } from './principal.ts';

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
 * The only way features reach customers: reseller staff see only their reseller's customers, admin and
 * support see all, a contact sees only its own customer. Tenant scoping lives here, so a forgotten `where`
 * cannot leak another tenant's rows.
 */
export function customersVisibleTo(
  db: Queryable,
  principal: Principal,
  alias = 'customers',
): Knex.QueryBuilder<CustomerRow> {
  const query = db<CustomerRow>(alias === 'customers' ? 'customers' : `customers as ${alias}`);
  if (principal.kind === 'contact') return query.where(`${alias}.id`, principal.customerId);
  if (principal.role === 'reseller') return query.where(`${alias}.reseller_id`, principal.resellerId ?? -1);
  return query;
}

/**
 * The customers of one reseller, or of every reseller when `resellerId` is null: what a Custom Report
 * (B5) covers when it runs on its schedule, with no signed-in principal. Callers check that whoever set
 * the report up may see that reseller (reports.reseller_id is forced to a reseller user's own).
 */
export function customersOfReseller(
  db: Queryable,
  resellerId: number | null,
  alias = 'customers',
): Knex.QueryBuilder<CustomerRow> {
  const query = db<CustomerRow>(alias === 'customers' ? 'customers' : `customers as ${alias}`);
  return resellerId === null ? query : query.where(`${alias}.reseller_id`, resellerId);
}

type Scope = 'all' | 'reseller' | 'contact';
/** The one parameter name preparedInScope keeps for itself: the reseller or customer the scope is within. */
const WITHIN = 'within';

/**
 * A hot read over the customers a principal may see, prepared (src/db/prepared.ts) once for each kind of
 * scope: `visible(alias)` is customersVisibleTo for a stand-in principal whose reseller or customer is a
 * parameter, so the scoping still lives only in customersVisibleTo.
 */
export function preparedInScope<Params extends Record<string, unknown>, Row>(
  build: (
    visible: (alias?: string) => Knex.QueryBuilder<CustomerRow>,
    db: Queryable,
    param: (name: keyof Params & string) => string,
  ) => Knex.QueryBuilder | Knex.Raw,
): (db: Queryable, principal: Principal, params: Params) => Promise<Row[]> {
  const byScope = new Map(
    (['all', 'reseller', 'contact'] as const).map((scope) => [
      scope,
      preparedQuery<Params & { [WITHIN]: number }, Row>((db, param) => {
        const within = param(WITHIN) as unknown as number;
        const standIn =
          scope === 'contact'
            ? { kind: 'contact', customerId: within }
            : { kind: 'staff', role: scope === 'reseller' ? 'reseller' : 'admin', resellerId: within };
        return build((alias) => customersVisibleTo(db, standIn as Principal, alias), db, param);
      }),
    ]),
  );
  return (db, principal, params) => {
    const [scope, within] = scopeOf(principal);
    return byScope.get(scope)!(db, { ...params, [WITHIN]: within });
  };
}

/** The kind of scope customersVisibleTo gives a principal, and whose customers (a reseller, a customer). */
function scopeOf(principal: Principal): [Scope, number] {
  if (principal.kind === 'contact') return ['contact', principal.customerId];
  return principal.role === 'reseller' ? ['reseller', principal.resellerId ?? -1] : ['all', 0];
}

/** Names what a principal may see: principals with the same key see the same customers (a cache key). */
export function scopeKey(principal: Principal): string {
  return scopeOf(principal).join(' ');
}

// Prepared: every customer page checks its customer through it.
const customerInScope = preparedInScope<{ id: number }, CustomerRow>((visible, _db, param) =>
  visible().where('customers.id', param('id')).first(),
);

/** A customer the principal may see, or undefined (which routes answer with 404, never 403, to not confirm it exists). */
export async function findCustomerFor(
  db: Queryable,
  principal: Principal,
  id: number,
): Promise<CustomerRow | undefined> {
  return (await customerInScope(db, principal, { id }))[0];
}

/**
 * Rows of a child table (invoices, payments, contacts …) whose owning customer the principal may see.
 * Admin and support see every row, so they get no sub-query.
 */
export function rowsOwnedByVisibleCustomers(
  db: Queryable,
  principal: Principal,
  table: string,
  customerColumn = 'customer_id',
): Knex.QueryBuilder {
  const query = db(table);
  const column = `${table.split(' as ').pop()}.${customerColumn}`;
  if (principal.kind === 'contact') return query.where(column, principal.customerId);
  if (principal.role === 'reseller')
    return query.whereIn(column, customersVisibleTo(db, principal).select('customers.id'));
  return query;
}
