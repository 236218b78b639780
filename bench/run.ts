// npm run bench -- --file /tmp/large.sqlite [--connections 32] [--duration 8] [--only 'search,landing'] [--encoding 'br, gzip']
// Measures every scenario of bench/scenarios/ under load, and prints a markdown table. Runs on a scratch
// copy of --file (the payment, edit and sign-in scenarios write), deleted at the end. In one session:
//  1. the bare stack (bench/bare-server.ts: Fastify + Eta + better-sqlite3, the landing tab's reads prepared,
//     the app's templates) over the same copy: `/hello` and the landing tab of random customers;
//  2. the app (bench/app-server.ts, i.e. src/server.ts in production mode): `/healthz` without a cookie, then
//     each scenario at --connections, then the probe scenarios at --probe-connections, counting time-outs.
// Each row: requests/s, p50 and p99 latency, the server's event-loop delay p99, its CPU time per request
// (load-independent), and the ratio of its requests/s to `/healthz` and to the bare customer page of the
// same run. The server is pinned to core 0 and autocannon (bench/load.ts) to core 1 when taskset exists.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import type { LoadInput, LoadResult } from './load.ts';
import { type LoopDelay, readLoopDelay, resetLoopDelay } from './loop-delay.ts';
import { loadAverage } from './machine.ts';
import { randomCustomerIds } from './sample.ts';
import type { Scenario, ScenarioFile } from './types.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'data/large.sqlite' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '32' },
    'probe-connections': { type: 'string', default: '100' },
    only: { type: 'string' },
    encoding: { type: 'string' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const probeConnections = Number(values['probe-connections']);
if (!existsSync(values.file!)) {
  console.error(`No benchmark database at ${values.file}. Run: npm run seed:large -- --customers 1000000`);
  process.exit(1);
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const pinned = (core: number, command: string, args: string[]) =>
  (hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args]) as [string, string[]];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The scratch copy: the benchmark database itself is never written (not even migrated).
const scratch = join(tmpdir(), `ledgerdesk-bench-${process.pid}.sqlite`);
const removeScratch = () => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(scratch + suffix, { force: true });
};
process.on('exit', removeScratch);
// Interrupted: still stop the servers and delete the copy (the exit handlers).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const copyStarted = Date.now();
for (const suffix of ['', '-wal'])
  if (existsSync(values.file + suffix)) copyFileSync(values.file + suffix, scratch + suffix);
console.error(`Copied ${values.file} to ${scratch} in ${((Date.now() - copyStarted) / 1000).toFixed(1)} s.`);

const db = createDb(loadConfig({ DB_FILE: scratch }).database);
const dir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const scenarios: Scenario[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const module = (await import(pathToFileURL(dir + file).href)) as ScenarioFile;
  scenarios.push(...(await module.default({ db })));
}
// --only 'search,landing': the scenarios whose names contain any of the comma-separated parts.
const only = values.only?.split(',').filter(Boolean);
const selected = scenarios.filter((s) => !only || only.some((part) => s.name.includes(part)));

const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const servers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const s of servers) s.kill();
});

