import type { Knex } from 'knex';
import {
  createTextIndex,
  createTextSearch,
  dropTextIndex,
  dropTextSearch,
  type TextIndex,
} from '../src/db/text-search.ts';
import { AUDIT_VALUE_START } from '../src/features/audit/queries.ts';
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
 * D1, F3 and A8: phone numbers searchable whatever their format (a digits-only column, filled here for
 * existing customers with their Bill To country), accents folded in the customer search, institution
 * and group names matched anywhere, not only from their start, and indexes for the audit views.
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
  // F3/A8: one user's changes by kind of record; the numbers an institution or group has had; the
  // newest customer creation or status change (home counts are fresh after one).
  await db.schema.alterTable('audit_events', (t) => {
    t.index(['actor_user_id', 'entity', 'id']);
    t.index(['entity', 'action', 'id']);
  });
  // Values can be long (a note's text): only their start is indexed, within PostgreSQL's key size limit.
  await db.raw(
    `CREATE INDEX audit_events_entity_field_value_start ON audit_events (entity, field, ${AUDIT_VALUE_START})`,
  );
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['actor_user_id', 'entity', 'id']);
    t.dropIndex(['entity', 'action', 'id']);
  });
  await db.raw('DROP INDEX IF EXISTS audit_events_entity_field_value_start');
  await dropTextSearch(db, 'groups', 'name_key');
  await dropTextSearch(db, 'institutions', 'name_key');
  await dropTextIndex(db, customerSearchIndex);
  // Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): Knex would rebuild the customers table on SQLite,
  // which the foreign keys of a filled database refuse.
  await db.raw('ALTER TABLE customers DROP COLUMN phone_digits');
  await createTextIndex(db, previousIndex);
}
