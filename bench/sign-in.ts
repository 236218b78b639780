import type { FastifyInstance } from 'fastify';
import { DEMO_PASSWORD } from '../seeds/demo/10-core.ts';

/** Signs in through the app's own form (app.inject, no network) and answers the session cookie. */
export async function signedInCookie(app: FastifyInstance, email = 'admin@example.com'): Promise<string> {
  const form = await app.inject({ url: '/login' });
  const anonymous = String(form.headers['set-cookie']).split(';')[0];
  const signedIn = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: /name="_csrf" value="([^"]+)"/.exec(form.body)![1],
      email,
      password: DEMO_PASSWORD,
    }).toString(),
  });
  return String(signedIn.headers['set-cookie']).split(';')[0];
}
