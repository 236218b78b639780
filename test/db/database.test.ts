import Database from 'better-sqlite3';
import t from 'tap';
import { datePlusDays, daysBetween, whileLocked } from '../../src/db/dialect.ts';
import { type Db, selectArrays, sqlConstant } from '../../src/db/index.ts';
import { readFromNow } from '../../src/db/sqlite-client.ts';
import {
  createTextIndex,
  createTextSearch,
  dropTextIndex,
  dropTextSearch,
  matchesText,
  whereTextContains,
} from '../../src/db/text-search.ts';
import { jobHandlers } from '../../src/jobs/handlers.ts';
import {
  CLAIM_LEASE_MS,
  claimDueJobs,
  enqueueJob,
  type Job,
  MAX_ATTEMPTS,
  runDueJobs,
  startJobLoop,
} from '../../src/jobs/queue.ts';
import { buildTestApp, testDatabaseUrl } from '../helpers/app.ts';

const silent = { error() {} };

async function enqueueMany(db: Db, kind: string, count: number, runAt = new Date(Date.now() - 1000).toISOString()) {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push((await enqueueJob(db, { kind, runAt, payload: { n: i } }))!);
  return ids;
}

t.test('booleans and counts read back as numbers on either database', async (t) => {
  const { db } = await buildTestApp(t);
  const customer = await db('customers').first('id');
  const [inserted] = await db('locations')
    .insert({
      customer_id: customer.id,
      line1: '1 High St',
      city: 'Leeds',
      postal_code: 'LS1',
      is_bill_to: true,
      created_at: '2026-01-01T00:00:00.000Z',
    })
    .returning('id');
  const location = await db('locations').where({ id: inserted.id }).first('is_bill_to', 'country');
  t.equal(location.is_bill_to, 1);
  t.equal(location.country, 'US', 'column defaults apply');
  const count = await db('customers').count({ count: '*' }).first();
  t.equal(count?.count, 7);
  const sum = await db('customers').sum({ total: 'version' }).first();
  t.equal(sum?.total, 7);
});

t.test(
  'a folding text index finds any of several terms with accents folded, and its plan uses the index',
  async (t) => {
    const { db } = await buildTestApp(t);
    await db.schema.createTable('scratch_places', (table) => {
      table.increments('id');
      table.string('name').notNullable();
      table.string('digits').nullable();
    });
    const index = {
      name: 'scratch_places_search',
      table: 'scratch_places',
      columns: ['name', 'digits'],
      foldAccents: true,
    };
    await db('scratch_places').insert([{ name: 'Café Nero' }, { name: 'Crème Brûlée Bakery', digits: '15550100231' }]);
    await createTextIndex(db, index);
    await db('scratch_places').insert({ name: 'St. Mary’s Hospital' });
    const find = (term: string | string[]) =>
      whereTextContains(db, db('scratch_places'), index, term).pluck('scratch_places.name');
    t.same(await find('cafe'), ['Café Nero'], 'cafe finds Café');
    t.same(await find('CAFÉ'), ['Café Nero'], 'Café finds it too');
    t.same(await find('creme brulee'), ['Crème Brûlée Bakery']);
    t.same(await find('Hospital'), ['St. Mary’s Hospital'], 'anywhere in the text');
    t.same(await find(['nothing', '5550100']), ['Crème Brûlée Bakery'], 'any of several terms');
    const { sql, bindings } = whereTextContains(
      db,
      db('scratch_places').select('scratch_places.id'),
      index,
      'cafe',
    ).toSQL();
    const plan = await db.transaction(async (trx) => {
      if (!testDatabaseUrl) return JSON.stringify(await trx.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings));
      // A table this small is read whole, or walked by id, otherwise (at a million rows the planner
      // chooses the trigram index by itself: about 8 ms for "cafe").
      await trx.raw('SET LOCAL enable_seqscan = off');
      await trx.raw('SET LOCAL enable_indexscan = off');
      return JSON.stringify((await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings)).rows);
    });
    t.match(plan, /scratch_places_search/, 'the query is answered by the index');
    await dropTextIndex(db, index);
    await db.schema.dropTable('scratch_places');
  },
);

t.test('a read as arrays gives each row its values in select order; the same query then answers objects', async (t) => {
  const { db } = await buildTestApp(t);
  const query = () => db('resellers').orderBy('id').select('name', 'id', db.raw('count(*) over () as resellers'));
  const objects = await query();
  t.ok(objects.length > 1);
  t.same(
    await selectArrays(query()),
    objects.map((r) => [r.name, r.id, objects.length]),
  );
  t.same(await query(), objects, 'the kept statement is back to objects');
  const { sql, bindings } = query().toSQL();
  t.same(await selectArrays(db.raw(sql, bindings)), await selectArrays(query()), 'a raw statement too');
});

