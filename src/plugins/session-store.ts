import { createHash } from 'node:crypto';
import type { SessionStore } from '@fastify/session';
import type { Db } from '../db/index.ts';

const ANONYMOUS_TTL_MS = 60 * 60 * 1000;

type StoredSession = Parameters<SessionStore['set']>[1];

/** Rows are keyed by a hash of the session id: a database dump or backup holds no live session (issue 18). */
const keyOf = (sid: string) => createHash('sha256').update(sid).digest('hex');

/**
 * Sessions live in the database so they survive restarts, are shared by every app process and can be
 * revoked at once (sign-out, disabled user) by deleting rows.
 */
export class DatabaseSessionStore implements SessionStore {
  constructor(
    private readonly db: Db,
    private readonly fallbackTtlMs: number,
  ) {}

  set(sid: string, session: StoredSession, callback: (err?: unknown) => void): void {
    const userId = (session as { userId?: number }).userId ?? null;
    const cookieExpiry = session.cookie?.expires
      ? new Date(session.cookie.expires).getTime()
      : Date.now() + this.fallbackTtlMs;
    // A session nobody signed in to (only a CSRF secret for the sign-in form) is dropped after an hour.
    const expires = new Date(userId ? cookieExpiry : Math.min(cookieExpiry, Date.now() + ANONYMOUS_TTL_MS));
    this.db('sessions')
      .insert({ sid: keyOf(sid), user_id: userId, data: JSON.stringify(session), expires_at: expires.toISOString() })
      .onConflict('sid')
      .merge()
      .then(() => callback(), callback);
  }

  get(sid: string, callback: Parameters<SessionStore['get']>[1]): void {
    this.db('sessions')
      .where({ sid: keyOf(sid) })
      .where('expires_at', '>', new Date().toISOString())
      .first('data')
      .then((row: { data: string } | undefined) => callback(null, row ? JSON.parse(row.data) : null), callback);
  }

  destroy(sid: string, callback: (err?: unknown) => void): void {
    this.db('sessions')
      .where({ sid: keyOf(sid) })
      .delete()
      .then(() => callback(), callback);
  }
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  return db('sessions').where('expires_at', '<=', new Date().toISOString()).delete();
}
