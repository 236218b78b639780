import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { aPortalContact } from '../fixtures/customers.ts';
import { Agent, buildTestApp, csrfTokenIn, DEMO_PASSWORD, demoUsers } from '../helpers/app.ts';

const limits = { perAccount: 2, perClient: 4, windowMinutes: 15 };

/** Sends a sign-in form from a client behind one proxy: the proxy appends the address it saw. */
async function signInFrom(app: Agent['app'], url: string, email: string, password: string, forwardedFor: string) {
  const agent = new Agent(app);
  const form = await agent.get(url);
  return agent.request({
    method: 'POST',
    url,
    payload: new URLSearchParams({ _csrf: csrfTokenIn(form.body), email, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
  });
}

/** The page without what differs per request (tokens, nonces), to compare two answers. */
const stripped = (body: string) => body.replace(/value="[^"]{20,}"/g, '').replace(/"x-csrf-token": "[^"]+"/g, '');

for (const [realm, url, message] of [
  ['staff', '/login', /do not match an active account/],
  ['portal', '/portal/login', /do not match an account with access/],
] as const) {
  t.test(`${realm}: limits per account and per client, in the database, behind exactly one proxy`, async (t) => {
    const { app, db, config } = await buildTestApp(t, { TRUST_PROXY: '1' }, { signInLimits: limits });
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const email = realm === 'staff' ? demoUsers.admin : (await aPortalContact(db, acme)).email!;
    const other = realm === 'staff' ? demoUsers.support : (await aPortalContact(db, acme)).email!;
    const post = (who: string, password: string, client: string) =>
      signInFrom(app, url, who, password, `${Math.random()}, ${client}`);

    // Made-up accounts from one address: that client is stopped, nobody else is.
    for (let i = 0; i < limits.perClient; i++)
      t.equal((await post(`nobody${i}@example.com`, 'guess', '203.0.113.9')).statusCode, 422);
    const stopped = await post(email, DEMO_PASSWORD, '203.0.113.9');
    t.equal(stopped.statusCode, 429, 'the client is limited whatever its X-Forwarded-For says before the proxy');
    t.match(stopped.body, /Too many failed sign-ins from your address/);
    t.equal((await post(email, DEMO_PASSWORD, '198.51.100.1')).statusCode, 303, 'the account is not locked by it');

    // Guessing one account from many clients locks the account, and only it.
    const wrong = await post(email, 'wrong-1', '198.51.100.2');
    for (let i = 2; i <= limits.perAccount; i++) await post(email, `wrong-${i}`, `198.51.100.${i}`);
    const locked = await post(email, DEMO_PASSWORD, '198.51.100.50');
    t.equal(locked.statusCode, 422, 'the right password on a locked account');
    t.match(locked.body, message);
    t.equal(stripped(locked.body), stripped(wrong.body), 'answers exactly like a wrong password');
    t.equal((await post(other, DEMO_PASSWORD, '198.51.100.51')).statusCode, 303, 'other accounts sign in');

    // A second app process on the same database sees the same failures.
    const second = await buildApp({ config, db, signInLimits: limits });
    t.teardown(() => second.close());
    const elsewhere = await signInFrom(second, url, email, DEMO_PASSWORD, '192.0.2.7');
    t.equal(elsewhere.statusCode, 422, 'still locked on another process');
    const rows = await db('sign_in_failures').count({ n: '*' }).first();
    t.ok(Number(rows?.n) > 0, 'the failures are rows');
  });
}

t.test('TRUST_PROXY=false believes no X-Forwarded-For; true and 2 are hop counts', async (t) => {
  const { loadConfig } = await import('../../src/config.ts');
  t.equal(loadConfig({ TRUST_PROXY: 'true', DB_FILE: ':memory:' }).trustProxyHops, 1);
  t.equal(loadConfig({ TRUST_PROXY: 'false', DB_FILE: ':memory:' }).trustProxyHops, 0);
  t.equal(loadConfig({ TRUST_PROXY: '2', DB_FILE: ':memory:' }).trustProxyHops, 2);
  t.throws(() => loadConfig({ TRUST_PROXY: 'yes', DB_FILE: ':memory:' }), /TRUST_PROXY/);
  const { app } = await buildTestApp(t, {}, { signInLimits: limits });
  for (let i = 0; i < limits.perClient; i++)
    await signInFrom(app, '/login', `x${i}@example.com`, 'guess', `198.51.100.${i}`);
  const rotated = await signInFrom(app, '/login', demoUsers.admin, DEMO_PASSWORD, '198.51.100.99');
  t.equal(rotated.statusCode, 429, 'a rotating header does not make a new client without a trusted proxy');
});