t.test('date arithmetic on ISO dates gives ISO dates and whole days', async (t) => {
  const { db } = await buildTestApp(t);
  const dates = db.raw(
    `(SELECT '2026-01-31' AS due_on, '2026-03-01' AS paid_on UNION ALL SELECT '2028-02-28', '2028-02-27') AS dates`,
  );
  const rows = await db
    .from(dates)
    .select({
      in30: datePlusDays(db, 'due_on', 30),
      next: datePlusDays(db, 'due_on', 1),
      before: datePlusDays(db, 'due_on', -31),
      late: daysBetween(db, 'due_on', 'paid_on'),
    })
    .orderBy('due_on');
  t.same(rows, [
    { in30: '2026-03-02', next: '2026-02-01', before: '2025-12-31', late: 29 },
    { in30: '2028-03-29', next: '2028-02-29', before: '2028-01-28', late: -1 },
  ]);
});

t.test(
  'a text search index finds substrings case-insensitively and literally, and follows inserts, updates and deletes',
  async (t) => {
    const { db } = await buildTestApp(t);
    await db.schema.createTable('scratch_notes', (table) => {
      table.increments('id');
      table.string('body').notNullable();
    });
    await db('scratch_notes').insert([
      { body: 'Acme Plumbing Ltd' },
      { body: 'Baker & Sons' },
      { body: '100% "organic" cotton' },
    ]);
    await createTextSearch(db, 'scratch_notes', 'body');
    await db('scratch_notes').insert({ body: 'Plumbline Surveys' });
    await db('scratch_notes').where({ body: 'Baker & Sons' }).update({ body: 'Baker & Plumb' });
    await db('scratch_notes').where({ body: 'Acme Plumbing Ltd' }).delete();
    const find = (term: string) =>
      db('scratch_notes')
        .where(matchesText(db, 'scratch_notes', 'body', term))
        .orderBy('id')
        .pluck('body');
    t.same(await find('PLUMB'), ['Baker & Plumb', 'Plumbline Surveys']);
    t.same(await find('0% "org'), ['100% "organic" cotton'], 'quotes and wildcards are literal');
    t.same(await find('% c'), [], '% is not a wildcard');
    t.same(await find('ys'), ['Plumbline Surveys'], 'short terms still work, without the index');
    t.same(await find('acme'), []);
    await dropTextSearch(db, 'scratch_notes', 'body');
    await db.schema.dropTable('scratch_notes');
  },
);

t.test('a job queued twice under one idempotency key is queued once', async (t) => {
  const { db } = await buildTestApp(t);
  const first = await enqueueJob(db, {
    kind: 'report',
    idempotencyKey: 'report-7@2026-11-25',
    payload: { reportId: 7 },
  });
  const second = await enqueueJob(db, {
    kind: 'report',
    idempotencyKey: 'report-7@2026-11-25',
    payload: { reportId: 7 },
  });
  t.type(first, 'number');
  t.equal(second, null);
  t.equal((await db('jobs').where({ kind: 'report' })).length, 1);
});

t.test('concurrent claims hand out every due job exactly once, oldest first, and leave future jobs', async (t) => {
  const { db } = await buildTestApp(t);
  const due = await enqueueMany(db, 'email', 60);
  await enqueueJob(db, { kind: 'email', runAt: new Date(Date.now() + 3600_000).toISOString() });
  await enqueueJob(db, { kind: 'report' });
  const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimDueJobs(db, `worker-${i}`, ['email'], 10)));
  const claimed = claims.flat().map((job) => job.id);
  t.equal(claimed.length, 60, 'all due e-mail jobs claimed');
  t.same(
    [...new Set(claimed)].sort((a, b) => a - b),
    due,
    'each once',
  );
  for (const jobs of claims)
    t.same(
      jobs.map((j) => j.id),
      [...jobs.map((j) => j.id)].sort((a, b) => a - b),
      'in due order',
    );
  const rows = await db('jobs').where({ status: 'running' });
  t.equal(rows.length, 60);
  t.ok(rows.every((row) => row.attempts === 1 && row.claimed_by?.startsWith('worker-')));
  t.same(
    await claimDueJobs(db, 'late', ['email', 'report'], 10).then((jobs) => jobs.map((j) => j.kind)),
    ['report'],
    'the future job and other kinds wait',
  );
});