async function startServer(script: string, args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const [command, commandArgs] = pinned(0, process.execPath, ['--import', 'tsx', script, ...args]);
  const server = spawn(command, commandArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  servers.add(server);
  for (let i = 0; ; i++) {
    try {
      await fetch(`${baseUrl}/`);
      return server;
    } catch {
      if (i > 300) throw new Error(`${script} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function stopServer(server: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
  servers.delete(server);
}

/** bench/load.ts on core 1, its input on stdin (thousands of paths are too long for an argument). */
function runLoad(input: LoadInput): Promise<LoadResult> {
  const [command, args] = pinned(1, process.execPath, ['--import', 'tsx', 'bench/load.ts']);
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout) as LoadResult),
    );
    child.stdin?.end(JSON.stringify(input));
  });
}

type Measured = LoadResult & { loop: LoopDelay; cpuMsPerRequest: number };

/** One autocannon run against `server`, with the server's event-loop delay and CPU time over the same run. */
async function measure(
  server: ChildProcess,
  scenario: Scenario,
  headers: Record<string, string>,
  atConnections: number,
): Promise<Measured> {
  const input: LoadInput = {
    url: baseUrl,
    connections: atConnections,
    duration,
    timeoutSeconds: 10,
    headers: {
      ...headers,
      ...(scenario.htmx ? { 'hx-request': 'true' } : {}),
      ...(values.encoding ? { 'accept-encoding': values.encoding } : {}),
    },
    method: scenario.method ?? 'GET',
    paths: scenario.paths,
    bodies: scenario.bodies,
    flow: scenario.flow,
  };
  resetLoopDelay(server);
  const result = await runLoad(input);
  const loop = await readLoopDelay(server);
  const answered = Object.values(result.statusCounts).reduce((a, b) => a + b, 0);
  return { ...result, loop, cpuMsPerRequest: answered ? loop.cpuMs / answered : 0 };
}

/** Signs in through the real form; returns the session cookie and its CSRF token (for POST and PUT). */
async function signIn(email: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${baseUrl}/login`);
  const formCookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
  const formCsrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: formCsrf, email, password: 'demo-password' }),
  });
  if (response.status !== 303) throw new Error(`sign-in as ${email} failed: ${response.status}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  const page = await (await fetch(`${baseUrl}/my-settings`, { headers: { cookie } })).text();
  return { cookie, csrf: /"x-csrf-token": "([^"]+)"/.exec(page)![1] };
}

const fixed = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (n: number) => (n === 0 ? '<1' : fixed(n, n < 10 ? 1 : 0));
const rows: string[][] = [];
function row(name: string, m: Measured, ratios: { healthz?: number; bare?: number }, note = '') {
  const done = m.statusCounts;
  const failed = Object.entries(done)
    .filter(([code]) => !/^[23]/.test(code))
    .map(([code, n]) => `${n}× ${code}`);
  if (m.errors) failed.push(`${m.errors} errors`);
  if (m.timeouts) failed.push(`${m.timeouts} time-outs`);
  rows.push([
    name,
    fixed(m.requestsPerSecond),
    ms(m.p50Ms),
    ms(m.p99Ms),
    ms(m.loop.p99Ms),
    fixed(m.cpuMsPerRequest, 2),
    ratios.healthz === undefined ? '' : (m.requestsPerSecond / ratios.healthz).toFixed(2),
    ratios.bare === undefined ? '' : (m.requestsPerSecond / ratios.bare).toFixed(2),
    [note, ...failed].filter(Boolean).join('; '),
  ]);
}

const loadBefore = loadAverage();

// 1. The bare stack, on the same core, over the same copy.
const bare = await startServer('bench/bare-server.ts', [scratch, String(port)]);
const bareHello = await measure(bare, { name: 'bare /hello', paths: ['/hello'] }, {}, connections);
const barePage = await measure(
  bare,
  { name: 'bare customer page', paths: (await randomCustomerIds(db)).map((id) => `/customers/${id}`) },
  {},
  connections,
);
await stopServer(bare);

// 2. The app.
const app = await startServer('bench/app-server.ts', [], {
  DB_FILE: scratch,
  PORT: String(port),
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  JOBS: 'off',
});
const healthz = await measure(app, { name: 'healthz', paths: ['/healthz'] }, {}, connections);
const vs = { healthz: healthz.requestsPerSecond, bare: barePage.requestsPerSecond };
row('bare stack: `/hello`', bareHello, { healthz: healthz.requestsPerSecond });
row('bare stack: landing tab, random customers (raw driver)', barePage, vs);
row(
  '`/healthz`, no cookie',
  healthz,
  vs,
  `${(healthz.requestsPerSecond / bareHello.requestsPerSecond).toFixed(2)} of bare /hello`,
);

const sessions = new Map<string, { cookie: string; csrf: string }>();
const probes: Scenario[] = [];
for (const scenario of selected) {
  if (scenario.as && !sessions.has(scenario.as)) sessions.set(scenario.as, await signIn(scenario.as));
  const session = scenario.as ? sessions.get(scenario.as) : undefined;
  const unsafe = (scenario.method ?? 'GET') !== 'GET';
  const headers = {
    ...(session ? { cookie: session.cookie } : {}),
    ...(session && unsafe ? { 'x-csrf-token': session.csrf } : {}),
  };
  const before = scenario.recorded ? await scenario.recorded(db) : 0;
  const m = await measure(app, scenario, headers, connections);
  const ok = Object.entries(m.statusCounts)
    .filter(([code]) => (scenario.okStatus ? Number(code) === scenario.okStatus : /^2/.test(code)))
    .reduce((sum, [, n]) => sum + n, 0);
  let note = '';
  if (scenario.recorded) {
    // Done answers ≤ rows written ≤ requests sent: none lost, none twice (the last requests in flight when
    // the run stopped may have been written without their answer being counted).
    const rows = (await scenario.recorded(db)) - before;
    const exact = ok <= rows && rows <= m.sent;
    note = `${fixed(ok)} done, ${fixed(rows)} recorded, ${fixed(m.sent)} sent: ${exact ? 'each once' : 'MISMATCH'}`;
  }
  if (values.connections === '1' && scenario.target)
    note = [note, m.p50Ms <= scenario.target.medianMs ? 'target met' : `target ${scenario.target.medianMs} ms MISSED`]
      .filter(Boolean)
      .join('; ');
  row(scenario.name, m, vs, note);
  if (scenario.probe) probes.push(scenario);
}

for (const scenario of probes) {
  const session = scenario.as ? sessions.get(scenario.as) : undefined;
  const m = await measure(app, scenario, session ? { cookie: session.cookie } : {}, probeConnections);
  row(`${scenario.name} at ${probeConnections} connections`, m, vs, `${m.timeouts} time-outs (10 s)`);
}
await stopServer(app);
await db.destroy();

const header = [
  'scenario',
  'req/s',
  'p50 ms',
  'p99 ms',
  'loop p99 ms',
  'CPU ms/req',
  'vs /healthz',
  'vs bare page',
  'notes',
];
console.log(
  `${connections} connections, ${duration} s each, ${values.encoding ? `Accept-Encoding: ${values.encoding}` : 'no compression'}; ` +
    `server on core 0, autocannon on core 1${hasTaskset ? '' : ' (taskset missing: NOT pinned)'}; ` +
    `${loadBefore} before, ${loadAverage()} after.\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
process.exit(0);
