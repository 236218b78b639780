import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { type AppOptions, buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/index.ts';
import { DEMO_PASSWORD } from '../fixtures/staff.ts';
import { scratchRoot } from './scratch.ts';
import { migratedTestDatabase } from './template-database.ts';

export { DEMO_PASSWORD } from '../fixtures/staff.ts';
export { demoUsers } from '../fixtures/world.ts';

type Tap = { teardown(fn: () => unknown): void };

/**
 * The tests' configuration. The worker pool runs at the suite's own priority: the suite keeps both cores busy
 * with its own files, and a slower pool thread only hides races (it hid the read-batch one, sqlite-client.ts).
 */
const TEST_ENV = { NODE_ENV: 'test', LOG_LEVEL: 'silent', POOL_NICENESS: '0' };

export type TestApp = { app: FastifyInstance; db: Db; config: Config; dir: string };

/** The PostgreSQL server the suite also runs against when set (CI runs the suite once per database). */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/**
 * An empty database for one test, as environment for loadConfig: a SQLite file in `dir`, or on
 * PostgreSQL a schema of its own (chosen through search_path), so test files can run in parallel on
 * one server. Dropped when the test ends.
 */
export async function emptyTestDatabase(t: Tap, dir: string): Promise<{ DB_FILE: string } | { DATABASE_URL: string }> {
  if (!testDatabaseUrl) return { DB_FILE: join(dir, 'test.sqlite') };
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await onTestServer(`CREATE SCHEMA ${schema}`);
  t.teardown(() => onTestServer(`DROP SCHEMA ${schema} CASCADE`));
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { DATABASE_URL: url.toString() };
}

async function onTestServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * An empty database of its own for one test (not migrated), with the app's configuration for it and a
 * scratch directory; all gone when the test ends.
 */
export async function openEmptyTestDatabase(t: Tap, env: Record<string, string> = {}): Promise<Omit<TestApp, 'app'>> {
  const dir = scratchDirectory(t);
  const database = await emptyTestDatabase(t, dir);
  const config = loadConfig({ ...TEST_ENV, ...database, ...env });
  const db = createDb(config.database);
  t.teardown(() => db.destroy());
  return { db, config, dir };
}

function scratchDirectory(t: Tap): string {
  const dir = mkdtempSync(join(scratchRoot(), 'ledgerdesk-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A fresh database (migrated, the test world of test/fixtures/world.ts loaded) and an app on it; both
 * are closed when the test ends.
 */
export async function buildTestApp(
  t: Tap,
  env: Record<string, string> = {},
  options: Pick<AppOptions, 'signInLimits' | 'gateway' | 'logStream' | 'onRoute'> = {},
): Promise<TestApp> {
  const dir = scratchDirectory(t);
  const database = await migratedTestDatabase(t, dir, testDatabaseUrl);
  const config = loadConfig({ ...TEST_ENV, ...database, ...env });
  const db = createDb(config.database);
  t.teardown(() => db.destroy());
  const app = await buildApp({
    config,
    db,
    ...options,
    // Tests sign in often from one address; test/security/sign-in-limits.test.ts sets real limits.
    signInLimits: options.signInLimits ?? { perAccount: 1000, perClient: 10_000, windowMinutes: 15 },
  });
  t.teardown(() => app.close());
  return { app, db, config, dir };
}

/** Reads the CSRF token a page carries (the hx-headers on <body>, or a hidden form field). */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /"x-csrf-token": "([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on this page');
  return match[1];
}

type FormValues = Record<string, string | number | boolean | string[] | undefined>;

function encodeForm(values: FormValues): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  return params.toString();
}

/**
 * A browser-like client for app.inject: keeps the session cookie, and sends the CSRF token with every
 * unsafe request the way our pages do (form field `_csrf`, or the x-csrf-token header for htmx).
 */
export class Agent {
  private cookies = new Map<string, string>();
  private csrfToken: string | null = null;

  constructor(readonly app: FastifyInstance) {}

  async request(options: InjectOptions & { htmx?: boolean }): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (options.htmx) headers['hx-request'] = 'true';
    const response = await this.app.inject({ ...options, headers });
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if (/text\/html/.test(String(response.headers['content-type']))) {
      const token = /"x-csrf-token": "([^"]+)"/.exec(response.body);
      if (token) this.csrfToken = token[1];
    }
    return response;
  }

  get(url: string, options: { htmx?: boolean; headers?: Record<string, string> } = {}) {
    return this.request({ method: 'GET', url, ...options });
  }

  /** Sends a form like a browser would, with the CSRF token of the last page seen (fetched if none yet). */
  async send(
    method: 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    form: FormValues = {},
    options: { htmx?: boolean; csrf?: boolean } = {},
  ) {
    if (options.csrf !== false && !this.csrfToken) await this.get('/login');
    const body = encodeForm(options.csrf === false ? form : { _csrf: this.csrfToken ?? '', ...form });
    return this.request({
      method,
      url,
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      htmx: options.htmx,
    });
  }

  post(url: string, form: FormValues = {}, options: { htmx?: boolean; csrf?: boolean } = {}) {
    return this.send('POST', url, form, options);
  }

  put(url: string, form: FormValues = {}, options: { htmx?: boolean; csrf?: boolean } = {}) {
    return this.send('PUT', url, form, options);
  }

  delete(url: string, form: FormValues = {}, options: { htmx?: boolean; csrf?: boolean } = {}) {
    return this.send('DELETE', url, form, options);
  }
}

/** An Agent signed in as the given staff user (the password of test users unless told). */
export async function signIn(app: FastifyInstance, email: string, password = DEMO_PASSWORD): Promise<Agent> {
  const agent = new Agent(app);
  await agent.get('/login');
  const response = await agent.post('/login', { email, password });
  if (response.statusCode !== 303) throw new Error(`sign-in as ${email} failed with ${response.statusCode}`);
  await agent.get('/');
  return agent;
}
