import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { copyOrder } from '../../src/db/copy.ts';
import { createDb } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { updateAudited } from '../../src/features/audit/audit.ts';
import { enqueueJob } from '../../src/jobs/queue.ts';
import { loadTestWorld } from '../fixtures/world.ts';
import { demoUsers, emptyTestDatabase, signIn, testDatabaseUrl } from '../helpers/app.ts';
import { scratchRoot } from '../helpers/scratch.ts';

t.test(
  'tables are copied after the tables they refer to; references to later tables are filled in afterwards',
  async (t) => {
    const steps = copyOrder(
      ['payments', 'customers', 'invoices', 'resellers', 'a', 'b'],
      [
        { table: 'customers', column: 'reseller_id', references: 'resellers' },
        { table: 'customers', column: 'parent_customer_id', references: 'customers' },
        { table: 'invoices', column: 'customer_id', references: 'customers' },
        { table: 'payments', column: 'invoice_id', references: 'invoices' },
        { table: 'a', column: 'b_id', references: 'b' },
        { table: 'b', column: 'a_id', references: 'a' },
      ],
    );
    t.same(steps, [
      { table: 'resellers', deferred: [] },
      { table: 'customers', deferred: ['parent_customer_id'] },
      { table: 'invoices', deferred: [] },
      { table: 'payments', deferred: [] },
      { table: 'a', deferred: ['b_id'] },
      { table: 'b', deferred: [] },
    ]);
  },
);

/** The page as a user sees it, without what differs per session (the CSRF token). */
function visible(html: string): string {
  return html.replace(/"x-csrf-token": "[^"]+"/g, '').replace(/name="_csrf" value="[^"]+"/g, '');
}

t.test(
  'db:copy moves an installation to PostgreSQL, checked, and the app there shows the same customers',
  { skip: !testDatabaseUrl && 'needs TEST_DATABASE_URL' },
  async (t) => {
    const dir = mkdtempSync(join(scratchRoot(), 'ledgerdesk-copy-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'ledgerdesk.sqlite');
    const sqlite = createDb({ kind: 'sqlite', file });
    t.teardown(() => sqlite.destroy());
    await migrateToLatest(sqlite);
    await loadTestWorld(sqlite);
    // Beyond the test world: booleans, JSON, audit history, non-ASCII text, and ids with gaps.
    const acme = await sqlite('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const admin = await sqlite('users').where({ email: demoUsers.admin }).first();
    await sqlite('locations').insert({
      customer_id: acme.id,
      line1: '1 Quay St',
      city: 'Bristol',
      postal_code: 'BS1',
      is_bill_to: true,
      created_at: '2026-11-01T09:00:00.000Z',
    });
    await sqlite.transaction((trx) =>
      updateAudited(
        trx,
        { table: 'customers', id: acme.id, customerId: acme.id, actor: { userId: admin.id } },
        { name: 'Acme Plumbing & Heating — Zoë Ångström' },
      ),
    );
    await enqueueJob(sqlite, {
      kind: 'report',
      payload: { reportId: 3, to: ['a@example.com'] },
      idempotencyKey: 'report-3@2026-11-25',
    });
    await sqlite('customers').where({ name: 'Frank Osei' }).delete();

    const target = await emptyTestDatabase(t, dir);
    if (!('DATABASE_URL' in target)) throw new Error('with TEST_DATABASE_URL set, the test database is on PostgreSQL');
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/db-copy.ts', '--from', `sqlite:${file}`, '--to', target.DATABASE_URL],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('exit', (code) => resolve({ code, output }));
    });
    t.equal(code, 0, output);
    t.match(output, /Checked: every table has the same rows in both databases/);
    t.match(output, /customers\s+6\s+[0-9a-f]{16}/);

    const apps = await Promise.all(
      [{ DB_FILE: file }, target].map(async (database) => {
        const config = loadConfig({
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          SESSION_SECRET: 'y'.repeat(32),
          ...database,
        });
        const db = database === target ? createDb(config.database) : sqlite;
        const app = await buildApp({ config, db });
        t.teardown(async () => {
          await app.close();
          if (db !== sqlite) await db.destroy();
        });
        return { db, agent: await signIn(app, demoUsers.admin) };
      }),
    );
    const [onSqlite, onPostgres] = apps;
    const list = await Promise.all(apps.map(({ agent }) => agent.get('/customers')));
    t.match(list[1].body, /Acme Plumbing &amp; Heating — Zoë Ångström/);
    t.equal(visible(list[1].body), visible(list[0].body), 'the customer list is the same');
    for (const id of await onSqlite.db('customers').orderBy('id').pluck('id')) {
      const [before, after] = await Promise.all(apps.map(({ agent }) => agent.get(`/customers/${id}`)));
      t.equal(after.statusCode, 200);
      t.equal(visible(after.body), visible(before.body), `customer ${id} shows the same`);
    }
    t.same(
      await onPostgres.db('audit_events').select('entity', 'field', 'old_value', 'new_value'),
      await onSqlite.db('audit_events').select('entity', 'field', 'old_value', 'new_value'),
      'the audit history came along',
    );
    const [location] = await onPostgres.db('locations').select('is_bill_to');
    t.equal(location.is_bill_to, 1);
    const maxId = (await onPostgres.db('customers').max({ id: 'id' }).first())!.id;
    const [created] = await onPostgres
      .db('customers')
      .insert({
        account_number: 'LD9999999',
        name: 'New After Copy',
        kind: 'business',
        reseller_id: acme.reseller_id,
        created_at: 'x',
        updated_at: 'x',
      })
      .returning('id');
    t.equal(created.id, maxId + 1, 'id sequences continue after the copied rows');
  },
);
