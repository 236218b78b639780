import type { Tx } from '../../src/db/index.ts';
import { nowIso } from '../../src/lib/dates.ts';
import { normalisePhone } from '../../src/lib/phone.ts';

/**
 * Demo data for the Customer Module: Acme Plumbing is a corporate account with Baker & Sons linked, a
 * Bill To and a second location, a portal user, phone numbers to search by, a pinned note, an open
 * ticket, a facility and an alert.
 */
export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  const byName = async (name: string) => (await trx('customers').where({ name }).first('id')).id as number;
  const acme = await byName('Acme Plumbing Ltd');
  const baker = await byName('Baker & Sons Bakery');
  const admin = (await trx('users').where({ email: 'admin@example.com' }).first('id')).id as number;
  const support = (await trx('users').where({ email: 'support@example.com' }).first('id')).id as number;

  await trx('customers')
    .where({ id: acme })
    .update({ is_corporate: true, phone: '+1 555 0100 231', phone_digits: normalisePhone('+1 555 0100 231') });
  await trx('customers')
    .where({ id: baker })
    .update({ parent_customer_id: acme, phone: '+1 555 0100 877', phone_digits: normalisePhone('+1 555 0100 877') });

  const address = {
    city: 'Birmingham',
    region: 'West Midlands',
    postal_code: 'B1 1AA',
    country: 'GB',
    created_at: now,
  };
  await trx('locations').insert([
    { customer_id: acme, label: 'Head office', line1: '1 Colmore Row', is_bill_to: true, ...address },
    { customer_id: acme, label: 'Depot', line1: '77 Digbeth High Street', is_bill_to: false, ...address },
    { customer_id: baker, label: 'Bakery', line1: '5 Bull Street', is_bill_to: true, ...address },
  ]);
  await trx('contacts').insert({
    customer_id: acme,
    name: 'Priya Patel',
    email: 'priya@acmeplumbing.example',
    login: 'acme.admin',
    access_level: 'full',
    is_billing_contact: true,
    created_at: now,
  });
  await trx('notes').insert([
    {
      customer_id: acme,
      body: 'Prefers calls after 2pm. Ask for Priya.',
      pinned: true,
      author_user_id: support,
      created_at: now,
      updated_at: now,
    },
    {
      customer_id: acme,
      body: 'Called about the second line at the depot; quote sent.',
      pinned: false,
      author_user_id: admin,
      created_at: now,
      updated_at: now,
    },
  ]);
  await trx('tickets').insert({
    customer_id: acme,
    subject: 'Depot line is noisy',
    description: 'Crackle on the line since Monday.',
    status: 'open',
    assignee_user_id: support,
    opened_by_user_id: admin,
    created_at: now,
  });
  await trx('facilities').insert({
    customer_id: acme,
    name: 'Head office fiber',
    kind: 'Fiber',
    circuit_id: 'BHM-FBR-00417',
    created_at: now,
  });
  await trx('alerts').insert({
    customer_id: acme,
    message: 'Verify identity with the account PIN before discussing billing.',
    created_by_user_id: admin,
    created_at: now,
  });
}
