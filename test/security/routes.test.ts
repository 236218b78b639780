import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { Agent, buildTestApp, csrfTokenIn } from '../helpers/app.ts';
import { manifestAgents, manifestDrafts, manifestParams, type PrincipalName, urlOf } from './manifest-world.ts';
import { notInWorld, type Outcome, routeManifest } from './route-manifest.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes that end or change the session they are sent with: their principal signs in again after. */
const SESSION_CHANGING =
  /^POST \/(logout|login|portal\/login|portal\/logout|portal\/impersonation\/end)$|\/impersonate$/;

async function anonymousAgent(app: Agent['app']): Promise<Agent> {
  const agent = new Agent(app);
  await agent.get('/login');
  return agent;
}

function outcomeOf(response: LightMyRequestResponse): Outcome | `error ${number}` {
  if (response.statusCode >= 500) return `error ${response.statusCode}`;
  if (response.statusCode === 403 || response.statusCode === 404) return 'refused';
  const to = String(response.headers['hx-redirect'] ?? response.headers.location ?? '');
  if (response.statusCode < 400 && /^\/(portal\/)?login(\?|$)/.test(to)) return 'sign-in';
  return 'allowed';
}

t.test('the route manifest: every registered route, every principal; CSRF on every unsafe route', async (t) => {
  const registered = new Set<string>();
  // Templates compiled once, as in production: thousands of pages are rendered here.
  const { app, db } = await buildTestApp(
    t,
    { NODE_ENV: 'production' },
    {
      onRoute: (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') registered.add(`${method} ${route.url}`);
      },
    },
  );
  const params = await manifestParams(db);
  const { agents, again } = await manifestAgents(app, db);
  await manifestDrafts(agents.get('admin')!, db, params);

  for (const route of registered)
    if (!routeManifest[route])
      t.fail(`${route} has no row in test/security/route-manifest.ts: add its access decision there`);
  for (const route of Object.keys(routeManifest))
    if (!registered.has(route)) t.fail(`${route} is in test/security/route-manifest.ts but the app has no such route`);

  // Reads first, then writes; the ones that end a session last, each principal signing in again after.
  const order = (r: string) => (UNSAFE.has(r.split(' ')[0]) ? 1 : 0) + (SESSION_CHANGING.test(r) ? 2 : 0);
  const routes = [...registered].filter((r) => routeManifest[r]).sort((a, b) => order(a) - order(b));
  const wrong: string[] = [];
  let checked = 0;
  for (const route of routes) {
    const [method, path] = route.split(' ');
    const url = urlOf(path, params);
    for (const [principal, expected] of Object.entries(routeManifest[route]) as [PrincipalName, Outcome][]) {
      const agent = agents.get(principal)!;
      const response = UNSAFE.has(method) ? await agent.send(method as 'POST', url, {}) : await agent.get(url);
      let got = outcomeOf(response);
      // A row an earlier principal's write deleted, or one the world lacks, is not found: not a refusal.
      const missingRow = UNSAFE.has(method) || notInWorld.has(route);
      if (missingRow && expected === 'allowed' && response.statusCode === 404) got = 'allowed';
      checked++;
      if (got !== expected)
        wrong.push(`${route} (${url}) as ${principal}: expected ${expected}, got ${got} (${response.statusCode})`);
      if (SESSION_CHANGING.test(route)) await again(principal);
    }
  }

  // CSRF: every unsafe route, sent by a principal it allows, without a token and with another session's.
  const strangerToken = csrfTokenIn((await agents.get('anonymous')!.get('/portal/login')).body);
  let csrfChecked = 0;
  for (const route of routes.filter((r) => UNSAFE.has(r.split(' ')[0]))) {
    const [method, path] = route.split(' ');
    const access = routeManifest[route];
    const principal = (['admin', 'contact', 'anonymous'] as const).find((p) => access[p] === 'allowed');
    if (!principal) continue;
    const agent = principal === 'anonymous' ? await anonymousAgent(app) : agents.get(principal)!;
    const url = urlOf(path, params);
    for (const [how, token] of [
      ['without a token', undefined],
      ["with another session's token", strangerToken],
    ] as const) {
      const response = await agent.request({
        method: method as 'POST',
        url,
        payload: token ? `_csrf=${encodeURIComponent(token)}` : '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { 'x-csrf-token': token } : {}) },
      });
      csrfChecked++;
      if (response.statusCode !== 403) wrong.push(`${route} as ${principal} ${how}: ${response.statusCode}, not 403`);
    }
  }
  t.comment(`${csrfChecked} CSRF checks`);

  for (const problem of wrong) t.fail(problem);
  t.equal(wrong.length, 0, `${checked} route × principal answers as the manifest says`);
  t.comment(`${routes.length} routes, ${checked} route × principal checks`);
});
