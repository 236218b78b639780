import { contactsSigningInAs, toContactPrincipal } from '../../auth/contacts.ts';
import type { ContactPrincipal } from '../../auth/principal.ts';
import { normaliseEmail } from '../../auth/staff-users.ts';
import type { Queryable } from '../../db/index.ts';
import { decoyHash, verifyPassword } from '../../lib/password.ts';

/**
 * Checks a contact's e-mail and password for the portal (E14). Unknown address, wrong password and
 * revoked access give the same answer after the same work, like the staff sign-in.
 */
export async function authenticateContact(
  db: Queryable,
  email: string,
  password: string,
): Promise<ContactPrincipal | null> {
  const candidates = await contactsSigningInAs(db, normaliseEmail(email));
  if (candidates.length === 0) {
    await verifyPassword(password, await decoyHash());
    return null;
  }
  for (const row of candidates) {
    if (row.password_hash && (await verifyPassword(password, row.password_hash)) && !row.access_revoked_at) {
      return toContactPrincipal(row);
    }
  }
  return null;
}
