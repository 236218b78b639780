import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { permissions } from '../../src/auth/principal.ts';
import { preparedQuery } from '../../src/db/prepared.ts';
import { aPortalContact } from '../fixtures/customers.ts';
import { Agent, buildTestApp, csrfTokenIn, demoUsers, signIn } from '../helpers/app.ts';
import { signInToPortal } from '../helpers/portal.ts';
import { installChangeCounter } from './change-counter.ts';
import { manifestDrafts, manifestParams, urlOf } from './manifest-world.ts';
import { routeManifest } from './route-manifest.ts';

/**
 * Bad input (issue 18, docs/security.md): fast-check sends malformed bodies and query strings to every
 * mutating route as a principal it allows. No answer may be 5xx, a refused request (4xx) may change no
 * row, and nothing may reject unhandled. test/security/fuzz.test.ts runs this file as child processes, one
 * per share of the routes, outside tap: tap tracks every promise of a test, which cost the inputs an eighth
 * of their time.
 */

export type FuzzOptions = {
  /** Inputs per route. */
  runs: number;
  /** Only routes ("METHOD /path") matching this. */
  only: RegExp;
  /** This process takes every `shards`-th fuzzed route, from the `shard`-th (0-based). */
  shard: number;
  shards: number;
};
export type FuzzReport = { tried: number; routes: number; seconds: number; problems: string[]; unhandled: string[] };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Sign-out and impersonation change the session itself; sign-in is fuzzed by its own limits test. */
const SKIPPED = /^POST \/(logout|login|portal\/login|portal\/logout|portal\/impersonation\/end)$|\/impersonate$/;
/**
 * Tables a refused request may still write: its session (and the counter its triggers raise), the sign-in
 * limits, a draft kept between steps.
 */
const WRITABLE_WHEN_REFUSED = new Set([
  'sessions',
  'change_counters',
  'sign_in_failures',
  'customer_access',
  'recently_viewed',
  'drafts',
]);

const fieldNames = (
  'account account_number account_type amount body card_number city country cvc description digits due_on ' +
  'email exp_month exp_year grade holder_name id idempotency_key invoice_ids issued_on keep_remainder kind ' +
  'line_description line_quantity line_unit memo method name paid_on password password_confirm ' +
  'payment_method_id period po_number pool profile_id quantity reason reference reseller_id routing_number ' +
  'status subject template text trigger value version file conditions position'
).split(' ');

const money = fc.oneof(
  fc.constantFrom('1,00', '1,000.00', '99999999999999999', '100000000000.01', '-5', '0', '1e308', 'NaN', '$', '.5'),
  fc.double().map(String),
  fc.bigInt().map(String),
);
// Huge strings are one value in 251 (about one input in 40, fifty of a route's 2,000): each costs milliseconds to
// encode, parse and echo back in the refused form, and at one in 26 they took 44 % of the fuzz's time.
const text = fc.oneof(
  { arbitrary: fc.string(), weight: 40 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 40 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 40 },
  { arbitrary: fc.integer({ min: 10_000, max: 200_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '<script>',
      "' OR 1=1 --",
      '../../etc/passwd',
      '2026-02-30',
      '9'.repeat(400),
    ),
    weight: 40,
  },
  { arbitrary: fc.integer().map(String), weight: 40 },
  { arbitrary: money, weight: 40 },
  { arbitrary: fc.constant(randomUUID()), weight: 10 },
);
const value = fc.oneof(text, fc.array(text, { maxLength: 4 }));
/** Fields as a list of pairs: a name may come twice (an extra value), as a form can send it. */
const fields = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 12 })), value), {
  maxLength: 8,
});
type Fields = [string, string | string[]][];

function encode(values: Fields): string {
  const params = new URLSearchParams();
  for (const [key, v] of values) for (const one of [v].flat()) params.append(key, one);
  return params.toString();
}

