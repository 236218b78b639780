import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findActiveContactById, impersonatedContact, toContactPrincipal } from '../auth/contacts.ts';
import type { Principal } from '../auth/principal.ts';
import { findActiveUserById, toStaffPrincipal } from '../auth/staff-users.ts';
import { KeptWhileUnchanged } from '../db/change-counter.ts';
import type { Db } from '../db/index.ts';
import { SIGNED_IN_KEEP_MS, signedInCounter } from './session-store.ts';

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
    /** A contact signed in to the portal (E14); a session has a userId or a contactId, never both. */
    contactId?: number;
    /** Set by *Impersonate Customer*: on portal pages the staff user sees through this contact's eyes. */
    impersonation?: { customerId: number; contactId: number };
    issuedAt?: number;
    lastSeenAt?: number;
  }
}

/** The customer portal's pages (E14), which have their own sign-in. */
export function isPortalPath(url: string): boolean {
  return url === '/portal' || url.startsWith('/portal/') || url.startsWith('/portal?');
}

function sendToSignIn(request: FastifyRequest, reply: FastifyReply) {
  const signIn = isPortalPath(request.url) ? '/portal/login' : '/login';
  const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
  if (request.headers['hx-request'] === 'true') {
    return reply.header('HX-Redirect', `${signIn}${next}`).code(401).send();
  }
  return reply.redirect(`${signIn}${next}`, 303);
}

type StaffUsers = KeptWhileUnchanged<Awaited<ReturnType<typeof findActiveUserById>>>;

/**
 * Who the session belongs to, read from the database: a staff user (who, on portal pages while
 * impersonating, acts as the chosen contact) or a contact whose access is not revoked.
 */
async function principalOf(db: Db, staffUsers: StaffUsers, request: FastifyRequest): Promise<Principal | null> {
  const session = request.session;
  if (session.userId) {
    const userId = session.userId;
    // The session store read the counter for this request already (plugins/session.ts).
    const row = await staffUsers.get(String(userId), () => findActiveUserById(db, userId), request.arrivedAt);
    if (!row) return null;
    const staff = toStaffPrincipal(row);
    if (session.impersonation && isPortalPath(request.url)) {
      return (await impersonatedContact(db, staff, session.impersonation)) ?? staff;
    }
    return staff;
  }
  const row = session.contactId ? await findActiveContactById(db, session.contactId) : undefined;
  return row ? toContactPrincipal(row) : null;
}

/**
 * Starts a signed-in session for a staff user or a portal contact: a new session id first, so an id
 * planted before sign-in is worthless afterwards; the same rules for both (E14).
 */
export async function startSession(request: FastifyRequest, who: { userId: number } | { contactId: number }) {
  await request.session.regenerate();
  const now = Date.now();
  Object.assign(request.session, who, { issuedAt: now, lastSeenAt: now });
}

/**
 * Every route needs a signed-in user unless its config says `public: true`. The contact is loaded from
 * the database on each request, the staff user kept per process while signedInCounter stays the same
 * (plugins/session-store.ts), so a disabled user, a contact whose access was revoked, or a revoked
 * session stops working at once.
 */
export default fp(async (app, opts: { db: Db }) => {
  app.decorateRequest('principal', null);
  const staffUsers: StaffUsers = new KeptWhileUnchanged(opts.db, signedInCounter, SIGNED_IN_KEEP_MS);

  app.addHook('onRequest', async (request, reply) => {
    const session = request.session;
    if (session?.userId || session?.contactId) {
      const now = Date.now();
      const expired =
        now - (session.issuedAt ?? 0) > ABSOLUTE_TIMEOUT_MS || now - (session.lastSeenAt ?? 0) > IDLE_TIMEOUT_MS;
      const principal = expired ? null : await principalOf(opts.db, staffUsers, request);
      if (principal) {
        request.principal = principal;
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
