import type { Knex } from 'knex';
import { createTextIndex, createTextSearch, dropTextIndex, dropTextSearch, type TextIndex } from '../src/db/dialect.ts';
import { normalisePhone } from '../src/lib/phone.ts';

// The customer search index as 20261125020700 left it (the phone as written, accents as typed), and as
// this migration makes it (src/features/customers/search-index.ts).
const previousIndex: TextIndex = {
  name: 'customer_search',
  table: 'customers',
  columns: ['name', 'account_number', 'email', 'custom_account_id', 'phone'],
};
const customerSearchIndex: TextIndex = {
  ...previousIndex,
  columns: ['name', 'account_number', 'email', 'custom_account_id', 'phone_digits'],
  foldAccents: true,
};

const BATCH = 500;

/**
 * D1 and issue 12: phone numbers searchable whatever their format (a digits-only column, filled here for
 * existing customers with their Bill To country), accents folded in the customer search, and
 * institution and group names matched anywhere, not only from their start.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (t) => {
    t.string('phone_digits', 20).nullable();
  });
  let after = 0;
  for (;;) {
    const rows: { id: number; phone: string; country: string | null }[] = await db('customers as c')
      .leftJoin('locations as l', (j) => j.on('l.customer_id', 'c.id').andOn('l.is_bill_to', db.raw('?', [true])))
      .whereNotNull('c.phone')
      .where('c.id', '>', after)
      .orderBy('c.id')
      .limit(BATCH)
      .select('c.id', 'c.phone', 'l.country');
    if (rows.length === 0) break;
    for (const row of rows)
      await db('customers')
        .where('id', row.id)
        .update({ phone_digits: normalisePhone(row.phone, row.country ?? undefined) });
    after = rows[rows.length - 1].id;
  }
  await dropTextIndex(db, previousIndex);
  await createTextIndex(db, customerSearchIndex);
  await createTextSearch(db, 'institutions', 'name_key');
  await createTextSearch(db, 'groups', 'name_key');
}

export async function down(db: Knex): Promise<void> {
  await dropTextSearch(db, 'groups', 'name_key');
  await dropTextSearch(db, 'institutions', 'name_key');
  await dropTextIndex(db, customerSearchIndex);
  await db.schema.alterTable('customers', (t) => {
    t.dropColumn('phone_digits');
  });
  await createTextIndex(db, previousIndex);
}
