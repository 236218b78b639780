import type { Knex } from 'knex';
import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { matchesText } from '../../db/text-search.ts';
import { nowIso } from '../../lib/dates.ts';
import { notFound } from '../../lib/http-error.ts';
import { auditCreated, auditDeleted, updateAudited } from '../audit/audit.ts';
import type { Outcome } from '../institutions/institutions.ts';
import { kindInfo, type OrgKind } from '../institutions/kinds.ts';
import { isEnabled, loadSettings } from '../settings/settings.ts';

const TABLE = 'external_customer_numbers';

/** Gives an institution or a group its external customer number; refuses a second number for the same one. */
export async function createExternalNumber(
  db: Db,
  input: { kind: OrgKind; orgId: number; number: string },
  actor: Actor,
): Promise<Outcome<number>> {
  const { table, column, label } = kindInfo[input.kind];
  const taken = (existing: string) => ({
    ok: false as const,
    errors: { number: `This ${label} already has customer number “${existing}”. Edit that entry instead.` },
  });
  try {
    return await db.transaction(async (trx) => {
      const org = await trx(table).where('id', input.orgId).first('id');
      if (!org) throw notFound(`This ${label}`);
      const existing = await trx(TABLE).where(column, input.orgId).first('number');
      if (existing) return taken(existing.number);
      const now = nowIso();
      const values = { [column]: input.orgId, number: input.number };
      const [row] = await trx(TABLE)
        .insert({ ...values, created_at: now, updated_at: now })
        .returning('id');
      await auditCreated(trx, { table: TABLE, id: row.id, actor }, values);
      return { ok: true as const, value: row.id as number };
    });
  } catch (error) {
    // Two people adding a number for the same record at once: the unique index refuses the second.
    if (!isUniqueViolation(error)) throw error;
    return taken((await db(TABLE).where(column, input.orgId).first('number'))?.number ?? '');
  }
}

/** Changes a number; a stale version is refused with StaleEditError carrying the current row. */
export async function updateExternalNumber(
  db: Db,
  id: number,
  input: { number: string; version: number },
  actor: Actor,
): Promise<void> {
  await db.transaction((trx) =>
    updateAudited(trx, { table: TABLE, id, actor, expectedVersion: input.version }, { number: input.number }),
  );
}

export async function deleteExternalNumber(db: Db, id: number, actor: Actor): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await trx(TABLE).where('id', id).first();
    if (!row) throw notFound('This customer number');
    await trx(TABLE).where('id', id).delete();
    await auditDeleted(
      trx,
      { table: TABLE, id, actor },
      { institution_id: row.institution_id, group_id: row.group_id, number: row.number },
    );
  });
}

/** The number that applies to a customer, and where it comes from (A5). */
export type EffectiveNumber = { number: string; source: OrgKind; sourceName: string };

type CustomerRef = { id: number; institution_id: number | null; group_id: number | null };
type OrgNumber = { id: number; name: string; institution_id: number | null; number: string | null };

