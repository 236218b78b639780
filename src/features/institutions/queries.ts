import type { Knex } from 'knex';
import { type ChangeCounter, keptPerHandle } from '../../db/change-counter.ts';
import { likeInsensitive } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { TEXT_INDEX_MIN_LENGTH, type TextIndex, whereTextContains } from '../../db/text-search.ts';
import { nameKeyRange, normaliseName } from '../../lib/names.ts';
import { kindInfo, type OrgKind } from './kinds.ts';

/** An institution or group as lists and the type-ahead show it. */
export type OrgRow = {
  id: number;
  name: string;
  name_key: string;
  version: number;
  /** Groups only: the institution the group belongs to, if any. */
  institution_id: number | null;
  institution_name: string | null;
  /** Its external customer number, if it has one. */
  number: string | null;
  /** Another record of the same kind has the same normalised name (see duplicatesOf). */
  has_duplicate: boolean;
  /** Its customers are in the external billing file (A7). */
  bills_externally: boolean;
};

export type OrgCursor = { nameKey: string; id: number };

/** Where a page after the record `id` starts (the list's `after`); null when the record is gone. */
export async function orgCursor(db: Queryable, kind: OrgKind, id: number): Promise<OrgCursor | null> {
  const row = await db(kindInfo[kind].table).where('id', id).first('name_key', 'id');
  return row ? { nameKey: row.name_key, id: row.id } : null;
}

/**
 * Records of the same kind that count as duplicates of `o`: the same name once case, punctuation and
 * spacing are folded; for groups, also under the same institution (a "Physics Department" at two
 * universities is two departments).
 */
function duplicatesOf(db: Queryable, kind: OrgKind, alias: string) {
  const { table } = kindInfo[kind];
  const query = db(`${table} as d`)
    .select(db.raw('1'))
    .whereRaw(`d.name_key = ${alias}.name_key`)
    .whereRaw(`d.id <> ${alias}.id`);
  return kind === 'group'
    ? query.whereRaw(`coalesce(d.institution_id, 0) = coalesce(${alias}.institution_id, 0)`)
    : query;
}

/**
 * The select every institution/group list shares: the record, its institution (groups), its number, duplicate
 * flag. `numberedOnly`: only records with a number, the records first: SQLite keeps a CROSS JOIN's order (it
 * otherwise read every number and sorted them by name, for a page of 100), and PostgreSQL plans it as the
 * inner join it is.
 */
export function orgSelect(db: Queryable, kind: OrgKind, alias = 'o', { numberedOnly = false } = {}): Knex.QueryBuilder {
  const { table, column } = kindInfo[kind];
  const records = db(`${table} as ${alias}`);
  const query = (
    numberedOnly
      ? records.crossJoin(db.raw('external_customer_numbers as n')).whereRaw(`n.${column} = ${alias}.id`)
      : records.leftJoin('external_customer_numbers as n', `n.${column}`, `${alias}.id`)
  )
    .select(
      `${alias}.id`,
      `${alias}.name`,
      `${alias}.name_key`,
      `${alias}.version`,
      `${alias}.bills_externally`,
      'n.number',
    )
    .select(db.raw('exists ? as has_duplicate', [duplicatesOf(db, kind, alias)]));
  if (kind === 'group') {
    return query
      .leftJoin('institutions as gi', 'gi.id', `${alias}.institution_id`)
      .select(`${alias}.institution_id`, 'gi.name as institution_name');
  }
  return query.select(db.raw('null as institution_id'), db.raw('null as institution_name'));
}

function toOrgRow(row: Record<string, unknown>): OrgRow {
  return {
    ...(row as OrgRow),
    has_duplicate: Boolean(row.has_duplicate),
    bills_externally: Boolean(row.bills_externally),
  };
}

/** The substring index over folded names (name_key), made by migration 20261130180000. */
const nameKeyIndex = (kind: OrgKind): TextIndex => ({
  name: `${kindInfo[kind].table}_name_key_search`,
  table: kindInfo[kind].table,
  columns: ['name_key'],
});

/** How many records, in name order, a search of three or more characters reads before it asks the text index. */
export const NAME_ORDER_WINDOW = 2000;

/**
 * Institutions or groups whose folded name contains the folded term ("hospital" finds "St. Mary's
 * Hospital", "cafe" finds "Café"), in name order, after `after` (keyset paging). Shorter terms are
 * answered by name_key's ordinary index from the start of the name. Longer ones first walk the next
 * NAME_ORDER_WINDOW records in name order: a common term's first page lies there, and the trigram index
 * would hand over every match to be sorted (10,000 of 50,000 groups contain "uni"). Only when the window
 * holds less than a page does the trigram index answer, and then the matches are few. Both give the
 * same rows in the same order; both stay fast with a million rows.
 */
