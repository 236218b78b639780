import type { Tx } from '../../src/db/index.ts';
import { nowIso } from '../../src/lib/dates.ts';
import { hashPassword } from '../../src/lib/password.ts';

/** The demo contact who signs in to the customer portal (README's sign-in table). */
export const DEMO_PORTAL_CONTACT = { email: 'pat@acmeplumbingltd.example', password: 'demo-password' } as const;

const everything = {
  view_invoices: true,
  pay: true,
  manage_payment_methods: true,
  manage_autopay: true,
  see_credits: true,
  receive_statements: true,
};
const readOnly = { view_invoices: true, see_credits: true };

/**
 * Contact profiles (E3) for every reseller: *Accounts payable* (everything, the default) and *Read only*;
 * every demo contact gets its reseller's default; Acme has a portal contact who can sign in (E14).
 */
export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  const resellers: { id: number }[] = await trx('resellers').select('id');
  for (const reseller of resellers) {
    const [{ id: defaultId }] = await trx('contact_profiles')
      .insert({ reseller_id: reseller.id, name: 'Accounts payable', is_default: true, ...everything, created_at: now })
      .returning('id');
    await trx('contact_profiles').insert({ reseller_id: reseller.id, name: 'Read only', ...readOnly, created_at: now });
    await trx('contacts')
      .whereNull('profile_id')
      .whereIn('customer_id', trx('customers').where({ reseller_id: reseller.id }).select('id'))
      .update({ profile_id: defaultId });
  }
  const acme = await trx('customers').where({ name: 'Acme Plumbing Ltd' }).first('id', 'reseller_id');
  const accountsPayable = await trx('contact_profiles')
    .where({ reseller_id: acme.reseller_id, name: 'Accounts payable' })
    .first('id');
  await trx('contacts').insert({
    customer_id: acme.id,
    name: 'Pat Payables',
    email: DEMO_PORTAL_CONTACT.email,
    phone: '+1 555 0100 232',
    profile_id: accountsPayable.id,
    password_hash: await hashPassword(DEMO_PORTAL_CONTACT.password),
    created_at: now,
  });
}
