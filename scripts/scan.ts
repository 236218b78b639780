// npm run scan [-- --quick]
// Runs Debian's web scanners against the app, signed in as admin, on 127.0.0.1 (issue 18, docs/security.md):
// sqlmap on the routes that take free text or ids into queries, and wapiti (when Debian has it) over
// everything it can crawl. Installs them when missing. Fails on any injectable parameter, any finding of
// medium or higher severity and any 5xx answer. --quick (CI) runs sqlmap's shallowest pass and no wapiti.
// First, sqlmap must find the flaw in a deliberately injectable page (a canary): a scan that finds nothing
// proves something only if it could have found something.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD } from '../seeds/demo/10-core.ts';
import { createDb } from '../src/db/index.ts';
import { freePort, signInOverHttp, startApp } from '../test/helpers/child-app.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const ADMIN = 'admin@example.com';

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs a Debian package when its command is missing; answers whether the command is there now. */
function ensureInstalled(command: string, pkg: string): boolean {
  if (has(command)) return true;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (...rest: string[]) =>
    spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...rest], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!apt('install', '-y', '-qq', pkg)) apt('update', '-qq') && apt('install', '-y', '-qq', pkg);
  return has(command);
}

if (!ensureInstalled('sqlmap', 'sqlmap')) throw new Error('sqlmap could not be installed');
const withWapiti = !args.quick && ensureInstalled('wapiti', 'wapiti');
/**
 * Debian's wapiti 3.0.4 on Python 3.11 fails on any `-x` exclusion (its pattern puts the `(?ms)` flags
 * last, which Python 3.11 refuses), and the sign-out must be excluded. So wapiti runs with that one
 * function corrected: the same pattern, flags first.
 */
const WAPITI_WITH_EXCLUSIONS = `
import re, sys
import wapitiCore.net.crawler as crawler
crawler.wildcard_translate = lambda pattern: re.compile(
    '(?ms)' + ''.join('.*' if char == '*' else re.escape(char) for char in pattern) + r'\\Z')
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = 'wapiti'
sys.exit(wapiti_main())
`;

const runCommand = promisify(execFile);
const sqlmapDepth = args.quick
  ? ['--technique=BEU', '--level=1', '--risk=1']
  : ['--technique=BEUST', '--level=3', '--risk=2', '--time-sec=2'];

