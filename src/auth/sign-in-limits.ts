import type { Queryable } from '../db/index.ts';

/**
 * Sign-in limits (issue 18, docs/security.md), kept in the database so every app process counts the
 * same failures. Two counts over a sliding window: per account (a guessed password) and per client
 * address (one client trying many accounts). A locked account is answered exactly like a wrong
 * password, after the same work, so the lock reveals nothing; only the client limit says "too many".
 */
export type SignInLimits = Readonly<{ perAccount: number; perClient: number; windowMinutes: number }>;

export const defaultSignInLimits: SignInLimits = { perAccount: 10, perClient: 50, windowMinutes: 15 };

/** The answer to a client over its limit (status 429); it says nothing about any account. */
export const TOO_MANY_SIGN_INS = 'Too many failed sign-ins from your address. Try again in a few minutes.';

/** Which sign-in: staff and portal contacts are different accounts even with the same e-mail. */
export type SignInRealm = 'staff' | 'portal';

export type SignInAttempt = Readonly<{ realm: SignInRealm; email: string; client: string }>;

const accountKey = (a: SignInAttempt) => `${a.realm}:${a.email.trim().toLowerCase()}`.slice(0, 390);
const clientKey = (a: SignInAttempt) => `client:${a.client}`.slice(0, 390);

function windowStart(limits: SignInLimits, now: Date): string {
  return new Date(now.getTime() - limits.windowMinutes * 60_000).toISOString();
}

async function failuresSince(db: Queryable, keys: string[], since: string): Promise<Map<string, number>> {
  const rows: { key: string; n: number | string }[] = await db('sign_in_failures')
    .whereIn('key', keys)
    .where('failed_at', '>', since)
    .groupBy('key')
    .select('key', db.raw('count(*) as n'));
  return new Map(rows.map((r) => [r.key, Number(r.n)]));
}

/**
 * Counts a failure against the client and (unless `account` is false: a reset request is no failed
 * password) the account; old failures are dropped on the way.
 */
export async function recordSignInFailure(db: Queryable, limits: SignInLimits, attempt: SignInAttempt, account = true) {
  const now = new Date();
  const failedAt = now.toISOString();
  await db('sign_in_failures').where('failed_at', '<=', windowStart(limits, now)).delete();
  const keys = account ? [accountKey(attempt), clientKey(attempt)] : [clientKey(attempt)];
  await db('sign_in_failures').insert(keys.map((key) => ({ key, failed_at: failedAt })));
}

/** Whether this client may try at all: false once it has failed perClient times in the window. */
export async function clientMayTry(db: Queryable, limits: SignInLimits, attempt: SignInAttempt) {
  const counts = await failuresSince(db, [clientKey(attempt)], windowStart(limits, new Date()));
  return (counts.get(clientKey(attempt)) ?? 0) < limits.perClient;
}

export type LimitedOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'refused' | 'too-many' };

/**
 * Runs a sign-in check under the limits. `check` always runs (the password is hashed either way), so a
 * locked account takes the same time and gets the same answer as a wrong password.
 */
export async function limitedSignIn<T>(
  db: Queryable,
  limits: SignInLimits,
  attempt: SignInAttempt,
  check: () => Promise<T | null>,
): Promise<LimitedOutcome<T>> {
  const counts = await failuresSince(db, [accountKey(attempt), clientKey(attempt)], windowStart(limits, new Date()));
  if ((counts.get(clientKey(attempt)) ?? 0) >= limits.perClient) return { ok: false, reason: 'too-many' };
  const locked = (counts.get(accountKey(attempt)) ?? 0) >= limits.perAccount;
  const value = await check();
  if (value === null || locked) {
    await recordSignInFailure(db, limits, attempt);
    return { ok: false, reason: 'refused' };
  }
  await db('sign_in_failures').where('key', accountKey(attempt)).delete();
  return { ok: true, value };
}
