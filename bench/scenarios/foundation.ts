import type { BenchContext, Scenario } from '../types.ts';

export default async function foundationScenarios(_ctx: BenchContext): Promise<Scenario[]> {
  return [
    // Beside `/healthz` without a cookie (bench/run.ts measures it first): the cost of a signed-in request.
    { name: '`/healthz` with a session cookie', as: 'admin@example.com', paths: ['/healthz'] },
    { name: 'sign-in page', paths: ['/login'] },
    {
      // Each connection opens the form (a session and its CSRF token), then signs in: two requests a sign-in.
      name: 'sign-in (the form, then its POST)',
      paths: [],
      flow: [
        {
          method: 'GET',
          path: '/login',
          capture: {
            cookie: { from: 'set-cookie', pattern: '^([^;]+)' },
            csrf: { from: 'body', pattern: 'name="_csrf" value="([^"]+)"' },
          },
        },
        {
          method: 'POST',
          path: '/login',
          headers: { cookie: '{cookie}', 'content-type': 'application/x-www-form-urlencoded' },
          body: 'email=admin%40example.com&password=demo-password&_csrf={csrf}',
        },
      ],
    },
    { name: 'home page (admin)', as: 'admin@example.com', paths: ['/'] },
    { name: 'home page (reseller)', as: 'reseller@example.com', paths: ['/'] },
  ];
}
