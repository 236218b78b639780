import type { Queryable } from '../../db/index.ts';
import { kindInfo, type OrgKind } from '../institutions/kinds.ts';
import { orgSelect } from '../institutions/queries.ts';

/** One row of the External Customer Numbers page: a number and the institution or group it belongs to. */
export type EntryRow = {
  id: number;
  kind: OrgKind;
  number: string;
  version: number;
  org_id: number;
  name: string;
  name_key: string;
  institution_name: string | null;
  has_duplicate: boolean;
};

export const PAGE_SIZE = 100;

function entrySelect(db: Queryable, kind: OrgKind) {
  return orgSelect(db, kind, 'o', { numberedOnly: true }).select('n.id as entry_id', 'n.version as entry_version');
}

function toEntry(kind: OrgKind, row: Record<string, unknown>): EntryRow {
  return {
    id: Number(row.entry_id),
    kind,
    number: String(row.number),
    version: Number(row.entry_version),
    org_id: Number(row.id),
    name: String(row.name),
    name_key: String(row.name_key),
    institution_name: (row.institution_name as string | null) ?? null,
    has_duplicate: Boolean(row.has_duplicate),
  };
}

/**
 * The numbers of one kind in name order, a page at a time (keyset: after the entry with id `afterId`,
 * or from it when `fromIt`, so a page can open at the row a billing error links to). A record has at most
 * one number, so the record's (name_key, id) orders the entries; as one row value it lets the database walk
 * the name index from the cursor and stop after a page, where ordering by the number's id sorted them all.
 */
export async function listEntries(
  db: Queryable,
  kind: OrgKind,
  afterId: number | null,
  fromIt = false,
): Promise<{ entries: EntryRow[]; more: boolean }> {
  let cursor = { name_key: '', id: 0 };
  if (afterId !== null) {
    const after = await db('external_customer_numbers as n')
      .join(`${kindInfo[kind].table} as o`, 'o.id', `n.${kindInfo[kind].column}`)
      .where('n.id', afterId)
      .first('o.name_key', 'o.id');
    if (after) cursor = after;
  }
  const rows = (
    await entrySelect(db, kind)
      .whereRaw(`(o.name_key, o.id) ${afterId !== null && fromIt ? '>=' : '>'} (?, ?)`, [cursor.name_key, cursor.id])
      .orderBy([{ column: 'o.name_key' }, { column: 'o.id' }])
      .limit(PAGE_SIZE + 1)
  ).map((row: Record<string, unknown>) => toEntry(kind, row));
  return { entries: rows.slice(0, PAGE_SIZE), more: rows.length > PAGE_SIZE };
}

/** One entry with what its row shows, or undefined. */
export async function findEntry(db: Queryable, id: number): Promise<EntryRow | undefined> {
  const owner = await db('external_customer_numbers').where('id', id).first('institution_id');
  if (!owner) return undefined;
  const kind: OrgKind = owner.institution_id === null ? 'group' : 'institution';
  const row = await entrySelect(db, kind).where('n.id', id).first();
  return row ? toEntry(kind, row) : undefined;
}
