import type { Queryable } from '../db/index.ts';
import { nowIso } from '../lib/dates.ts';
import { hashPassword } from '../lib/password.ts';
import type { LandingTab, Role, StaffPrincipal } from './principal.ts';

type UserRow = {
  id: number;
  email: string;
  name: string;
  role: Role;
  reseller_id: number | null;
  landing_tab: LandingTab;
  password_hash: string;
  disabled_at: string | null;
};

export function toStaffPrincipal(row: UserRow): StaffPrincipal {
  return Object.freeze({
    kind: 'staff',
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    resellerId: row.reseller_id,
    landingTab: row.landing_tab,
  });
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findActiveUserById(db: Queryable, id: number): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).whereNull('disabled_at').first();
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return db<UserRow>('users')
    .where({ email: normaliseEmail(email) })
    .first();
}

export type NewUser = { email: string; name: string; role: Role; resellerId?: number | null } & (
  | { password: string }
  | { passwordHash: string }
);

export async function createUser(db: Queryable, user: NewUser): Promise<number> {
  if (user.role === 'reseller' && !user.resellerId) throw new Error('a reseller user needs a reseller');
  const passwordHash = 'passwordHash' in user ? user.passwordHash : await hashPassword(user.password);
  const [row] = await db('users')
    .insert({
      email: normaliseEmail(user.email),
      name: user.name,
      role: user.role,
      reseller_id: user.role === 'reseller' ? user.resellerId : null,
      password_hash: passwordHash,
      created_at: nowIso(),
    })
    .returning('id');
  return typeof row === 'object' ? row.id : row;
}