t.test('a claim whose process died is taken over by another worker once its lease is over', async (t) => {
  const { db } = await buildTestApp(t);
  const [id] = await enqueueMany(db, 'email', 1);
  const start = new Date();
  t.equal((await claimDueJobs(db, 'crashed', ['email'], 5, start)).length, 1);
  t.equal(
    (await claimDueJobs(db, 'other', ['email'], 5, new Date(start.getTime() + CLAIM_LEASE_MS - 1000))).length,
    0,
    'not within the lease',
  );
  const later = new Date(start.getTime() + CLAIM_LEASE_MS + 1000);
  const [taken] = await claimDueJobs(db, 'other', ['email'], 5, later);
  t.equal(taken.id, id);
  t.equal(taken.attempts, 2);
  const row = await db('jobs').where({ id }).first();
  t.equal(row.claimed_by, 'other');
});

t.test(
  'runDueJobs runs each job once with its payload, retries a failing job later and finally marks it failed',
  async (t) => {
    const { db } = await buildTestApp(t);
    await enqueueMany(db, 'email', 3);
    const [flaky] = await enqueueMany(db, 'report', 1);
    const seen: Job[] = [];
    let clock = new Date();
    const handlers = {
      email: async (_db: Db, job: Job) => void seen.push(job),
      report: async () => {
        throw new Error('the report server is down');
      },
    };
    t.same(await runDueJobs(db, handlers, { worker: 'w', batchSize: 2, now: () => clock, log: silent }), {
      done: 3,
      failed: 1,
    });
    t.same(
      seen.map((job) => (job.payload as { n: number }).n),
      [0, 1, 2],
    );
    t.same(await db('jobs').where({ kind: 'email' }).pluck('status'), ['done', 'done', 'done']);
    let row = await db('jobs').where({ id: flaky }).first();
    t.match(row, { status: 'queued', attempts: 1, claimed_by: null, last_error: 'Error: the report server is down' });
    t.ok(row.run_at > clock.toISOString(), 'retried later, not at once');
    t.same(
      await runDueJobs(db, handlers, { worker: 'w', now: () => clock, log: silent }),
      { done: 0, failed: 0 },
      'not due yet',
    );
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      clock = new Date(clock.getTime() + 3600_000);
      await runDueJobs(db, handlers, { worker: 'w', now: () => clock, log: silent });
    }
    row = await db('jobs').where({ id: flaky }).first();
    t.match(row, { status: 'failed', attempts: MAX_ATTEMPTS });
    t.ok(row.finished_at);
  },
);

t.test('the job loop runs due jobs of its kinds, queues recurring work once per tick, and stops cleanly', async (t) => {
  const { db } = await buildTestApp(t);
  const ran: number[] = [];
  const loop = startJobLoop(
    db,
    { email: async (_db, job) => void ran.push(job.id) },
    { intervalMs: 100, log: silent, recurring: [{ kind: 'email', cron: '* * * * * *' }] },
  );
  const [id] = await enqueueMany(db, 'email', 1);
  const deadline = Date.now() + 5000;
  while (
    (!ran.includes(id) || !(await db('jobs').whereLike('idempotency_key', 'email@%').first())) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await loop.stop();
  t.ok(ran.includes(id), 'the queued job ran');
  const recurring = await db('jobs').whereLike('idempotency_key', 'email@%').pluck('idempotency_key');
  t.ok(recurring.length >= 1, 'the recurring job was queued');
  t.equal(new Set(recurring).size, recurring.length);
  t.match(recurring[0], /^email@\d{4}-\d\d-\d\dT\d\d:\d\d$/, 'keyed by its minute, the same in every process');
});

t.test('housekeeping deletes expired sessions and long-finished jobs', async (t) => {
  const { db, config } = await buildTestApp(t);
  await db('sessions').insert([
    { sid: 'old', data: '{}', expires_at: '2020-01-01T00:00:00.000Z' },
    { sid: 'live', data: '{}', expires_at: '2999-01-01T00:00:00.000Z' },
  ]);
  const [oldJob, recentJob] = await enqueueMany(db, 'email', 2);
  await db('jobs').where({ id: oldJob }).update({ status: 'done', finished_at: '2020-01-01T00:00:00.000Z' });
  await db('jobs').where({ id: recentJob }).update({ status: 'done', finished_at: new Date().toISOString() });
  await enqueueJob(db, { kind: 'housekeeping' });
  t.same(await runDueJobs(db, jobHandlers(config), { worker: 'w' }), { done: 1, failed: 0 });
  t.same(await db('sessions').orderBy('sid').pluck('sid'), ['live']);
  t.same(await db('jobs').where({ kind: 'email' }).pluck('id'), [recentJob]);
});

t.test(
  'on PostgreSQL, work under a named lock runs one at a time',
  { skip: !testDatabaseUrl && 'SQLite needs no lock' },
  async (t) => {
    const { db } = await buildTestApp(t);
    const events: string[] = [];
    const work = (name: string) =>
      whileLocked(db, 'test-lock', async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        events.push(`${name} out`);
      });
    await Promise.all([work('a'), work('b')]);
    t.same(
      events.map((e) => e.split(' ')[1]),
      ['in', 'out', 'in', 'out'],
    );
  },
);

