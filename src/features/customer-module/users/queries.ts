import type { Queryable } from '../../../db/index.ts';

/** The customer's portal users (its contacts with a logon name), oldest first. */
function portalContacts(db: Queryable, customerId: number) {
  return db('contacts').where({ customer_id: customerId }).whereNotNull('login').orderBy('id');
}

/**
 * Every contact of the customer, oldest first: staff may impersonate any of them, also one who has no
 * logon name or password yet (E14).
 */
export async function portalUsers(db: Queryable, customerId: number) {
  return db('contacts')
    .where({ customer_id: customerId })
    .orderBy('id')
    .limit(200)
    .select('id', 'name', 'login', 'email', 'access_revoked_at', db.raw('password_hash is not null as has_password'));
}

/** The first portal user, who administers the account (New Customer Account creates it). */
export async function portalAdministrator(db: Queryable, customerId: number) {
  return portalContacts(db, customerId).first('name', 'login', 'email');
}
