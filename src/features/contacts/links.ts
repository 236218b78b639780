import { createHash, randomBytes } from 'node:crypto';
import { type Actor, actorOf } from '../../auth/principal.ts';
import { normaliseEmail } from '../../auth/staff-users.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { auditAction } from '../audit/audit.ts';
import { queueEmail } from '../email/outbox.ts';

/**
 * One-time links (E3 *Email*: welcome e-mail, password reset): a random token that only the e-mail holds;
 * the database keeps its SHA-256, so a copy of the database opens nothing. Single use, 72 hours.
 */
export const LINK_LIFETIME_MS = 72 * 60 * 60 * 1000;

export type LinkPurpose = 'welcome' | 'reset';

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

async function issueLink(db: Queryable, contactId: number, purpose: LinkPurpose, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db('contact_links').insert({
    contact_id: contactId,
    purpose,
    token_hash: hashOf(token),
    expires_at: new Date(now.getTime() + LINK_LIFETIME_MS).toISOString(),
    created_at: now.toISOString(),
  });
  return token;
}

type LinkedContact = { id: number; customer_id: number; name: string; email: string | null };

async function queueLinkEmail(
  db: Queryable,
  contact: LinkedContact & { email: string },
  purpose: LinkPurpose,
  publicUrl: string,
  customerName: string,
): Promise<void> {
  const token = await issueLink(db, contact.id, purpose);
  await queueEmail(db, {
    to: contact.email,
    template: purpose === 'welcome' ? 'contact-welcome' : 'contact-password-reset',
    data: {
      name: contact.name,
      customerName,
      link: `${publicUrl}/portal/password/${token}`,
      hours: LINK_LIFETIME_MS / 3_600_000,
    },
    customerId: contact.customer_id,
    contactId: contact.id,
  });
}

/** The welcome e-mail with a link to set a password (staff, from *Customer Details*). False when the contact has no e-mail. */
export async function sendWelcome(
  db: Queryable,
  contact: LinkedContact,
  customerName: string,
  publicUrl: string,
  actor: Actor,
): Promise<boolean> {
  const email = contact.email;
  if (!email) return false;
  await inTransaction(db, async (trx) => {
    await queueLinkEmail(trx, { ...contact, email }, 'welcome', publicUrl, customerName);
    await auditAction(
      trx,
      { table: 'contacts', id: contact.id, customerId: contact.customer_id, actor },
      'welcome-sent',
    );
  });
  return true;
}

/**
 * *Forgot your password?*: a reset link to every active contact with this address. The caller answers the
 * same whether or not any exists, so the form does not reveal who has access.
 */
export async function requestPasswordReset(db: Queryable, email: string, publicUrl: string): Promise<void> {
  const contacts: (LinkedContact & { customer_name: string })[] = await db('contacts as k')
    .join('customers as c', 'c.id', 'k.customer_id')
    .where('k.email', normaliseEmail(email))
    .whereNotNull('k.password_hash')
    .whereNull('k.access_revoked_at')
    .limit(5)
    .select('k.id', 'k.customer_id', 'k.name', 'k.email', 'c.name as customer_name');
  for (const contact of contacts) {
    await inTransaction(db, (trx) =>
      queueLinkEmail(trx, { ...contact, email: email }, 'reset', publicUrl, contact.customer_name),
    );
  }
}

/** The contact a link is for while it is unused, unexpired and the contact's access is not revoked. */
export async function contactOfLink(
  db: Queryable,
  token: string,
  now = new Date(),
): Promise<LinkedContact | undefined> {
  return db('contact_links as l')
    .join('contacts as k', 'k.id', 'l.contact_id')
    .where('l.token_hash', hashOf(token))
    .whereNull('l.used_at')
    .where('l.expires_at', '>', now.toISOString())
    .whereNull('k.access_revoked_at')
    .first('k.id', 'k.customer_id', 'k.name', 'k.email');
}

/**
 * Sets the contact's password through a link, once: the link is marked used in the same statement that
 * checks it is unused, so two clicks race for one success. Returns the contact, or undefined.
 */
export async function setPasswordWithLink(
  db: Queryable,
  token: string,
  passwordHash: string,
  now = new Date(),
): Promise<LinkedContact | undefined> {
  return inTransaction(db, async (trx) => {
    const contact = await contactOfLink(trx, token, now);
    if (!contact) return undefined;
    const claimed = await trx('contact_links')
      .where({ token_hash: hashOf(token) })
      .whereNull('used_at')
      .update({ used_at: now.toISOString() });
    if (claimed !== 1) return undefined;
    await trx('contacts')
      .where({ id: contact.id })
      .update({ password_hash: passwordHash, version: trx.raw('version + 1') });
    await auditAction(
      trx,
      {
        table: 'contacts',
        id: contact.id,
        customerId: contact.customer_id,
        actor: actorOf({
          kind: 'contact',
          id: contact.id,
          customerId: contact.customer_id,
          name: contact.name,
          email: contact.email,
          permissions: [],
          impersonatedBy: null,
        }),
      },
      'password-set',
    );
    return contact;
  });
}
