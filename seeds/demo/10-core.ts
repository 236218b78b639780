import { createUser } from '../../src/auth/staff-users.ts';
import type { Tx } from '../../src/db/index.ts';
import { accountNumberFor } from '../../src/features/customers/account-number.ts';
import { nowIso } from '../../src/lib/dates.ts';
import { normaliseName } from '../../src/lib/names.ts';
import { hashPassword } from '../../src/lib/password.ts';

export const DEMO_PASSWORD = 'demo-password';

export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  const [northwind] = await trx('resellers').insert({ name: 'Northwind Telecom', created_at: now }).returning('id');
  const [contoso] = await trx('resellers').insert({ name: 'Contoso Networks', created_at: now }).returning('id');
  const northwindId = northwind.id;
  const contosoId = contoso.id;

  // One hash for all demo users: they share the documented demo password, and hashing is deliberately slow.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await createUser(trx, { email: 'admin@example.com', name: 'Alex Admin', role: 'admin', passwordHash });
  await createUser(trx, { email: 'support@example.com', name: 'Sam Support', role: 'support', passwordHash });
  await createUser(trx, {
    email: 'reseller@example.com',
    name: 'Riley Northwind',
    role: 'reseller',
    resellerId: northwindId,
    passwordHash,
  });
  await createUser(trx, {
    email: 'reseller2@example.com',
    name: 'Casey Contoso',
    role: 'reseller',
    resellerId: contosoId,
    passwordHash,
  });

  const institutionIds: Record<string, number> = {};
  for (const name of ['Birmingham University', 'Manchester Health Trust', 'City of London Council']) {
    const [row] = await trx('institutions')
      .insert({ name, name_key: normaliseName(name), created_at: now })
      .returning('id');
    institutionIds[name] = row.id;
  }
  for (const [name, institution] of [
    ['Smith Lab', 'Birmingham University'],
    ['Physics Department', 'Birmingham University'],
    ['Cardiology Unit', 'Manchester Health Trust'],
  ] as const) {
    await trx('groups').insert({
      name,
      name_key: normaliseName(name),
      institution_id: institutionIds[institution],
      created_at: now,
    });
  }

  const customers: [string, 'business' | 'personal', number, string][] = [
    ['Acme Plumbing Ltd', 'business', northwindId, 'active'],
    ['Baker & Sons Bakery', 'business', northwindId, 'active'],
    ['Carla Jensen', 'personal', northwindId, 'active'],
    ['Delta Freight Services', 'business', northwindId, 'suspended'],
    ['Evergreen Dental Practice', 'business', contosoId, 'active'],
    ['Frank Osei', 'personal', contosoId, 'active'],
    ['Greenway Logistics', 'business', contosoId, 'active'],
  ];
  let sequence = 1;
  for (const [name, kind, resellerId, status] of customers) {
    await trx('customers').insert({
      account_number: accountNumberFor(sequence++),
      name,
      kind,
      status,
      reseller_id: resellerId,
      email: `accounts@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
      created_at: now,
      updated_at: now,
    });
  }
}