async function orgNumbers(db: Queryable, kind: OrgKind, ids: number[]): Promise<Map<number, OrgNumber>> {
  if (ids.length === 0) return new Map();
  const { table, column } = kindInfo[kind];
  const rows: OrgNumber[] = await db(`${table} as o`)
    .leftJoin(`${TABLE} as n`, `n.${column}`, 'o.id')
    .whereIn('o.id', ids)
    .select('o.id', 'o.name', kind === 'group' ? 'o.institution_id' : db.raw('null as institution_id'), 'n.number');
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The effective external customer number of each customer, in two queries however many customers:
 * the group's number wins over the institution's (it is more specific). A customer's institution is the
 * one set on the customer, or else the institution of the customer's group.
 */
export async function effectiveExternalNumbers(
  db: Queryable,
  customers: readonly CustomerRef[],
): Promise<Map<number, EffectiveNumber | null>> {
  const distinct = (ids: (number | null)[]) => [...new Set(ids.filter((id): id is number => id !== null))];
  const groups = await orgNumbers(db, 'group', distinct(customers.map((c) => c.group_id)));
  const institutionOf = (c: CustomerRef) =>
    c.institution_id ?? (c.group_id !== null ? (groups.get(c.group_id)?.institution_id ?? null) : null);
  const institutions = await orgNumbers(db, 'institution', distinct(customers.map(institutionOf)));
  return new Map(customers.map((customer) => [customer.id, effectiveNumberOf(customer, groups, institutions)]));
}

/**
 * The effective number of one customer from its group and institution, already read (A5): the group's
 * number wins over the institution's; the institution is the customer's own, else its group's.
 */
export function effectiveNumberOf(
  customer: CustomerRef,
  groups: ReadonlyMap<number, OrgNumber>,
  institutions: ReadonlyMap<number, OrgNumber>,
): EffectiveNumber | null {
  const group = customer.group_id !== null ? groups.get(customer.group_id) : undefined;
  const institutionId = customer.institution_id ?? group?.institution_id ?? null;
  const institution = institutionId !== null ? institutions.get(institutionId) : undefined;
  const source = group?.number
    ? { kind: 'group' as const, org: group }
    : institution?.number
      ? { kind: 'institution' as const, org: institution }
      : null;
  return source ? { number: source.org.number!, source: source.kind, sourceName: source.org.name } : null;
}

/** The effective number of one customer (see effectiveExternalNumbers). */
export async function effectiveExternalNumber(db: Queryable, customer: CustomerRef): Promise<EffectiveNumber | null> {
  return (await effectiveExternalNumbers(db, [customer])).get(customer.id) ?? null;
}

/** What the customer page's external-number panel shows: nothing while the integration is off. */
export async function customerExternalNumber(
  db: Queryable,
  customer: CustomerRef,
): Promise<{ effective: EffectiveNumber | null } | undefined> {
  if (!isEnabled(await loadSettings(db), 'external_billing_enabled')) return undefined;
  return { effective: await effectiveExternalNumber(db, customer) };
}

/** Institutions and groups whose number contains a search term (at most `limit` of each). */
export type NumberedOrgs = { institutionIds: number[]; groupIds: number[] };

/** How many institutions and groups one customer search follows: a search term names a number, not hundreds. */
const MAX_ORGS_PER_SEARCH = 100;

export async function orgsWithNumberContaining(db: Queryable, term: string): Promise<NumberedOrgs> {
  const rows: { institution_id: number | null; group_id: number | null }[] = await db(TABLE)
    .where(matchesText(db, TABLE, 'number', term))
    .orderBy('id')
    .limit(MAX_ORGS_PER_SEARCH * 2)
    .select('institution_id', 'group_id');
  const ids = (column: 'institution_id' | 'group_id') =>
    rows
      .map((r) => r[column])
      .filter((id): id is number => id !== null)
      .slice(0, MAX_ORGS_PER_SEARCH);
  return { institutionIds: ids('institution_id'), groupIds: ids('group_id') };
}

/**
 * Restricts a customers query to customers whose *effective* number (A5) is one of these orgs'
 * numbers: customers of a numbered group, and customers of a numbered institution (set on the
 * customer, or through the customer's group) unless their group has a number of its own, which wins.
 */
export function whereEffectiveNumberOf<Q extends Knex.QueryBuilder>(db: Queryable, query: Q, orgs: NumberedOrgs): Q {
  const none = [-1];
  const groups = orgs.groupIds.length ? orgs.groupIds : none;
  const institutions = orgs.institutionIds.length ? orgs.institutionIds : none;
  return query
    .whereIn('customers.id', (candidates) =>
      candidates
        .from('customers as c')
        .whereIn('c.group_id', groups)
        .select('c.id')
        .union((q) => q.from('customers as c').whereIn('c.institution_id', institutions).select('c.id'))
        .union((q) =>
          q
            .from('customers as c')
            .join('groups as g', 'g.id', 'c.group_id')
            // The unary plus keeps SQLite off the institution index, where a null is two thirds of a million
            // customers (its counts say a hundred): it walks the groups' customers instead, 0.4 ms against
            // 120 ms. To PostgreSQL it is the same column.
            .whereRaw('+c.institution_id is null')
            .whereIn('g.institution_id', institutions)
            .select('c.id'),
        ),
    )
    .where((w) =>
      w
        .whereNull('customers.group_id')
        .orWhereIn('customers.group_id', groups)
        .orWhereNotExists(db(TABLE).whereRaw('??.group_id = customers.group_id', [TABLE]).select(db.raw('1'))),
    ) as Q;
}
