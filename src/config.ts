import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** Thrown when the environment cannot be turned into a Config; its message is one line naming the variable. */
export class ConfigError extends Error {}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
    .optional(),
  DB_FILE: z.string().min(1).default('data/ledgerdesk.sqlite'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  // Where people reach the app: one-time links in e-mail point here (never at a request's Host header).
  PUBLIC_URL: z.string().url('must be a URL such as https://billing.example.com').optional(),
  MAIL_FROM: z.string().regex(/@/, 'must be an e-mail address, optionally with a name').default('ledgerdesk@localhost'),
  // 'auto': Secure cookies whenever the request came over HTTPS (directly or via a trusted proxy).
  COOKIE_SECURE: z.enum(['auto', 'true']).default('auto'),
  // How many proxies in front of the app append to X-Forwarded-For: the client is the address the
  // nearest of them saw, so sign-in limits count a real client, not a header it chose.
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, 'must be true, false or a number of proxy hops')
    .default('false')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOBS: z.enum(['on', 'off']).default('on'),
  // How often an idle process looks for due jobs; a busy one keeps going until none is due.
  JOBS_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  // How much lower the worker pool's scheduling priority is than the page server's (Linux nice).
  POOL_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: Readonly<{ kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }>;
  dataDir: string;
  sessionSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  cookieSecure: 'auto' | true;
  /** Proxy hops whose X-Forwarded-* headers are believed; 0 trusts none. */
  trustProxyHops: number;
  logLevel: string;
  runJobs: boolean;
  jobsPollMs: number;
  poolNiceness: number;
}>;

/** Reads the environment once. Nothing else in the app reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(emptyToUndefined(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const e = parsed.data;
  const dbFile = e.DB_FILE === ':memory:' ? e.DB_FILE : resolve(e.DB_FILE);
  const dataDir = dbFile === ':memory:' ? resolve('data') : dirname(dbFile);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: Object.freeze(
      e.DATABASE_URL ? { kind: 'postgres' as const, url: e.DATABASE_URL } : { kind: 'sqlite' as const, file: dbFile },
    ),
    dataDir,
    sessionSecret: e.SESSION_SECRET ?? persistentSecret(dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    cookieSecure: e.COOKIE_SECURE === 'true' ? true : 'auto',
    trustProxyHops: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    runJobs: e.JOBS === 'on',
    jobsPollMs: e.JOBS_POLL_MS,
    poolNiceness: e.POOL_NICENESS,
  });
}

function emptyToUndefined(env: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
}

/** A generated secret kept beside the database, so sessions survive restarts without any set-up. */
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
