import { createHash } from 'node:crypto';
import type { SessionStore } from '@fastify/session';
import { type ChangeCounter, KeptWhileUnchanged } from '../db/change-counter.ts';
import { transactionWithoutFlush } from '../db/dialect.ts';
import type { Db } from '../db/index.ts';
import { preparedQuery } from '../db/prepared.ts';

const ANONYMOUS_TTL_MS = 60 * 60 * 1000;
/**
 * How long a process keeps a session (and its user, plugins/auth.ts) without reading it again. Every
 * request still reads the counter below, so a sign-out, a revoked session or a disabled user anywhere
 * is seen on the very next request; this bounds only how long an unchanged row is trusted.
 */
export const SIGNED_IN_KEEP_MS = 5_000;

/** Raised by any update or delete of a session or a staff user (sign-out, revocation, a changed role). */
export const signedInCounter: ChangeCounter = { name: 'signed_in', tables: ['sessions', 'users'] };

type StoredSession = Parameters<SessionStore['set']>[1];

/** Rows are keyed by a hash of the session id: a database dump or backup holds no live session (issue 18). */
const keyOf = (sid: string) => createHash('sha256').update(sid).digest('hex');

const sessionData = preparedQuery<{ sid: string; now: string }, { data: string }>((db, param) =>
  db('sessions').where('sid', param('sid')).where('expires_at', '>', param('now')).select('data'),
);

/**
 * Sessions live in the database so they survive restarts, are shared by every app process and can be
 * revoked at once (sign-out, disabled user) by deleting rows. Each process keeps the sessions it read
 * while signedInCounter does not move (at most SIGNED_IN_KEEP_MS).
 */
export class DatabaseSessionStore implements SessionStore {
  private readonly kept: KeptWhileUnchanged<string | undefined>;

  constructor(
    private readonly db: Db,
    private readonly fallbackTtlMs: number,
  ) {
    this.kept = new KeptWhileUnchanged(db, signedInCounter, SIGNED_IN_KEEP_MS);
  }

  set(sid: string, session: StoredSession, callback: (err?: unknown) => void): void {
    const key = keyOf(sid);
    const userId = (session as { userId?: number }).userId ?? null;
    const cookieExpiry = session.cookie?.expires
      ? new Date(session.cookie.expires).getTime()
      : Date.now() + this.fallbackTtlMs;
    // A session nobody signed in to (only a CSRF secret for the sign-in form) is dropped after an hour.
    const expires = new Date(userId ? cookieExpiry : Math.min(cookieExpiry, Date.now() + ANONYMOUS_TTL_MS));
    this.kept.forget(key);
    // Without waiting for the disk: a power cut may lose a flash message or a sign-in (signed in again
    // after), never money, and a payment then costs one wait for the disk, not two. Deletes (sign-out,
    // revocation) still wait for it.
    transactionWithoutFlush(this.db, (trx) =>
      trx('sessions')
        .insert({ sid: key, user_id: userId, data: JSON.stringify(session), expires_at: expires.toISOString() })
        .onConflict('sid')
        .merge(),
    ).then(() => callback(), callback);
  }

  get(sid: string, callback: Parameters<SessionStore['get']>[1]): void {
    const key = keyOf(sid);
    this.kept
      .get(key, async () => (await sessionData(this.db, { sid: key, now: new Date().toISOString() }))[0]?.data)
      // Parsed afresh each time: the session plugin changes the object it is given.
      .then((data) => callback(null, data ? JSON.parse(data) : null), callback);
  }

  destroy(sid: string, callback: (err?: unknown) => void): void {
    const key = keyOf(sid);
    this.kept.forget(key);
    this.db('sessions')
      .where({ sid: key })
      .delete()
      .then(() => callback(), callback);
  }
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  return db('sessions').where('expires_at', '<=', new Date().toISOString()).delete();
}
