import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../../src/config.ts';
import { createDb, type Db } from '../../../src/db/index.ts';
import { migrateToLatest, migrationSource } from '../../../src/db/migrate.ts';
import { loadTestWorld } from '../../fixtures/world.ts';
import { emptyTestDatabase } from '../../helpers/app.ts';
import { scratchRoot } from '../../helpers/scratch.ts';

const draftsMigration = '20261125020900_drafts';

/** Undoes migrations, newest first, until the drafts migration is undone too. */
async function migrateToBeforeDrafts(db: Db): Promise<void> {
  for (;;) {
    const [completed] = (await db.migrate.list({ migrationSource })) as [{ name: string }[], unknown];
    if (!completed.some((m) => m.name === draftsMigration)) return;
    await db.migrate.down({ migrationSource });
  }
}

const at = '2026-01-01T00:00:00.000Z';
const later = '2099-01-01T00:00:00.000Z';

t.test('the drafts migration moves both kinds of draft into drafts and back, foreign keys and all', async (t) => {
  const dir = mkdtempSync(join(scratchRoot(), 'ledgerdesk-drafts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = createDb(loadConfig({ NODE_ENV: 'test', ...(await emptyTestDatabase(t, dir)) }).database);
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  await loadTestWorld(db);
  await migrateToBeforeDrafts(db);

  const { id: userId } = await db('users').where({ email: 'admin@example.com' }).first('id');
  const [acme, other] = await db('customers').orderBy('id').limit(2).pluck('id');
  const hosted = await db('service_types').first('id');
  const priceList = await db('price_lists').first('id');
  const [kept, dropped] = await db('phone_numbers').where({ status: 'available' }).orderBy('id').limit(2).pluck('id');
  const common = { user_id: userId, reached_step: 1, created_at: at, updated_at: at, expires_at: later };
  const wizardRow = { ...common, id: 'wizard-draft-kept', reached_step: 3, data: '{"customer_mode":"new"}' };
  const customerRow = {
    ...common,
    id: 'customer-draft-done',
    reached_step: 4,
    data: '{"name":"Harbour Lights"}',
    customer_id: acme,
    finished_at: at,
  };
  await db('wizard_drafts').insert(wizardRow);
  await db('wizard_drafts').insert({ ...common, id: 'wizard-draft-dropped', data: '{}' });
  await db('customer_drafts').insert(customerRow);
  /** What points at a wizard draft: a reserved number, a chosen number and a created service. */
  const pointAt = async (draftId: string, numberId: number) => {
    await db('phone_numbers')
      .where({ id: numberId })
      .update({ status: 'reserved', reserved_by_draft: draftId, reserved_until: later });
    await db('wizard_draft_numbers').insert({ draft_id: draftId, phone_number_id: numberId });
    await db('services').insert({
      customer_id: acme,
      service_type_id: hosted.id,
      price_list_id: priceList.id,
      monthly_cents: 100,
      setup_cents: 0,
      wizard_draft_id: draftId,
      created_at: at,
      updated_at: at,
    });
  };
  await pointAt('wizard-draft-kept', kept);
  await pointAt('wizard-draft-dropped', dropped);
  const references = async (draftId: string, numberId: number) => ({
    reserved: (await db('phone_numbers').where({ id: numberId }).first('reserved_by_draft')).reserved_by_draft,
    chosen: (await db('wizard_draft_numbers').where({ draft_id: draftId })).length,
    services: (await db('services').where({ wizard_draft_id: draftId })).length,
  });

  await db.migrate.up({ migrationSource });
  t.notOk(await db.schema.hasTable('wizard_drafts'), 'the wizard drafts table is gone');
  t.notOk(await db.schema.hasTable('customer_drafts'), 'and so is the customer drafts table');
  t.match(await db('drafts').where({ id: 'wizard-draft-kept' }).first(), { ...wizardRow, kind: 'add-services' });
  t.match(await db('drafts').where({ id: 'customer-draft-done' }).first(), { ...customerRow, kind: 'new-customer' });
  t.same(await references('wizard-draft-kept', kept), { reserved: 'wizard-draft-kept', chosen: 1, services: 1 });
  await t.rejects(
    db('drafts').insert({ ...common, id: 'customer-draft-twin', kind: 'new-customer', data: '{}', customer_id: acme }),
    'one new customer account draft makes one customer',
  );
  await db('drafts').insert({
    ...common,
    id: 'wizard-draft-added',
    kind: 'add-services',
    data: '{}',
    customer_id: acme,
  });
  await db('drafts').insert({
    ...common,
    id: 'customer-draft-open',
    kind: 'new-customer',
    data: '{}',
    customer_id: other,
  });

  await db.migrate.down({ migrationSource });
  t.notOk(await db.schema.hasTable('drafts'), 'down takes the drafts table away');
  t.match(await db('wizard_drafts').where({ id: 'wizard-draft-kept' }).first(), wizardRow);
  t.same(
    await db('customer_drafts').orderBy('id').pluck('id'),
    ['customer-draft-done', 'customer-draft-open'],
    'the new customer account drafts go back to their table',
  );
  t.match(await db('customer_drafts').where({ id: 'customer-draft-done' }).first(), customerRow);
  t.same(
    await db('wizard_drafts').orderBy('id').pluck('id'),
    ['wizard-draft-added', 'wizard-draft-dropped', 'wizard-draft-kept'],
    'the wizard drafts stay in theirs',
  );
  await db('wizard_drafts').where({ id: 'wizard-draft-dropped' }).delete();
  t.same(
    await references('wizard-draft-dropped', dropped),
    { reserved: null, chosen: 0, services: 0 },
    'after down the foreign keys point at wizard_drafts again',
  );

  await db.migrate.up({ migrationSource });
  await db('drafts').where({ id: 'wizard-draft-kept' }).delete();
  t.same(
    await references('wizard-draft-kept', kept),
    { reserved: null, chosen: 0, services: 0 },
    'after up they point at drafts',
  );
});
