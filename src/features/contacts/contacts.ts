import type { Actor } from '../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { auditAction, deleteAudited, insertAudited, recordChanges, updateAudited } from '../audit/audit.ts';
import { profileOfReseller } from './queries.ts';
import type { ContactInput } from './schemas.ts';

/** *Customer Details* (E3): a customer's contacts, each with a contact profile; every write audited. */

type Customer = { id: number; reseller_id: number };

export async function addContact(
  db: Queryable,
  customer: Customer,
  input: ContactInput,
  actor: Actor,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    // The profile must be one of the customer's reseller's: 404 otherwise, never another reseller's profile.
    await profileOfReseller(trx, customer.reseller_id, input.profile_id);
    return insertAudited(
      trx,
      { table: 'contacts', customerId: customer.id, actor },
      {
        customer_id: customer.id,
        name: input.name,
        email: input.email,
        phone: input.phone ?? null,
        profile_id: input.profile_id,
        is_billing_contact: input.is_billing_contact,
        created_at: nowIso(),
      },
    );
  });
}

export async function updateContact(
  db: Queryable,
  customer: Customer,
  contactId: number,
  input: ContactInput,
  actor: Actor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await profileOfReseller(trx, customer.reseller_id, input.profile_id);
    await updateAudited(
      trx,
      { table: 'contacts', id: contactId, customerId: customer.id, actor, expectedVersion: input.version },
      {
        name: input.name,
        email: input.email,
        phone: input.phone ?? null,
        profile_id: input.profile_id,
        is_billing_contact: input.is_billing_contact,
      },
    );
  });
}

/** Removes the contact; its e-mail history stays with the customer (contact_id set null). */
export async function removeContact(db: Queryable, customerId: number, contactId: number, actor: Actor): Promise<void> {
  await deleteAudited(db, { table: 'contacts', id: contactId, customerId, actor }, ['password_hash']);
}

/**
 * *Revoke Access*: the contact stays on the record but cannot sign in, and a signed-in session is refused
 * on its next request (the auth plugin reads the contact afresh). Unused one-time links die with it.
 */
export async function revokeAccess(db: Queryable, customerId: number, contactId: number, actor: Actor): Promise<void> {
  await inTransaction(db, async (trx) => {
    await updateAudited(trx, { table: 'contacts', id: contactId, customerId, actor }, { access_revoked_at: nowIso() });
    await trx('contact_links').where({ contact_id: contactId }).whereNull('used_at').update({ used_at: nowIso() });
  });
}

/** Gives access back after *Revoke Access*. */
export async function restoreAccess(db: Queryable, customerId: number, contactId: number, actor: Actor): Promise<void> {
  await inTransaction(db, async (trx) => {
    await updateAudited(trx, { table: 'contacts', id: contactId, customerId, actor }, { access_revoked_at: null });
    await auditAction(trx, { table: 'contacts', id: contactId, customerId, actor }, 'access-restored');
  });
}

/** E2: sets the customer's linked accounting and gateway customers (empty clears a link), audited. */
export async function saveCustomerLinks(
  db: Queryable,
  customerId: number,
  links: { accounting_customer_ref: string | null; gateway_customer_ref: string | null },
  actor: Actor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const existing = await trx('customer_links').where({ customer_id: customerId }).first();
    if (!existing) {
      await trx('customer_links').insert({
        customer_id: customerId,
        accounting_customer_ref: null,
        gateway_customer_ref: null,
      });
    }
    const current = existing ?? (await trx('customer_links').where({ customer_id: customerId }).first());
    await recordChanges(trx, { table: 'customer_links', id: customerId, customerId, actor }, current, links);
    await trx('customer_links')
      .where({ customer_id: customerId })
      .update({ ...links, version: trx.raw('version + 1') });
  });
}