/** Runs sqlmap on one target; answers what it found, and a problem to report when it found one. */
async function sqlmap(target: { url: string; data?: string; method?: string }, cookie?: string) {
  const out = mkdtempSync(join(tmpdir(), 'ledgerdesk-sqlmap-'));
  try {
    const { stdout, stderr } = await runCommand(
      'sqlmap',
      [
        '-u',
        target.url,
        ...(target.data ? ['--data', target.data] : []),
        ...(target.method ? ['--method', target.method] : []),
        ...(cookie ? [`--cookie=${cookie}`] : []),
        '--skip=_csrf',
        '--dbms=SQLite',
        '--batch',
        '--disable-coloring',
        '--flush-session',
        `--output-dir=${out}`,
        ...sqlmapDepth,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const text = `${stdout}\n${stderr}`;
    if (/identified the following injection point/i.test(text))
      return { verdict: 'INJECTABLE', problem: `sqlmap: injectable parameter at ${target.url}\n${text.slice(-3000)}` };
    // sqlmap lists the error answers it met one per line, e.g. "500 (Internal Server Error) - 3 times".
    const crashed = /^5\d\d \([^)]*\) - \d+ times?$/m.exec(text);
    if (crashed) return { verdict: '5xx answers', problem: `sqlmap: ${crashed[0]} at ${target.url}` };
    return { verdict: 'nothing found' };
  } catch (error) {
    return { verdict: 'failed', problem: `sqlmap failed at ${target.url}: ${String(error).slice(-2000)}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The canary: a page that puts its `q` into SQL as text, which sqlmap must report. */
async function sqlmapFindsTheCanary(): Promise<boolean> {
  const canary = new Database(':memory:');
  canary.exec("create table customers (name text); insert into customers values ('acme'), ('beta')");
  const server = createServer((request, response) => {
    const q = new URL(request.url ?? '/', 'http://canary').searchParams.get('q') ?? '';
    try {
      const rows = canary.prepare(`select name from customers where name like '%${q}%'`).all() as { name: string }[];
      response.end(`<ul>${rows.map((row) => `<li>${row.name}</li>`).join('')}</ul>`);
    } catch {
      response.statusCode = 400;
      response.end('bad request');
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    return (await sqlmap({ url: `http://127.0.0.1:${port}/customers?q=acme` })).verdict === 'INJECTABLE';
  } finally {
    server.close();
    canary.close();
  }
}

if (!(await sqlmapFindsTheCanary())) throw new Error('sqlmap did not find the canary’s injectable parameter');
console.log('sqlmap finds the canary’s injectable parameter');

const dir = mkdtempSync(join(tmpdir(), 'ledgerdesk-scan-'));
const file = join(dir, 'scan.sqlite');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const app = await startApp({
  DB_FILE: file,
  PORT: String(port),
  HOST: '127.0.0.1',
  NODE_ENV: 'production',
  SESSION_SECRET: 'scan-secret-of-at-least-thirty-two-characters',
  JOBS: 'off',
  LOG_LEVEL: 'info',
});
const findings: string[] = [];
try {
  const db = createDb({ kind: 'sqlite', file });
  const customer = await db('customers').orderBy('id').first('id');
  const invoice = await db('invoices').where('customer_id', customer.id).orderBy('id').first('id');
  const method = await db('payment_methods').where('customer_id', customer.id).orderBy('id').first('id');
  const number = await db('external_customer_numbers').orderBy('id').first('id');
  await db.destroy();
  const session = await signInOverHttp(base, ADMIN, DEMO_PASSWORD);
  // A scan that was answered by the sign-in page would prove nothing.
  const signedIn = await fetch(`${base}/customers?q=acme`, { headers: { cookie: session.cookie }, redirect: 'manual' });
  if (signedIn.status !== 200) throw new Error(`the scan's session is not signed in (${signedIn.status})`);
  const today = new Date().toISOString().slice(0, 10);
  const c = `${base}/customers/${customer.id}`;

  /** What sqlmap tries: free text into searches and filters, ids in paths, and forms that write. */
  const targets: { url: string; data?: string; method?: string }[] = [
    { url: `${base}/customers?q=acme&page=1` },
    { url: `${base}/search?q=acme` },
    { url: `${base}/external-numbers/search?q=uni` },
    { url: `${base}/org-picker/institutions?q=uni` },
    { url: `${base}/institutions?q=uni` },
    { url: `${c}*/billing/invoices` },
    { url: `${c}/billing/invoices/${invoice?.id ?? 1}*` },
    // Not the access trail: it shows the URLs asked for, sqlmap's payloads included, which reads as a boolean flaw.
    { url: `${c}/metrics/field-changes?before=1000` },
    { url: `${base}/reports?page=1` },
    {
      url: `${c}/billing/payments`,
      data: new URLSearchParams({
        _csrf: session.csrf,
        invoice_ids: String(invoice?.id ?? 1),
        amount: '1.00',
        payment_method_id: String(method?.id ?? 1),
        paid_on: today,
        idempotency_key: 'scan-payment',
      }).toString(),
    },
    { url: `${c}/notes`, data: new URLSearchParams({ _csrf: session.csrf, body: 'Scan note' }).toString() },
    {
      url: `${base}/external-numbers/${number?.id ?? 1}`,
      method: 'PUT',
      data: new URLSearchParams({ _csrf: session.csrf, number: 'SCAN-1', version: '1' }).toString(),
    },
  ];
  for (const target of targets) {
    const found = await sqlmap(target, session.cookie);
    console.log(
      `sqlmap ${target.method ?? (target.data ? 'POST' : 'GET')} ${target.url.replace(base, '')}: ${found.verdict}`,
    );
    if (found.problem) findings.push(found.problem);
  }

  if (withWapiti) {
    const report = join(dir, 'wapiti.json');
    // Everything a signed-in admin can reach, but never the sign-out (the scan would end itself).
    // wapiti's own interpreter (its script's first line): the PATH may lead to another Python.
    const wapitiScript = spawnSync('sh', ['-c', 'command -v wapiti'], { encoding: 'utf8' }).stdout.trim();
    const python = readFileSync(wapitiScript, 'utf8')
      .split('\n')[0]
      .replace(/^#!\s*/, '');
    const run = spawnSync(
      python,
      [
        '-c',
        WAPITI_WITH_EXCLUSIONS,
        '-u',
        `${base}/`,
        '--scope',
        'folder',
        '-H',
        `Cookie: ${session.cookie}`,
        '-x',
        `${base}/logout`,
        '-m',
        'sql,exec,file,xss,permanentxss,redirect,crlf,xxe',
        '--max-scan-time',
        '900',
        '--max-attack-time',
        '120',
        '--flush-session',
        '--store-session',
        join(dir, 'wapiti-session'),
        '-f',
        'json',
        '-o',
        report,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (run.status !== 0) findings.push(`wapiti failed: ${run.stderr.slice(-2000)}`);
    else {
      type Finding = { level?: number; method: string; path: string; parameter?: string; info: string };
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
        vulnerabilities: Record<string, Finding[]>;
        anomalies: Record<string, Finding[]>;
      };
      // Wapiti's levels: 1 low, 2 medium, 3 high, 4 critical. An anomaly is an answer of 500 or a time-out.
      for (const [kind, list] of Object.entries(parsed.vulnerabilities))
        for (const f of list.filter((one) => (one.level ?? 2) >= 2))
          findings.push(`wapiti ${kind}: ${f.method} ${f.path} ${f.parameter ?? ''} — ${f.info}`);
      for (const [kind, list] of Object.entries(parsed.anomalies))
        for (const f of list) findings.push(`wapiti ${kind}: ${f.method} ${f.path} ${f.parameter ?? ''} — ${f.info}`);
      const counts = Object.entries(parsed.vulnerabilities).map(([kind, list]) => `${kind} ${list.length}`);
      console.log(`wapiti: ${counts.join(', ')}`);
    }
  }
} finally {
  // The app must be gone before its database is deleted and this process ends; a clean stop gets 10 s.
  const exited = new Promise((resolve) => app.once('exit', resolve));
  app.kill('SIGTERM');
  const killer = setTimeout(() => app.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
  rmSync(dir, { recursive: true, force: true });
}
if (findings.length > 0) {
  console.error(`${findings.length} finding(s):\n\n${findings.join('\n\n')}`);
  process.exit(1);
}
console.log('scan: no injectable parameter, no finding of medium or higher severity, no 5xx answer');
