import type { Actor } from '../../auth/principal.ts';
import { likeInsensitive } from '../../db/dialect.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { TEXT_INDEX_MIN_LENGTH, whereTextContains } from '../../db/text-search.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { updateAudited } from '../audit/audit.ts';
import { type Grade, grades, isGrade, suggestedGrade } from './grades.ts';
import { inventoryRow, phoneNumberSearchIndex } from './numbers.ts';

export const numberStatuses = ['available', 'reserved', 'assigned', 'withdrawn'] as const;
export type NumberStatus = (typeof numberStatuses)[number];

export const NUMBER_PATTERN = /^\d{10,15}$/;

export type InventoryRow = {
  id: number;
  number: string;
  prefix: string;
  grade: Grade;
  status: NumberStatus;
  pool_customer_id: number | null;
  pool_name: string | null;
  customer_id: number | null;
  customer_name: string | null;
  reserved_until: string | null;
  version: number;
};

export const INVENTORY_PAGE_SIZE = 50;

/**
 * The admin's inventory list: numbers in number order after `after` (keyset pagination), narrowed by
 * a digit run, grade and status. Reads one row more than a page to know whether there is a next page.
 */
export async function listInventory(
  db: Queryable,
  filters: { digits: string | null; grade: Grade | null; status: NumberStatus | null; after: string | null },
) {
  const query = db('phone_numbers')
    .leftJoin('customers as pool', 'pool.id', 'phone_numbers.pool_customer_id')
    .leftJoin('customers as holder', 'holder.id', 'phone_numbers.customer_id')
    .select('phone_numbers.*', 'pool.name as pool_name', 'holder.name as customer_name');
  if (filters.grade) query.where('phone_numbers.grade', filters.grade);
  if (filters.status) query.where('phone_numbers.status', filters.status);
  if (filters.after) query.where('phone_numbers.number', '>', filters.after);
  const digits = filters.digits ?? '';
  const rows: InventoryRow[] =
    digits.length >= TEXT_INDEX_MIN_LENGTH
      ? await whereTextContains(db, query, phoneNumberSearchIndex, digits).limit(INVENTORY_PAGE_SIZE + 1)
      : await (digits ? query.where(likeInsensitive(db, 'phone_numbers.number', digits, 'contains')) : query)
          .orderBy('phone_numbers.number')
          .limit(INVENTORY_PAGE_SIZE + 1);
  if (digits.length >= TEXT_INDEX_MIN_LENGTH) rows.sort((a, b) => a.number.localeCompare(b.number));
  const page = rows.slice(0, INVENTORY_PAGE_SIZE);
  return { rows: page, next: rows.length > INVENTORY_PAGE_SIZE ? page[page.length - 1].number : null };
}

/** One number of the inventory with the account number of the customer whose pool it is in, if any. */
export async function findInventoryNumber(
  db: Queryable,
  id: number,
): Promise<(InventoryRow & { pool_account_number: string | null }) | undefined> {
  return db('phone_numbers')
    .leftJoin('customers', 'customers.id', 'phone_numbers.pool_customer_id')
    .where('phone_numbers.id', id)
    .first('phone_numbers.*', 'customers.account_number as pool_account_number');
}

/**
 * An admin's edit of one number: its grade, the customer pool it is in (by account number, empty for
 * the public pool) and, for a free number only, available or withdrawn. Audited; a stale edit throws
 * StaleEditError. Returns field errors, or null when saved.
 */
export async function updateInventoryNumber(
  db: Queryable,
  actor: Actor,
  row: InventoryRow,
  change: { grade: Grade; status: 'available' | 'withdrawn'; pool: string; version: number },
): Promise<FieldErrors | null> {
  const pool = change.pool ? await db('customers').where({ account_number: change.pool }).first('id') : null;
  if (change.pool && !pool) return { pool: 'No customer has this account number.' };
  // A reserved or assigned number keeps its status: that changes through the wizard and the service.
  const isFree = row.status === 'available' || row.status === 'withdrawn';
  const changes = {
    grade: change.grade,
    pool_customer_id: pool?.id ?? null,
    ...(isFree ? { status: change.status } : {}),
  };
  await inTransaction(db, (trx) =>
    updateAudited(trx, { table: 'phone_numbers', id: row.id, actor, expectedVersion: change.version }, changes),
  );
  return null;
}

export type ImportRow = { number: string; grade: Grade; poolCustomerId: number | null };
export type ImportProblem = { line: number; message: string };

/** Splits one CSV line into fields: commas separate, double quotes may wrap a field. */
function csvFields(line: string): string[] {
  return line.split(',').map((f) =>
    f
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}

/**
 * Reads an inventory CSV: `number[,grade[,pool account number]]`, an optional header line first.
 * Spaces and dashes inside numbers are ignored; a missing grade is suggested from the digits; a pool
 * names a customer by account number. Every problem is reported with its line, so the admin fixes
 * the file once (nothing is imported while any line is wrong).
 */
export async function parseInventoryCsv(
  db: Queryable,
  text: string,
): Promise<{ rows: ImportRow[]; problems: ImportProblem[] }> {
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  const pools = new Map<string, number | undefined>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const lineNumber = index + 1;
    if (line.trim() === '') continue;
    const [rawNumber = '', rawGrade = '', rawPool = ''] = csvFields(line);
    if (index === 0 && /^number$/i.test(rawNumber)) continue;
    const number = rawNumber.replace(/[\s-]/g, '');
    if (!NUMBER_PATTERN.test(number)) {
      problems.push({ line: lineNumber, message: `“${rawNumber}” is not a phone number of 10 to 15 digits.` });
      continue;
    }
    if (seen.has(number)) {
      problems.push({ line: lineNumber, message: `${number} appears twice in the file.` });
      continue;
    }
    seen.add(number);
    const grade = rawGrade === '' ? suggestedGrade(number) : rawGrade.toLowerCase();
    if (!isGrade(grade)) {
      problems.push({ line: lineNumber, message: `“${rawGrade}” is not a grade; use ${grades.join(', ')}.` });
      continue;
    }
    let poolCustomerId: number | null = null;
    if (rawPool !== '') {
      if (!pools.has(rawPool))
        pools.set(rawPool, (await db('customers').where({ account_number: rawPool.toUpperCase() }).first('id'))?.id);
      const id = pools.get(rawPool);
      if (!id) {
        problems.push({ line: lineNumber, message: `No customer has the account number “${rawPool}”.` });
        continue;
      }
      poolCustomerId = id;
    }
    rows.push({ number, grade, poolCustomerId });
  }
  return { rows, problems };
}

/**
 * Adds parsed numbers to the inventory in one transaction; numbers already in it are left as they are
 * and counted. Returns how many were added and how many were already there.
 */
export async function importNumbers(db: Queryable, rows: ImportRow[]): Promise<{ added: number; existing: number }> {
  const now = nowIso();
  return db.transaction(async (trx) => {
    let added = 0;
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows
        .slice(i, i + 500)
        .map((r) => inventoryRow(r.number, { grade: r.grade, poolCustomerId: r.poolCustomerId, now }));
      const inserted = await trx('phone_numbers').insert(batch).onConflict('number').ignore().returning('id');
      added += inserted.length;
    }
    return { added, existing: rows.length - added };
  });
}
