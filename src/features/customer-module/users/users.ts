import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { auditAction } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';

/** *Users*: the customer's portal users. */

/** *Change Password*: the log says that the password changed, never what it is. */
export async function changeContactPassword(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  contactId: number,
  passwordHash: string,
) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'contacts', customerId, contactId, 'This user');
    await trx('contacts')
      .where({ id: contactId })
      .update({ password_hash: passwordHash, version: trx.raw('version + 1') });
    await auditAction(trx, { table: 'contacts', id: contactId, customerId, actor: actorOf(user) }, 'password-change');
  });
}

/** *Impersonate Customer*: audited with whom the staff user acts as; the session remembers it (see routes). */
export async function recordImpersonation(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  contact: { id: number; name: string; login: string | null; email: string | null },
) {
  // A contact without a logon name is named by its e-mail address, or by its name when it has neither.
  const who = contact.login ?? contact.email ?? contact.name;
  await auditAction(
    db,
    { table: 'contacts', id: contact.id, customerId, actor: { userId: user.id, actingAs: who } },
    'impersonate',
    who,
  );
}
