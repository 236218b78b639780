import type { Knex } from 'knex';
import { accountNumberFor } from '../../src/features/customers/account-number.ts';
import { insertGenerated } from './batch.ts';
import type { LargeSeedOptions } from './types.ts';

const FIRST = [
  'Acme',
  'Blue',
  'Cedar',
  'Delta',
  'Eagle',
  'Fern',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
  'Kestrel',
  'Linden',
  'Maple',
  'Nova',
  'Orchid',
  'Pine',
  'Quartz',
  'River',
  'Summit',
  'Tidal',
  'Union',
  'Vale',
  'Willow',
  'Yarrow',
  'Zenith',
];
const SECOND = [
  'Plumbing',
  'Dental',
  'Freight',
  'Bakery',
  'Logistics',
  'Consulting',
  'Legal',
  'Motors',
  'Clinic',
  'Foods',
  'Studios',
  'Partners',
  'Holdings',
  'Labs',
  'Works',
  'Outfitters',
  'Analytics',
  'Builders',
  'Pharmacy',
  'Travel',
];
const SUFFIX = ['Ltd', 'LLC', 'Inc', 'Group', 'Co'];
const GIVEN = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farah',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kofi',
  'Lena',
  'Marco',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
];
const FAMILY = [
  'Adams',
  'Brown',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Khan',
  'Lopez',
  'Murphy',
  'Nguyen',
  'Osei',
  'Patel',
  'Quist',
  'Rossi',
  'Smith',
  'Tanaka',
];

const pick = <T>(list: readonly T[], random: () => number) => list[Math.floor(random() * list.length)];

/**
 * Customers spread over the demo resellers and 20 more, each with one contact and a Bill To location.
 * Ids follow the demo customers, so customer i of this generator has id offset + i.
 */
export async function generate(db: Knex, { customers, random }: LargeSeedOptions): Promise<void> {
  const now = new Date().toISOString();
  for (let r = 1; r <= 20; r++) await db('resellers').insert({ name: `Bench Reseller ${r}`, created_at: now });
  const resellerIds: number[] = (await db('resellers').orderBy('id').select('id')).map((row) => row.id);
  const { maxId } = (await db('customers').max({ maxId: 'id' }).first()) as { maxId: number };
  const offset = Number(maxId ?? 0);

  await insertGenerated(db, 'customers', customers, (i) => {
    const business = random() < 0.7;
    const name = business
      ? `${pick(FIRST, random)} ${pick(SECOND, random)} ${pick(SUFFIX, random)} ${i}`
      : `${pick(GIVEN, random)} ${pick(FAMILY, random)} ${i}`;
    return {
      id: offset + i + 1,
      account_number: accountNumberFor(offset + i + 1),
      name,
      kind: business ? 'business' : 'personal',
      status: random() < 0.93 ? 'active' : 'suspended',
      // A quarter of all customers belong to Northwind, so the demo reseller user sees a large book.
      reseller_id: random() < 0.25 ? resellerIds[0] : pick(resellerIds, random),
      custom_account_id: random() < 0.3 ? `CA-${(i * 7919) % 10_000_000}` : null,
      email: `billing${i}@customer${i % 9973}.example`,
      phone: `+1555${String(i).padStart(7, '0')}`,
      phone_digits: `1555${String(i).padStart(7, '0')}`,
      created_at: now,
      updated_at: now,
    };
  });

  await insertGenerated(db, 'contacts', customers, (i) => ({
    customer_id: offset + i + 1,
    name: `${pick(GIVEN, random)} ${pick(FAMILY, random)}`,
    email: `contact${i}@customer${i % 9973}.example`,
    is_billing_contact: true,
    created_at: now,
  }));

  await insertGenerated(db, 'locations', customers, (i) => ({
    customer_id: offset + i + 1,
    label: 'Main',
    line1: `${(i % 9000) + 100} ${pick(FAMILY, random)} Street`,
    city: pick(['Springfield', 'Riverton', 'Lakeside', 'Fairview', 'Georgetown'], random),
    postal_code: String(10000 + (i % 89999)),
    country: 'US',
    is_bill_to: true,
    created_at: now,
  }));
}
