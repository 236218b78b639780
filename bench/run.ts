// npm run bench [-- --file data/large.sqlite --duration 5 --only search]
// Starts the app on the large database (npm run seed:large first), signs in the users scenarios need, and
// measures each named scenario with autocannon from a separate process: requests/s at 10 connections,
// median and p99 latency at 1 connection, and the ratio to a bare /healthz measured in the same run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import type { Scenario, ScenarioFile } from './types.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'data/large.sqlite' },
    duration: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const duration = Number(values.duration);
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

const db = createDb(loadConfig({ DB_FILE: values.file }).database);
const dir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const scenarios: Scenario[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const module = (await import(pathToFileURL(dir + file).href)) as ScenarioFile;
  scenarios.push(...(await module.default({ db })));
}
await db.destroy();
const selected = scenarios.filter((s) => !values.only || s.name.includes(values.only));

const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const [command, args] = pinned(0, process.execPath, ['--import', 'tsx', 'src/server.ts']);
const server = spawn(command, args, {
  env: {
    ...process.env,
    DB_FILE: values.file,
    PORT: String(port),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JOBS: 'off',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
process.on('exit', () => server.kill());
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${baseUrl}/healthz`)).ok) break;
  } catch {
    if (i > 100) throw new Error('the app did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Signs in through the real form and returns the session cookie (retried once: fetch may reuse a socket the server just closed). */
async function signIn(email: string): Promise<string> {
  try {
    return await signInOnce(email);
  } catch {
    return signInOnce(email);
  }
}

async function signInOnce(email: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: 'demo-password' }),
  });
  if (response.status !== 303) throw new Error(`sign-in as ${email} failed: ${response.status}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0];
}

type Measurement = { requestsPerSecond: number; medianMs: number; p99Ms: number; non2xx: number; errors: number };
function measure(scenario: Scenario, cookie: string | undefined, connections: number): Measurement {
  const [cmd, cmdArgs] = pinned(1, process.execPath, [
    '--import',
    'tsx',
    'bench/load.ts',
    JSON.stringify({
      url: baseUrl,
      paths: scenario.paths,
      cookie,
      connections,
      duration,
      method: scenario.method ?? 'GET',
    }),
  ]);
  return JSON.parse(execFileSync(cmd, cmdArgs, { encoding: 'utf8' })) as Measurement;
}

const cookies = new Map<string, string>();
const rows: string[][] = [];
const healthz = measure({ name: 'healthz', paths: ['/healthz'] }, undefined, 10);
rows.push(['healthz (baseline)', healthz.requestsPerSecond.toFixed(0), '', '', '1.00', '']);
for (const scenario of selected) {
  if (scenario.as && !cookies.has(scenario.as)) cookies.set(scenario.as, await signIn(scenario.as));
  const cookie = scenario.as ? cookies.get(scenario.as) : undefined;
  const throughput = measure(scenario, cookie, 10);
  const latency = measure(scenario, cookie, 1);
  const failed = throughput.non2xx + throughput.errors + latency.non2xx + latency.errors;
  const verdict = scenario.target
    ? latency.medianMs <= scenario.target.medianMs
      ? `met (< ${scenario.target.medianMs} ms)`
      : `MISSED (target ${scenario.target.medianMs} ms)`
    : '';
  rows.push([
    scenario.name + (failed ? ` [${failed} non-2xx/errors]` : ''),
    throughput.requestsPerSecond.toFixed(0),
    // autocannon measures whole milliseconds: 0 means under one.
    latency.medianMs === 0 ? '<1' : latency.medianMs.toFixed(0),
    latency.p99Ms === 0 ? '<1' : latency.p99Ms.toFixed(0),
    (throughput.requestsPerSecond / healthz.requestsPerSecond).toFixed(2),
    verdict,
  ]);
}
server.kill();

const header = ['scenario', 'req/s (10 conn)', 'median ms (1 conn)', 'p99 ms', 'vs healthz', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
process.exit(0);
