import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { type CustomerRow, customersVisibleTo } from '../../../auth/scope.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { notFound } from '../../../lib/http-error.ts';
import { updateAudited } from '../../audit/audit.ts';

/** *Linked Accounts*: a corporate account and its child accounts, of the same reseller. Audited. */

export async function linkChildAccount(
  db: Queryable,
  user: StaffPrincipal,
  parent: CustomerRow,
  accountNumber: string,
): Promise<FieldErrors | null> {
  const child = await customersVisibleTo(db, user).where({ account_number: accountNumber }).first();
  if (!child) return { account_number: `No account ${accountNumber} that you can see.` };
  if (child.id === parent.id) return { account_number: 'An account cannot be linked to itself.' };
  if (child.reseller_id !== parent.reseller_id)
    return { account_number: 'Only accounts of the same reseller can be linked.' };
  if (child.is_corporate)
    return { account_number: `${child.name} is a corporate account itself and cannot be a child account.` };
  if (child.parent_customer_id === parent.id)
    return { account_number: `${child.name} is already linked to this account.` };
  if (child.parent_customer_id)
    return { account_number: `${child.name} is linked to another corporate account. Unlink it there first.` };
  await inTransaction(db, (trx) =>
    updateAudited(
      trx,
      { table: 'customers', id: child.id, customerId: child.id, actor: actorOf(user) },
      { parent_customer_id: parent.id },
    ),
  );
  return null;
}

export async function unlinkChildAccount(db: Queryable, user: StaffPrincipal, parent: CustomerRow, childId: number) {
  await inTransaction(db, async (trx) => {
    const child = await trx('customers').where({ id: childId, parent_customer_id: parent.id }).first('id');
    if (!child) throw notFound('This linked account');
    await updateAudited(
      trx,
      { table: 'customers', id: childId, customerId: childId, actor: actorOf(user) },
      { parent_customer_id: null },
    );
  });
}
