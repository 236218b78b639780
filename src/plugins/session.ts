import fastifyCookie, { Signer } from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFlash from '@fastify/flash';
import fastifySession from '@fastify/session';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { nextMoment } from '../db/change-counter.ts';
import { type Db, readFromNow } from '../db/index.ts';
import { ABSOLUTE_TIMEOUT_MS } from './auth.ts';
import { DatabaseSessionStore } from './session-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** When the request arrived, in this process's sequence of events (db/change-counter.ts nextMoment). */
    arrivedAt: number;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const isUpload = (request: FastifyRequest) => /^multipart\//i.test(request.headers['content-type'] ?? '');

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string' && header) return header;
  if (isUpload(request)) {
    const query = request.query as Record<string, unknown> | undefined;
    return typeof query?._csrf === 'string' ? query._csrf : undefined;
  }
  const body = request.body as Record<string, unknown> | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : undefined;
}

/** Valid session cookies kept: a few per signed-in user. */
const SIGNATURES_KEPT = 10_000;

/**
 * The session cookie's signer, remembering the valid cookies it verified: every request verified its cookie
 * and signed the same id again (two HMACs, about a twentieth of a page's time). The secret never changes
 * while the process runs, so a cookie once verified verifies again, and its id signs to that same cookie.
 * Only ids that arrived in a valid cookie are remembered: a request without one gets a new id that is
 * never seen again (a bot's, an anonymous /healthz), and remembering those pushed out everyone else's.
 */
function rememberedSigner(secret: string) {
  const signer = new Signer(secret);
  const verified = new Map<string, ReturnType<Signer['unsign']>>();
  const cookieOfId = new Map<string, string>();
  const keep = <T>(kept: Map<string, T>, key: string, value: T) => {
    if (kept.size >= SIGNATURES_KEPT) kept.delete(kept.keys().next().value as string);
    kept.set(key, value);
  };
  return {
    sign: (id: string) => cookieOfId.get(id) ?? signer.sign(id),
    unsign: (cookie: string) => {
      const kept = verified.get(cookie);
      if (kept) return kept;
      const result = signer.unsign(cookie);
      // A forged or stale cookie is checked again each time: kept, a flood of them would push out real ones.
      if (result.valid && !result.renew && result.value) {
        keep(verified, cookie, result);
        keep(cookieOfId, result.value, cookie);
      }
      return result;
    },
  };
}

/**
 * Server-side sessions in the database, flash messages, and CSRF protection on every unsafe request.
 * The CSRF token is checked in preHandler because a token in a form body is parsed only after onRequest.
 * An upload (multipart) is checked in preParsing instead, before a byte of its body is read (issue 18):
 * its token comes from the x-csrf-token header or the form action's `?_csrf=`, never from the body.
 */
export default fp(async (app, opts: { db: Db; secret: string; secureCookie: 'auto' | true }) => {
  // Before the session is read: a counter read after this moment serves the request (db/change-counter.ts).
  app.decorateRequest('arrivedAt', Number.POSITIVE_INFINITY);
  app.addHook('onRequest', (request, _reply, done) => {
    readFromNow();
    request.arrivedAt = nextMoment();
    done();
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: rememberedSigner(opts.secret),
    cookieName: 'ledgerdesk.sid',
    store: new DatabaseSessionStore(opts.db, ABSOLUTE_TIMEOUT_MS),
    saveUninitialized: false,
    // Not rolling: idle time-out is tracked in the session itself, so unchanged sessions cost no write.
    rolling: false,
    cookie: { secure: opts.secureCookie, httpOnly: true, sameSite: 'lax', path: '/', maxAge: ABSOLUTE_TIMEOUT_MS },
  });
  await app.register(fastifyFlash);
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: tokenOf });

  const check = (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<void>((resolve, reject) =>
      app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve())),
    );
  app.addHook('preParsing', async (request, reply) => {
    if (UNSAFE_METHODS.has(request.method) && isUpload(request)) await check(request, reply);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (UNSAFE_METHODS.has(request.method) && !isUpload(request)) await check(request, reply);
  });
});