t.test(
  'an INSERT … RETURNING in the middle of a batch of reads is committed at once: another connection sees it',
  { skip: testDatabaseUrl ? 'read batches are SQLite’s (src/db/sqlite-client.ts)' : false },
  async (t) => {
    const { db, config } = await buildTestApp(t);
    const file = (config.database as { file: string }).file;
    const other = new Database(file, { readonly: true });
    t.teardown(() => other.close());
    readFromNow();
    // The first read after an arrival runs alone; the second begins the batch.
    await db('customers').first('id');
    const customer = await db('customers').first('id');
    const [{ id }] = await db('alerts')
      .insert({ customer_id: customer.id, message: 'Batch probe', created_at: new Date().toISOString() })
      .returning('id');
    // No turn of the event loop has passed, so a batch still open would still hold the row.
    t.ok(other.prepare('SELECT 1 FROM alerts WHERE id = ?').get(id), 'the other connection sees the new row');
  },
);

t.test(
  'LIMIT, OFFSET and a partial index’s condition are written into the SQL: SQLite would plan again on every run',
  { skip: testDatabaseUrl ? 'SQLite’s planner (src/db/sqlite-client.ts)' : false },
  async (t) => {
    const { db } = await buildTestApp(t);
    const first = db('customers').where('id', 7).first('id').toSQL();
    t.match(first.sql, / limit 1$/);
    t.same(first.bindings, [7], 'only the id is bound');
    const page = db('customers').orderBy('id').limit(20).offset(40).toSQL();
    t.match(page.sql, / limit 20 offset 40$/);
    t.same(page.bindings, []);
    t.same(db('customers').limit(5, { skipBinding: false }).toSQL().bindings, [5], 'bound when asked');
    const open = db('invoices').where('customer_id', 7).where('open_cents', '>', sqlConstant(db, 0)).toSQL();
    t.match(open.sql, /`open_cents` > 0$/);
    t.same(open.bindings, [7]);
    t.match(db('drafts').where('kind', sqlConstant(db, 'new-customer')).toSQL().sql, /`kind` = 'new-customer'$/);
    t.throws(() => sqlConstant(db, "x' or '1"), 'a value that is not a plain word is refused');
    t.throws(() => sqlConstant(db, 0.5));
    t.equal((await db('customers').orderBy('id').limit(2).offset(1)).length, 2, 'and the query runs');
  },
);

t.test('a counter watching one column moves only when a value enters, changes in or leaves that column', async (t) => {
  const { db } = await buildTestApp(t);
  const count = async () =>
    Number((await db('change_counters').where({ name: 'number_pools' }).first('value'))?.value ?? 0);
  const customer = await db('customers').first('id');
  const now = new Date().toISOString();
  const number = (n: string, pool: number | null) => ({
    number: n,
    prefix: n.slice(0, 7),
    grade: 'silver',
    pool_customer_id: pool,
    status: 'available',
    shuffle_key: 1,
    created_at: now,
    updated_at: now,
  });
  let last = await count();
  const moved = async (what: string, change: () => Promise<unknown>, expected: boolean) => {
    await change();
    const value = await count();
    t.equal(value > last, expected, what);
    last = value;
  };
  await moved('a public number inserted', () => db('phone_numbers').insert(number('09990000001', null)), false);
  await moved('a pooled number inserted', () => db('phone_numbers').insert(number('09990000002', customer.id)), true);
  await moved(
    'a number reserved',
    () => db('phone_numbers').where({ number: '09990000002' }).update({ reserved_until: now }),
    false,
  );
  await moved(
    'a number moved into a pool',
    () => db('phone_numbers').where({ number: '09990000001' }).update({ pool_customer_id: customer.id }),
    true,
  );
  await moved(
    'the same pool set again',
    () => db('phone_numbers').where({ number: '09990000001' }).update({ pool_customer_id: customer.id }),
    false,
  );
  await moved('a pooled number deleted', () => db('phone_numbers').where({ number: '09990000001' }).delete(), true);
});
