import type { Knex } from 'knex';
import type { Principal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import type { OrgKind } from '../institutions/kinds.ts';
import { type OrgRow, orgSelect } from '../institutions/queries.ts';
import { type Period, periodBounds } from './periods.ts';

/**
 * Which invoice lines a period's file takes (A7): those of invoices issued in the period, and, when the
 * periods just before it are final, the lines issued in those periods but added after their file was
 * made (`afterLineId`). Built by linesOfPeriod from the final files.
 */
export type LineRange = { period: Period; afterLineId: number | null };

/** The ranges of a period's file, and the last line it may take (null: every line there is now). */
export type LineSelection = { ranges: readonly LineRange[]; throughLineId: number | null };

/** A customer billed through an institution's or group's finance department. */
export type ExternalCustomer = {
  id: number;
  account_number: string;
  name: string;
  custom_account_id: string | null;
  institution_id: number | null;
  group_id: number | null;
};

/** One institution or group as the checks need it: number, duplicate flag, and the number's entry for links. */
export type BillingOrg = OrgRow & { kind: OrgKind; entry_id: number | null };

export type ChargeLine = {
  customer_id: number;
  invoice_number: string;
  issued_on: string;
  description: string;
  quantity: number;
  unit_cents: number;
  amount_cents: number;
};

function linesIn(db: Queryable, { ranges, throughLineId }: LineSelection): Knex.QueryBuilder {
  const query = db('invoices as inv').join('invoice_lines as l', 'l.invoice_id', 'inv.id');
  if (throughLineId !== null) query.where('l.id', '<=', throughLineId);
  return query.where((any) => {
    for (const range of ranges) {
      const { from, to } = periodBounds(range.period);
      any.orWhere((one) => {
        one.whereBetween('inv.issued_on', [from, to]);
        if (range.afterLineId !== null) one.where('l.id', '>', range.afterLineId);
      });
    }
  });
}

/**
 * The next `limit` external customers after `afterId` (id order) that have lines in the ranges. A
 * customer bills externally when its group does, or (no group) its institution does; the institution is
 * the customer's own or else its group's, as in A5.
 */
export async function externalCustomersAfter(
  db: Queryable,
  principal: Principal,
  lines: LineSelection,
  afterId: number,
  limit: number,
): Promise<ExternalCustomer[]> {
  return customersVisibleTo(db, principal, 'c')
    .leftJoin('groups as g', 'g.id', 'c.group_id')
    .leftJoin('institutions as i', 'i.id', db.raw('coalesce(c.institution_id, g.institution_id)'))
    .whereRaw('coalesce(g.bills_externally, i.bills_externally) = ?', [true])
    .where('c.id', '>', afterId)
    .whereExists(linesIn(db, lines).whereRaw('inv.customer_id = c.id').select(db.raw('1')))
    .orderBy('c.id')
    .limit(limit)
    .select('c.id', 'c.account_number', 'c.name', 'c.custom_account_id', 'c.institution_id', 'c.group_id');
}

/** Institutions or groups by id, with what the checks need. */
export async function billingOrgs(db: Queryable, kind: OrgKind, ids: number[]): Promise<Map<number, BillingOrg>> {
  if (ids.length === 0) return new Map();
  const rows = await orgSelect(db, kind).whereIn('o.id', ids).select('n.id as entry_id');
  return new Map(
    rows.map((row: OrgRow & { entry_id: number | null }) => [
      row.id,
      { ...row, kind, has_duplicate: Boolean(row.has_duplicate) },
    ]),
  );
}

/** Number of lines and their sum per customer. */
export async function chargeTotals(
  db: Queryable,
  customerIds: number[],
  lines: LineSelection,
): Promise<Map<number, { lines: number; cents: number }>> {
  const rows = await linesIn(db, lines)
    .whereIn('inv.customer_id', customerIds)
    .groupBy('inv.customer_id')
    .select('inv.customer_id', db.raw('count(*) as lines'), db.raw('sum(l.amount_cents) as cents'));
  return new Map(
    rows.map((row: { customer_id: number; lines: unknown; cents: unknown }) => [
      row.customer_id,
      { lines: Number(row.lines), cents: Number(row.cents) },
    ]),
  );
}

/** The lines of these customers in the ranges, in file order: customer, invoice date and number, position. */
export function chargeLines(db: Queryable, customerIds: number[], lines: LineSelection): Promise<ChargeLine[]> {
  return linesIn(db, lines)
    .whereIn('inv.customer_id', customerIds)
    .orderBy([
      { column: 'inv.customer_id' },
      { column: 'inv.issued_on' },
      { column: 'inv.number' },
      { column: 'l.position' },
    ])
    .select(
      'inv.customer_id',
      'inv.number as invoice_number',
      'inv.issued_on',
      'l.description',
      'l.quantity',
      'l.unit_cents',
      'l.amount_cents',
    );
}

/** The highest invoice line id now: what a file made now contains at most. */
export async function lastLineId(db: Queryable): Promise<number> {
  const row = await db('invoice_lines').max({ id: 'id' }).first();
  return Number(row?.id ?? 0);
}

/** Lines issued in a final period but added after its file was made: they go into a later file. */
export async function linesAddedAfter(db: Queryable, period: Period, throughLineId: number): Promise<number> {
  const row = await linesIn(db, { ranges: [{ period, afterLineId: throughLineId }], throughLineId: null })
    .count({ count: '*' })
    .first();
  return Number(row?.count ?? 0);
}

export type BillingFileStatus = 'generating' | 'draft' | 'final';

export type BillingFileRow = {
  id: number;
  period: Period;
  status: BillingFileStatus;
  through_line_id: number;
  row_count: number;
  total_cents: number;
  byte_size: number;
  checksum: string | null;
  created_by_name: string | null;
  created_at: string;
  finalized_by_name: string | null;
  finalized_at: string | null;
};

function fileSelect(db: Queryable) {
  return db('billing_files as f')
    .leftJoin('users as cu', 'cu.id', 'f.created_by')
    .leftJoin('users as fu', 'fu.id', 'f.finalized_by')
    .whereNot('f.status', 'generating')
    .select('f.*', 'cu.name as created_by_name', 'fu.name as finalized_by_name');
}

function toFile(row: Record<string, unknown>): BillingFileRow {
  return {
    ...(row as BillingFileRow),
    row_count: Number(row.row_count),
    total_cents: Number(row.total_cents),
    byte_size: Number(row.byte_size),
  };
}

export async function findFile(db: Queryable, id: number): Promise<BillingFileRow | undefined> {
  const row = await fileSelect(db).where('f.id', id).first();
  return row ? toFile(row) : undefined;
}

/** Files newest first, a page at a time (`before` an id); optionally of one period. */
export async function listFiles(
  db: Queryable,
  options: { period?: Period; status?: BillingFileStatus; before?: number; limit: number },
): Promise<BillingFileRow[]> {
  const query = fileSelect(db).orderBy('f.id', 'desc').limit(options.limit);
  if (options.period) query.where('f.period', options.period);
  if (options.status) query.where('f.status', options.status);
  if (options.before) query.where('f.id', '<', options.before);
  return (await query).map(toFile);
}

/** The final file of each period that has one: `through_line_id` decides where later lines go. */
export async function finalFiles(db: Queryable): Promise<Map<Period, number>> {
  const rows: { period: Period; through_line_id: number }[] = await db('billing_files')
    .where('status', 'final')
    .select('period', 'through_line_id');
  return new Map(rows.map((row) => [row.period, Number(row.through_line_id)]));
}

/** The parts of a file in order, one query per part so a download never holds the file. */
export async function* fileParts(db: Queryable, fileId: number): AsyncGenerator<string> {
  let seq = -1;
  for (;;) {
    const part = await db('billing_file_parts')
      .where('file_id', fileId)
      .where('seq', '>', seq)
      .orderBy('seq')
      .first('seq', 'content');
    if (!part) return;
    seq = part.seq;
    yield part.content;
  }
}
