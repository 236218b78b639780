import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import { createDb } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { aStaffUser } from '../fixtures/staff.ts';
import { DEMO_PASSWORD, demoUsers, emptyTestDatabase } from '../helpers/app.ts';
import { freePort } from '../helpers/child-app.ts';
import { scratchRoot } from '../helpers/scratch.ts';

const JOBS = 1000;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An app process as it runs in production, on the given database and port; stopped when the test ends. */
function startProcess(
  t: { teardown(fn: () => unknown): void },
  env: Record<string, string>,
  output: string[],
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/tally-server.ts'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', JOBS_POLL_MS: '200', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  t.teardown(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });
  return child;
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

t.test('two app processes on one database share sign-ins and run each of 1,000 due jobs exactly once', async (t) => {
  const dir = mkdtempSync(join(scratchRoot(), 'ledgerdesk-processes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const database = await emptyTestDatabase(t, dir);
  const db = createDb(loadConfig({ ...database, SESSION_SECRET: 'x'.repeat(32) }).database);
  t.teardown(() => db.destroy());
  // As in the README: migrate once, then start the processes. The user to sign in as also keeps them from
  // loading the demo data, which they do only into a database without users.
  await migrateToLatest(db);
  await aStaffUser(db, { email: demoUsers.admin, name: 'Alex Admin', role: 'admin' });
  await db.schema.createTable('job_tally', (table) => {
    table.integer('job_id').notNullable();
    table.integer('pid').notNullable();
  });

  const output: string[] = [];
  t.teardown(() => {
    if (t.passing()) return;
    t.comment(output.join(''));
  });
  const env = { ...database, SESSION_SECRET: 'a shared secret of at least thirty-two characters' };
  const [portA, portB] = [await freePort(), await freePort()];
  const processes = [
    startProcess(t, { ...env, PORT: String(portA) }, output),
    startProcess(t, { ...env, PORT: String(portB) }, output),
  ];
  const [a, b] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
  for (const base of [a, b]) await waitFor(`${base} to answer`, async () => (await fetch(`${base}/login`)).ok, 30_000);

  // Sign in on A...
  const loginPage = await fetch(`${a}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1];
  const signedIn = await fetch(`${a}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(loginPage) },
    body: new URLSearchParams({ _csrf: csrf, email: demoUsers.admin, password: DEMO_PASSWORD }),
  });
  t.equal(signedIn.status, 303, 'signed in on the first process');
  const session = cookiesOf(signedIn);
  // ...and B knows the session.
  const home = await fetch(`${b}/`, { redirect: 'manual', headers: { cookie: session } });
  t.equal(home.status, 200, 'still signed in on the second process');
  t.match(await home.text(), /Good to see you, Alex/);
  t.equal((await fetch(`${b}/customers`, { redirect: 'manual' })).status, 303, 'and signed out without the cookie');

  // Both due-jobs loops are polling; the jobs all fall due at once.
  const runAt = new Date(Date.now() + 500).toISOString();
  const now = new Date().toISOString();
  for (let from = 0; from < JOBS; from += 250) {
    const rows = Array.from({ length: Math.min(250, JOBS - from) }, (_, i) => ({
      kind: 'tally',
      run_at: runAt,
      payload: JSON.stringify({ n: from + i }),
      created_at: now,
    }));
    await db('jobs').insert(rows);
  }
  const started = Date.now();
  await waitFor(
    'every job to finish',
    async () => (await db('jobs').where({ kind: 'tally', status: 'done' }).count({ n: '*' }).first())?.n === JOBS,
    120_000,
  );
  t.comment(`${JOBS} jobs done by two processes in ${Date.now() - started} ms`);

  const runs = await db('job_tally').select('job_id').count({ runs: '*' }).groupBy('job_id');
  t.equal(runs.length, JOBS, 'every job ran');
  t.same(
    runs.filter((row) => row.runs !== 1),
    [],
    'and none ran twice',
  );
  const jobs = await db('jobs').where({ kind: 'tally' }).select('status', 'attempts', 'claimed_by');
  t.ok(
    jobs.every((job) => job.status === 'done' && job.attempts === 1),
    'each claimed once',
  );
  const pids = await db('job_tally').distinct('pid').pluck('pid');
  t.same(pids.sort(), processes.map((p) => p.pid).sort(), 'both processes took part');
});
