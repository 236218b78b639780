import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolationOf } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { readAmount } from '../../lib/money.ts';
import { auditCreated, auditDeleted, updateAudited } from '../audit/audit.ts';
import { type Grade, grades, isGrade } from '../numbers/grades.ts';
import type { Price, PriceTable } from './pricing.ts';

export type PriceList = { id: number; name: string; version: number };

type ItemRow = Price & { id: number; service_type_id: number | null; grade: string | null; version: number };

export async function listPriceLists(db: Queryable): Promise<PriceList[]> {
  return db('price_lists').orderBy('name').select('id', 'name', 'version');
}

export async function findPriceList(db: Queryable, id: number): Promise<PriceList | undefined> {
  return db('price_lists').where({ id }).first('id', 'name', 'version');
}

/** The price list a new draft starts with: the first by name (the wizard's *Billing* tab changes it). */
export async function defaultPriceList(db: Queryable): Promise<PriceList | undefined> {
  return db('price_lists').orderBy('name').first('id', 'name', 'version');
}

export async function priceTable(db: Queryable, priceListId: number): Promise<PriceTable> {
  const rows: ItemRow[] = await db('price_list_items').where({ price_list_id: priceListId }).select('*');
  const table: PriceTable = { services: {}, grades: {} };
  for (const row of rows) {
    const price = { monthly_cents: row.monthly_cents, setup_cents: row.setup_cents };
    if (row.service_type_id !== null) table.services[row.service_type_id] = price;
    else if (isGrade(row.grade)) table.grades[row.grade] = price;
  }
  return table;
}

/** The price form's field names: one monthly and one set-up field per service type and per grade. */
export const priceField = (subject: string, part: 'monthly' | 'setup') => `${subject}_${part}`;
export const serviceSubject = (id: number) => `service_${id}`;
export const gradeSubject = (grade: Grade) => `grade_${grade}`;

/** The form's values for a price table, as the admin would type them ("12.50"). */
export function priceFormValues(table: PriceTable, serviceTypeIds: number[]): Record<string, string> {
  const values: Record<string, string> = {};
  const put = (subject: string, price: Price | undefined) => {
    values[priceField(subject, 'monthly')] = price ? (price.monthly_cents / 100).toFixed(2) : '';
    values[priceField(subject, 'setup')] = price ? (price.setup_cents / 100).toFixed(2) : '';
  };
  for (const id of serviceTypeIds) put(serviceSubject(id), table.services[id]);
  for (const grade of grades) put(gradeSubject(grade), table.grades[grade]);
  return values;
}

/**
 * Reads the price form: both fields empty means "no price"; otherwise both must be amounts.
 * Returns the table or one error per field.
 */
export function parsePriceForm(
  body: Record<string, unknown>,
  serviceTypeIds: number[],
): { ok: true; table: PriceTable } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const table: PriceTable = { services: {}, grades: {} };
  const read = (subject: string): Price | undefined => {
    const text = (part: 'monthly' | 'setup') => String(body[priceField(subject, part)] ?? '').trim();
    if (text('monthly') === '' && text('setup') === '') return undefined;
    const price: Partial<Price> = {};
    for (const part of ['monthly', 'setup'] as const) {
      const reading = readAmount(text(part) || '0', 'Enter an amount like 12.50.');
      if (!reading.ok) errors[priceField(subject, part)] = reading.message;
      else price[`${part}_cents`] = reading.cents;
    }
    return price as Price;
  };
  for (const id of serviceTypeIds) {
    const price = read(serviceSubject(id));
    if (price) table.services[id] = price;
  }
  for (const grade of grades) {
    const price = read(gradeSubject(grade));
    if (price) table.grades[grade] = price;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, table };
}

const NAME_TAKEN = 'Another price list has this name.';

export async function createPriceList(
  db: Queryable,
  name: string,
  actor: Actor,
): Promise<{ ok: true; id: number } | { ok: false; errors: FieldErrors }> {
  const now = nowIso();
  try {
    const id = await db.transaction(async (trx) => {
      const row = { name, created_at: now, updated_at: now };
      const [{ id }] = await trx('price_lists').insert(row).returning('id');
      await auditCreated(trx, { table: 'price_lists', id, actor }, row);
      return id as number;
    });
    return { ok: true, id };
  } catch (error) {
    if (isUniqueViolationOf(error, 'price_lists', ['name'])) return { ok: false, errors: { name: NAME_TAKEN } };
    throw error;
  }
}

/**
 * *Save* on a price list: its name (refused when stale) and every price, in one transaction; each
 * price added, changed or removed is audited.
 */
export async function savePriceList(
  db: Queryable,
  list: PriceList,
  input: { name: string; version: number; table: PriceTable },
  actor: Actor,
): Promise<FieldErrors | null> {
  try {
    await db.transaction(async (trx) => {
      await updateAudited(
        trx,
        { table: 'price_lists', id: list.id, actor, expectedVersion: input.version },
        { name: input.name },
      );
      const existing: ItemRow[] = await trx('price_list_items').where({ price_list_id: list.id }).select('*');
      const wanted: { subject: { service_type_id: number | null; grade: string | null }; price: Price }[] = [
        ...Object.entries(input.table.services).map(([id, price]) => ({
          subject: { service_type_id: Number(id), grade: null },
          price,
        })),
        ...Object.entries(input.table.grades).map(([grade, price]) => ({
          subject: { service_type_id: null, grade },
          price: price!,
        })),
      ];
      const same = (row: ItemRow, subject: { service_type_id: number | null; grade: string | null }) =>
        row.service_type_id === subject.service_type_id && row.grade === subject.grade;
      for (const { subject, price } of wanted) {
        const row = existing.find((r) => same(r, subject));
        if (row) {
          await updateAudited(trx, { table: 'price_list_items', id: row.id, actor }, price);
        } else {
          const values = { price_list_id: list.id, ...subject, ...price };
          const [{ id }] = await trx('price_list_items').insert(values).returning('id');
          await auditCreated(trx, { table: 'price_list_items', id, actor }, values);
        }
      }
      for (const row of existing.filter((r) => !wanted.some((w) => same(r, w.subject)))) {
        await trx('price_list_items').where({ id: row.id }).delete();
        await auditDeleted(trx, { table: 'price_list_items', id: row.id, actor }, row);
      }
    });
    return null;
  } catch (error) {
    if (isUniqueViolationOf(error, 'price_lists', ['name'])) return { name: NAME_TAKEN };
    throw error;
  }
}
