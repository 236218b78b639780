import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { sendDueEmails } from '../../../src/features/email/sender.ts';
import { smtpMailer } from '../../../src/features/email/smtp.ts';
import { reportJobHandlers } from '../../../src/features/reports/jobs.ts';
import { ATTACH_MAX_BYTES, executeRun, queueDueRuns, runFileChunks } from '../../../src/features/reports/runs.ts';
import { runDueJobs } from '../../../src/jobs/queue.ts';
import { aCustomer } from '../../fixtures/customers.ts';
import { aReport } from '../../fixtures/reports.ts';
import { aReseller } from '../../fixtures/staff.ts';
import { buildTestApp, demoUsers, openEmptyTestDatabase, signIn, type TestApp } from '../../helpers/app.ts';
import { startSmtpServer } from '../../helpers/smtp-server.ts';

const publicUrl = 'http://ledgerdesk.test';
/** The report jobs as an app process runs them, on the test's database. */
const runJobs = ({ db, config }: Pick<TestApp, 'db' | 'config'>) =>
  runDueJobs(db, reportJobHandlers({ publicUrl, database: config.database }), { worker: 'test' });

t.test('a periodic report runs when due, once; its file is kept and e-mailed to the recipients', async (t) => {
  const smtp = await startSmtpServer(t);
  const { app, db, config } = await buildTestApp(t, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  const northwind = await db('resellers').where('name', 'Northwind Telecom').first();
  const report = await aReport(db, {
    reseller_id: northwind.id,
    name: 'Daily balances',
    schedule: 'daily',
    period: 'last-day',
    fields: ['custom_account_id', 'name', 'open_balance'],
    recipients: 'finance@northwind.example,ops@northwind.example',
    next_run_at: '2026-11-30T06:00:00.000Z',
  });
  t.equal(await queueDueRuns(db, new Date('2026-11-30T05:59:00Z')), 0, 'not before its time');
  t.equal(await queueDueRuns(db, new Date('2026-11-30T06:00:30Z')), 1);
  t.equal(await queueDueRuns(db, new Date('2026-11-30T06:01:00Z')), 0, 'once per tick');
  t.equal((await db('reports').where('id', report.id).first()).next_run_at, '2026-12-01T06:00:00.000Z');

  await runJobs({ db, config });
  const [run] = await db('report_runs').where('report_id', report.id);
  t.match(run, { status: 'done', row_count: 4, due_at: '2026-11-30T06:00:00.000Z', period_from: '2026-11-29' });
  t.ok(run.duration_ms >= 0 && run.size_bytes > 0);

  const agent = await signIn(app, demoUsers.reseller);
  const page = await agent.get(`/reports/${report.id}`);
  t.match(page.body, /Daily balances/);
  t.match(page.body, new RegExp(`/reports/${report.id}/runs/${run.id}/download`));
  const file = await agent.get(`/reports/${report.id}/runs/${run.id}/download`);
  t.equal(file.statusCode, 200);
  const rows = parse(file.body);
  t.same(rows[0], ['Custom Account ID', 'Name', 'Open Balance']);
  t.equal(rows.length, 5);
  t.equal(
    (await signIn(app, demoUsers.reseller2).then((a) => a.get(`/reports/${report.id}/runs/${run.id}/download`)))
      .statusCode,
    404,
  );

  await sendDueEmails(db, smtpMailer({ url: config.smtpUrl!, from: config.mailFrom }));
  t.same(smtp.received.flatMap((m) => m.to).sort(), ['finance@northwind.example', 'ops@northwind.example']);
  const [attachment] = smtp.received[0].mail.attachments;
  t.equal(attachment.filename, 'daily-balances-2026-11-30.csv');
  t.equal(attachment.content.toString('utf8'), file.body, 'the attachment is the kept file');
  t.match(smtp.received[0].mail.subject, /Daily balances: 4 rows/);
});

t.test('a file too large to attach is linked in the e-mail instead', async (t) => {
  const { db, config } = await buildTestApp(t);
  const reseller = await aReseller(db);
  const now = new Date().toISOString();
  const rows = Array.from({ length: 3_000 }, (_, i) => ({
    account_number: `LX${String(i).padStart(7, '0')}`,
    name: `Long name ${i} ${'x'.repeat(180)}`,
    kind: 'business',
    status: 'active',
    reseller_id: reseller.id,
    created_at: now,
    updated_at: now,
  }));
  await db.batchInsert('customers', rows, 200);
  const report = await aReport(db, {
    reseller_id: reseller.id,
    name: 'Big',
    schedule: 'daily',
    fields: ['name'],
    recipients: 'big@example.com',
    next_run_at: '2026-11-30T06:00:00.000Z',
  });
  await queueDueRuns(db, new Date('2026-11-30T06:00:00Z'));
  await runJobs({ db, config });
  const run = await db('report_runs').where('report_id', report.id).first();
  t.ok(run.size_bytes > ATTACH_MAX_BYTES, `the file is ${run.size_bytes} bytes`);
  t.ok((await db('report_run_chunks').where('run_id', run.id)).length > 1, 'kept in several chunks');
  const kept: Buffer[] = [];
  for await (const chunk of runFileChunks(db, run.id)) kept.push(chunk);
  const file = Buffer.concat(kept).toString('utf8');
  t.equal(Buffer.byteLength(file), run.size_bytes, 'the chunks put together are the whole file');
  t.equal(parse(file).length, 1 + 3_000);
  const email = await db('emails').where('to_address', 'big@example.com').first();
  t.match(email.body, `http://ledgerdesk.test/reports/${report.id}/runs/${run.id}/download`);
  t.equal((await db('email_attachments').where('email_id', email.id)).length, 0);
});

t.test('runs missed while the app was down catch up once, then the schedule goes on', async (t) => {
  const { db } = await buildTestApp(t);
  const report = await aReport(db, {
    schedule: 'daily',
    period: 'last-day',
    fields: ['name'],
    recipients: 'a@example.com',
    next_run_at: '2026-11-25T06:00:00.000Z',
  });
  const now = new Date('2026-11-30T09:15:00Z');
  t.equal(await queueDueRuns(db, now), 1);
  t.equal(await queueDueRuns(db, now), 0);
  const runs = await db('report_runs').where('report_id', report.id);
  t.equal(runs.length, 1, 'five missed days make one run');
  t.equal(runs[0].due_at, '2026-11-30T06:00:00.000Z', 'for the latest missed tick');
  t.equal(runs[0].period_from, '2026-11-29');
  t.equal((await db('reports').where('id', report.id).first()).next_run_at, '2026-12-01T06:00:00.000Z');
});

t.test('a failed run shows its error and can be retried', async (t) => {
  const { app, db, config } = await buildTestApp(t);
  const contoso = await db('resellers').where('name', 'Contoso Networks').first();
  const report = await aReport(db, {
    reseller_id: contoso.id,
    schedule: 'weekly',
    weekday: 1,
    fields: ['name'],
    recipients: 'ops@contoso.example',
    next_run_at: '2026-11-30T06:00:00.000Z',
  });
  await queueDueRuns(db, new Date('2026-11-30T06:00:00Z'));
  const run = await db('report_runs').where('report_id', report.id).first();
  await db('report_runs').where('id', run.id).update({ status: 'failed', error: 'Connection lost while writing' });

  const agent = await signIn(app, demoUsers.reseller2);
  const page = await agent.get(`/reports/${report.id}`);
  t.match(page.body, /Connection lost while writing/);
  t.match(page.body, /Retry/);
  const other = await signIn(app, demoUsers.reseller);
  t.equal((await other.post(`/reports/${report.id}/runs/${run.id}/retry`)).statusCode, 404);
  const retried = await agent.post(`/reports/${report.id}/runs/${run.id}/retry`);
  t.equal(retried.statusCode, 303);
  t.equal((await db('report_runs').where('id', run.id).first()).status, 'queued');
  t.ok(await db('audit_events').where({ entity: 'report_runs', entity_id: run.id, action: 'retry' }).first());
  await runJobs({ db, config });
  t.match(await db('report_runs').where('id', run.id).first(), { status: 'done', row_count: 3, error: null });
  const again = await agent.post(`/reports/${report.id}/runs/${run.id}/retry`);
  t.equal(again.statusCode, 303, 'a run that is not failed is not retried');
  t.equal((await db('report_runs').where('id', run.id).first()).status, 'done');
});

t.test('a run that throws is recorded as failed with its error', async (t) => {
  const { db, config } = await buildTestApp(t);
  const report = await aReport(db, { schedule: 'daily', fields: ['name'], next_run_at: '2026-11-30T06:00:00.000Z' });
  await queueDueRuns(db, new Date('2026-11-30T06:00:00Z'));
  const run = await db('report_runs').where('report_id', report.id).first();
  await db.schema.renameTable('locations', 'locations_away');
  await db('reports')
    .where('id', report.id)
    .update({ fields: JSON.stringify(['name', 'bill_to']) });
  await executeRun(db, run.id, { publicUrl, database: config.database });
  await db.schema.renameTable('locations_away', 'locations');
  const failed = await db('report_runs').where('id', run.id).first();
  t.equal(failed.status, 'failed');
  t.match(failed.error, /locations/);
});

const workerFile = fileURLToPath(new URL('../../helpers/report-worker.ts', import.meta.url));

t.test('two processes running the scheduler at the same moment run each due report once', async (t) => {
  // One database (a SQLite file, or a PostgreSQL schema) for both processes.
  const { db, config } = await openEmptyTestDatabase(t);
  await migrateToLatest(db);
  const { database } = config;
  const reseller = await aReseller(db);
  for (let i = 0; i < 5; i++) await aCustomer(db, { reseller_id: reseller.id });
  const reports = [];
  for (let i = 0; i < 8; i++)
    reports.push(
      await aReport(db, {
        reseller_id: reseller.id,
        schedule: 'daily',
        fields: ['name'],
        recipients: `r${i}@example.com`,
        next_run_at: '2026-11-30T06:00:00.000Z',
      }),
    );
  const startAt = Date.now() + 3000;
  const results = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<{ queued: number; done: number }>((resolve, reject) => {
          const child = fork(workerFile, { execArgv: ['--import=tsx'], serialization: 'advanced' });
          child.send({ database, startAt, now: '2026-11-30T06:00:10Z' });
          child.once('message', (message) => resolve(message as { queued: number; done: number }));
          child.once('error', reject);
          child.once('exit', (code) => code && reject(new Error(`worker exited with ${code}`)));
        }),
    ),
  );
  t.comment(`queued ${results.map((r) => r.queued).join(' + ')}, jobs done ${results.map((r) => r.done).join(' + ')}`);
  t.equal(results[0].queued + results[1].queued, 8, 'between them they queued each report once');
  const runs = await db('report_runs');
  t.equal(runs.length, 8);
  t.same(new Set(runs.map((r) => r.report_id)).size, 8);
  t.ok(
    runs.every((r) => r.status === 'done' && r.attempts === 1 && r.row_count === 5),
    'each ran once',
  );
  t.equal((await db('emails')).length, 8, 'one e-mail per report');
});
