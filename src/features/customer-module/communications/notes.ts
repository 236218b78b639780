import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import { insertAudited, updateAudited } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';

/** *Notes*: written by staff, pinned to stay on top. Audited. */

export async function addNote(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  note: { body: string; pinned: boolean },
): Promise<number> {
  const now = nowIso();
  return insertAudited(
    db,
    { table: 'notes', customerId, actor: actorOf(user) },
    { ...note, customer_id: customerId, author_user_id: user.id, created_at: now, updated_at: now },
  );
}

export async function setNotePinned(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  id: number,
  pinned: boolean,
) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'notes', customerId, id, 'This note');
    await updateAudited(trx, { table: 'notes', id, customerId, actor: actorOf(user) }, { pinned });
  });
}
