import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { todayIso } from '../../src/lib/dates.ts';
import { loadTestWorld } from '../fixtures/world.ts';
import { scratchRoot } from './scratch.ts';

type Tap = { teardown(fn: () => unknown): void };

/**
 * Migrating and loading the test world costs about a second per test on SQLite and several on
 * PostgreSQL, and hundreds of tests start from that same state. So it is built once, as a template that
 * every test file of the run shares, and each test gets a copy: on SQLite the file, copied; on PostgreSQL
 * a database made with CREATE DATABASE … TEMPLATE. The template's name carries a hash of the source,
 * migrations and fixtures, and today's date (the world's dates are relative to today), so any change
 * makes a new one.
 */
export async function migratedTestDatabase(
  t: Tap,
  dir: string,
  serverUrl: string | undefined,
): Promise<{ DB_FILE: string } | { DATABASE_URL: string }> {
  if (!serverUrl) {
    const file = join(dir, 'test.sqlite');
    copyFileSync(await sqliteTemplate(), file);
    return { DB_FILE: file };
  }
  const name = await takeDatabase(serverUrl);
  t.teardown(() => dropLater(serverUrl, name));
  return { DATABASE_URL: databaseUrl(serverUrl, name) };
}

/**
 * On PostgreSQL, CREATE DATABASE … TEMPLATE costs about 0.3 s of the server's time (it copies the template
 * through the WAL) and DROP DATABASE 0.1 s, for every test. So a test file makes the next test's database
 * while the current test runs, and drops a used one without waiting for it; before the process exits
 * it drops the spare and waits for every drop.
 */
let spare: Promise<string> | undefined;
const drops = new Set<Promise<unknown>>();

async function takeDatabase(serverUrl: string): Promise<string> {
  const taken = spare ?? createFromTemplate(serverUrl);
  spare = createFromTemplate(serverUrl);
  // A spare that failed fails the test that takes it, not the process meanwhile.
  spare.catch(() => {});
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('beforeExit', () => void dropSpareAndWait(serverUrl));
  }
  return taken;
}
let cleanupRegistered = false;

async function createFromTemplate(serverUrl: string): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const template = await postgresTemplate(serverUrl);
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return name;
}

function dropLater(serverUrl: string, name: string): void {
  // FORCE: a connection the test left open must not keep its database alive.
  const drop = onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  drops.add(drop);
  drop.catch(() => {}).finally(() => drops.delete(drop));
}

async function dropSpareAndWait(serverUrl: string): Promise<void> {
  const name = await spare?.catch(() => undefined);
  if (name) dropLater(serverUrl, name);
  await Promise.allSettled([...drops]);
}

let sqliteTemplateFile: Promise<string> | undefined;
function sqliteTemplate(): Promise<string> {
  sqliteTemplateFile ??= (async () => {
    const file = join(scratchRoot(), `ledgerdesk-template-${templateKey()}.sqlite`);
    if (existsSync(file)) return file;
    // Built under a name of its own, then renamed: parallel test files never copy a half-built template.
    const building = `${file}.${process.pid}.building`;
    await buildTemplate(createDb({ kind: 'sqlite', file: building }));
    renameSync(building, file);
    return file;
  })();
  return sqliteTemplateFile;
}

let postgresTemplateName: Promise<string> | undefined;
function postgresTemplate(serverUrl: string): Promise<string> {
  postgresTemplateName ??= onServer(serverUrl, async (client) => {
    const name = `ledgerdesk_template_${templateKey()}`;
    // One test file builds it while the others wait on the lock.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return name;
      await client.query(`DROP DATABASE IF EXISTS ${name}_building WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${name}_building`);
      await buildTemplate(createDb({ kind: 'postgres', url: databaseUrl(serverUrl, `${name}_building`) }));
      await client.query(`ALTER DATABASE ${name}_building RENAME TO ${name}`);
      return name;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
  return postgresTemplateName;
}

async function buildTemplate(db: ReturnType<typeof createDb>): Promise<void> {
  try {
    await migrateToLatest(db);
    await loadTestWorld(db);
  } finally {
    await db.destroy();
  }
}

const root = fileURLToPath(new URL('../../', import.meta.url));

function templateKey(): string {
  const hash = createHash('sha256');
  for (const folder of ['src', 'migrations', 'test/fixtures']) hashFolder(hash, join(root, folder));
  return `${todayIso().replaceAll('-', '')}_${hash.digest('hex').slice(0, 12)}`;
}

function hashFolder(hash: ReturnType<typeof createHash>, folder: string): void {
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) hashFolder(hash, path);
    else hash.update(relative(root, path)).update(readFileSync(path));
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