export async function findOrgs(
  db: Queryable,
  kind: OrgKind,
  options: { term?: string; after?: OrgCursor | null; institutionId?: number; limit: number },
): Promise<OrgRow[]> {
  const { table } = kindInfo[kind];
  const key = options.term ? normaliseName(options.term) : '';
  const inNameOrder = (query: Knex.QueryBuilder, alias: string) => {
    if (options.institutionId !== undefined) query.where(`${alias}.institution_id`, options.institutionId);
    if (options.after) {
      const { nameKey, id } = options.after;
      query.where((w) =>
        w
          .where(`${alias}.name_key`, '>', nameKey)
          .orWhere((x) => x.where(`${alias}.name_key`, nameKey).where(`${alias}.id`, '>', id)),
      );
    }
    return query.orderBy([{ column: `${alias}.name_key` }, { column: `${alias}.id` }]);
  };
  const page = () => inNameOrder(orgSelect(db, kind), 'o').limit(options.limit);
  if (key.length < TEXT_INDEX_MIN_LENGTH) {
    const query = page();
    if (key) {
      const range = nameKeyRange(key);
      query.where('o.name_key', '>=', range.from);
      if (range.to !== null) query.where('o.name_key', '<', range.to);
    }
    return (await query).map(toOrgRow);
  }
  const window = inNameOrder(db(`${table} as w`).select('w.id', 'w.name_key'), 'w').limit(NAME_ORDER_WINDOW);
  const inWindow = db
    .from(window.as('m'))
    .where(likeInsensitive(db, 'm.name_key', key, 'contains'))
    .orderBy([{ column: 'm.name_key' }, { column: 'm.id' }])
    .limit(options.limit)
    .select('m.id');
  const walked = await page().whereIn('o.id', inWindow);
  if (walked.length === options.limit) return walked.map(toOrgRow);
  // The page's ids first, so only its rows are joined to their numbers and institutions.
  const indexed = whereTextContains(db, inNameOrder(db(table).select(`${table}.id`), table), nameKeyIndex(kind), key);
  return (await page().whereIn('o.id', indexed.limit(options.limit))).map(toOrgRow);
}

export async function findOrg(db: Queryable, kind: OrgKind, id: number): Promise<OrgRow | undefined> {
  const row = await orgSelect(db, kind).where('o.id', id).first();
  return row ? toOrgRow(row) : undefined;
}

/** The records of a kind whose folded name is `nameKey` (groups: under the same institution), except `exceptId`. */
export async function sameNameAs(
  db: Queryable,
  kind: OrgKind,
  key: { nameKey: string; institutionId: number | null },
  exceptId?: number,
): Promise<OrgRow[]> {
  const query = orgSelect(db, kind).where('o.name_key', key.nameKey).orderBy('o.id').limit(50);
  if (kind === 'group') query.whereRaw('coalesce(o.institution_id, 0) = ?', [key.institutionId ?? 0]);
  if (exceptId !== undefined) query.whereNot('o.id', exceptId);
  return (await query).map(toOrgRow);
}

/** Every record that has a duplicate, grouped by name (bounded: this is a list to work through). */
export async function possibleDuplicates(db: Queryable, kind: OrgKind, limit = 200): Promise<OrgRow[]> {
  const rows = await orgSelect(db, kind)
    .whereExists(duplicatesOf(db, kind, 'o'))
    .orderBy([{ column: 'o.name_key' }, { column: 'o.id' }])
    .limit(limit);
  return rows.map(toOrgRow);
}

/** Raised by any insert, update or delete of an institution or group (migration 20261201010000). */
export const organisationsCounter: ChangeCounter = {
  name: 'organisations',
  tables: ['institutions', 'groups'],
  events: ['insert', 'update', 'delete'],
};

/**
 * The counts below, kept per database handle for up to a minute and only while no institution or group
 * changed anywhere: each reads a whole name index (10 ms for both kinds on the million-customer data), on
 * every view of the External Customer Numbers page.
 */
const keptDuplicateCounts = keptPerHandle<number>(organisationsCounter, 60_000);

/** How many names are shared by more than one record: the count behind the warning on the numbers page. */
export async function duplicateNameCount(db: Queryable, kind: OrgKind): Promise<number> {
  // Inside a transaction the count may include its own uncommitted changes: not kept.
  if (db.isTransaction) return countDuplicateNames(db, kind);
  return keptDuplicateCounts(db).get(kind, () => countDuplicateNames(db, kind));
}

async function countDuplicateNames(db: Queryable, kind: OrgKind): Promise<number> {
  const { table } = kindInfo[kind];
  const sets = db(table)
    .select('name_key')
    // GROUP BY puts all NULL institutions in one group, as duplicatesOf does.
    .groupBy(kind === 'group' ? ['name_key', 'institution_id'] : ['name_key'])
    .havingRaw('count(*) > 1');
  const row = await db.from(sets.as('sets')).count({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** How many customers and (for institutions) groups belong to a record: shown before a merge. */
export async function memberCounts(
  db: Queryable,
  kind: OrgKind,
  id: number,
): Promise<{ customers: number; groups: number }> {
  const { column } = kindInfo[kind];
  const customers = await db('customers').where(column, id).count({ count: '*' }).first();
  const groups =
    kind === 'institution'
      ? await db('groups').where('institution_id', id).count({ count: '*' }).first()
      : { count: 0 };
  return { customers: Number(customers?.count ?? 0), groups: Number(groups?.count ?? 0) };
}

/** How many members the institution and group pages list; the count says when there are more. */
export const MEMBERS_LISTED = 100;

/** The customers set on an institution or in a group, by name (the first MEMBERS_LISTED), to link to. */
export function orgMembers(
  db: Queryable,
  kind: OrgKind,
  id: number,
): Promise<{ id: number; name: string; account_number: string }[]> {
  return db('customers')
    .where(kindInfo[kind].column, id)
    .orderBy([{ column: 'name' }, { column: 'id' }])
    .limit(MEMBERS_LISTED)
    .select('id', 'name', 'account_number');
}
