import type { StaffPrincipal } from '../../auth/principal.ts';
import { findUserByEmail, toStaffPrincipal } from '../../auth/staff-users.ts';
import type { Queryable } from '../../db/index.ts';
import { decoyHash, verifyPassword } from '../../lib/password.ts';

/**
 * Checks an e-mail and password. Unknown e-mail, wrong password and disabled user all give the same
 * answer, in about the same time, so the form does not reveal which accounts exist.
 */
export async function authenticate(db: Queryable, email: string, password: string): Promise<StaffPrincipal | null> {
  const row = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
  if (!row || !ok || row.disabled_at) return null;
  return toStaffPrincipal(row);
}