const readRowChanges = preparedQuery<Record<string, never>, { n: number | string }>((db) =>
  db('test_row_changes').select('n'),
);

export async function fuzzMutatingRoutes(options: FuzzOptions): Promise<FuzzReport> {
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(String(reason));
  process.on('unhandledRejection', onUnhandled);
  const teardowns: (() => unknown)[] = [];
  try {
    return await fuzz(options, { teardown: (fn) => teardowns.push(fn) }, unhandled);
  } finally {
    for (const fn of teardowns.reverse()) await fn();
    process.off('unhandledRejection', onUnhandled);
  }
}

async function fuzz(
  { runs, only, shard, shards }: FuzzOptions,
  t: { teardown(fn: () => unknown): void },
  unhandled: string[],
): Promise<FuzzReport> {
  const registered: string[] = [];
  // Templates compiled once, as in production: thousands of pages are rendered here.
  const { app, db } = await buildTestApp(
    t,
    { NODE_ENV: 'production' },
    {
      onRoute: (route) => {
        for (const method of [route.method].flat()) if (UNSAFE.has(method)) registered.push(`${method} ${route.url}`);
      },
    },
  );
  const params = await manifestParams(db);
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const contact = await aPortalContact(db, acme, { permissions: [...permissions] });
  const agents = {
    admin: await signIn(app, demoUsers.admin),
    contact: await signInToPortal(app, contact.email!),
    anonymous: new Agent(app),
  };
  await manifestDrafts(agents.admin, db, params);
  await installChangeCounter(db, WRITABLE_WHEN_REFUSED);
  const rowChanges = async () => Number((await readRowChanges(db, {}))[0].n);
  const tokens = {
    admin: csrfTokenIn((await agents.admin.get('/')).body),
    contact: csrfTokenIn((await agents.contact.get('/portal')).body),
    anonymous: csrfTokenIn((await agents.anonymous.get('/login')).body),
  };

  const problems: string[] = [];
  let tried = 0;
  let before = await rowChanges();
  const started = performance.now();
  const fuzzed = registered.filter((route) => !SKIPPED.test(route) && only.test(route) && principalFor(route));
  const mine = fuzzed.filter((_, i) => i % shards === shard);
  for (const route of mine) {
    const [method, path] = route.split(' ');
    const who = principalFor(route)!;
    const url = urlOf(path, params);
    await fc.assert(
      fc.asyncProperty(fields, fc.option(fields, { nil: undefined }), async (body, query) => {
        const response = await agents[who].request({
          method: method as 'POST',
          url: query ? `${url}?${encode(query)}` : url,
          payload: encode([...body, ['_csrf', tokens[who]]]),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        tried++;
        const shown = JSON.stringify(body).slice(0, 300);
        if (response.statusCode >= 500) problems.push(`${route}: ${response.statusCode} for ${shown}`);
        // The count after this request is the count before the next.
        const after = await rowChanges();
        if (response.statusCode >= 400 && after !== before)
          problems.push(`${route}: refused with ${response.statusCode} but rows changed, for ${shown}`);
        before = after;
      }),
      { numRuns: runs },
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return { tried, routes: mine.length, seconds, problems, unhandled };
}

/** The first of admin, contact and anonymous the route manifest lets in, if any. */
function principalFor(route: string): 'admin' | 'contact' | 'anonymous' | undefined {
  const access = routeManifest[route] ?? {};
  return (['admin', 'contact', 'anonymous'] as const).find((p) => access[p] === 'allowed');
}

// Run as a script (by fuzz.test.ts): the options from the environment, the report as JSON on stdout.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await fuzzMutatingRoutes({
    runs: Number(process.env.FUZZ_RUNS ?? 100),
    only: new RegExp(process.env.FUZZ_ROUTES ?? '.'),
    shard: Number(process.env.FUZZ_SHARD ?? 0),
    shards: Number(process.env.FUZZ_SHARDS ?? 1),
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
