import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../auth/principal.ts';
import { findActiveUserById, toStaffPrincipal } from '../auth/staff-users.ts';
import type { Db } from '../db/index.ts';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
// lastSeenAt is rewritten at most once a minute, so a busy user does not cost a database write per click.
const TOUCH_INTERVAL_MS = 60 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts for: a staff user or (in the portal) a customer's contact; null when signed out. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Route is reachable without signing in. */
    public?: boolean;
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    userId?: number;
    issuedAt?: number;
    lastSeenAt?: number;
  }
}

function sendToSignIn(request: FastifyRequest, reply: FastifyReply) {
  const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
  if (request.headers['hx-request'] === 'true') {
    return reply.header('HX-Redirect', `/login${next}`).code(401).send();
  }
  return reply.redirect(`/login${next}`, 303);
}

/**
 * Every route needs a signed-in user unless its config says `public: true`. The user is loaded from the
 * database on each request, so a disabled user or a revoked session stops working at once.
 */
export default fp(async (app, opts: { db: Db }) => {
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request, reply) => {
    const session = request.session;
    const userId = session?.userId;
    if (userId) {
      const now = Date.now();
      const expired =
        now - (session.issuedAt ?? 0) > ABSOLUTE_TIMEOUT_MS || now - (session.lastSeenAt ?? 0) > IDLE_TIMEOUT_MS;
      const row = expired ? undefined : await findActiveUserById(opts.db, userId);
      if (row) {
        request.principal = toStaffPrincipal(row);
        if (now - (session.lastSeenAt ?? 0) > TOUCH_INTERVAL_MS) session.lastSeenAt = now;
      } else {
        await session.destroy();
      }
    }
    if (!request.principal && !request.routeOptions.config?.public) {
      return sendToSignIn(request, reply);
    }
  });
});
