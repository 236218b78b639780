import { type Permission, permissions } from '../../auth/principal.ts';
import { likeInsensitive } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { notFound } from '../../lib/http-error.ts';
import { keysetPage } from '../../lib/keyset.ts';
import { emailHistoryColumns } from '../email/queries.ts';
import type { ContactListQuery } from './schemas.ts';

/** A customer has at most this many contacts on one page of *Customer Details*. */
export const CONTACT_LIST_LIMIT = 200;
const EMAIL_PAGE_SIZE = 50;

export type ContactRow = {
  id: number;
  customer_id: number;
  name: string;
  email: string | null;
  phone: string | null;
  login: string | null;
  is_billing_contact: number | boolean;
  profile_id: number | null;
  profile_name: string | null;
  has_password: number | boolean;
  access_revoked_at: string | null;
  version: number;
};

export type ProfileRow = {
  id: number;
  reseller_id: number;
  name: string;
  is_default: number | boolean;
  version: number;
} & Record<Permission, number | boolean>;

function contactsOf(db: Queryable, customerId: number) {
  return db('contacts as k')
    .leftJoin('contact_profiles as p', 'p.id', 'k.profile_id')
    .where('k.customer_id', customerId)
    .select(
      'k.id',
      'k.customer_id',
      'k.name',
      'k.email',
      'k.phone',
      'k.login',
      'k.is_billing_contact',
      'k.profile_id',
      'p.name as profile_name',
      db.raw('case when k.password_hash is null then 0 else 1 end as has_password'),
      'k.access_revoked_at',
      'k.version',
    );
}

const sortColumns = { name: 'k.name', email: 'k.email', profile: 'p.name' } as const;

/** *Customer Details* (E3): the customer's contacts, searched by name or e-mail and sorted, bounded. */
export async function contactList(db: Queryable, customerId: number, query: ContactListQuery): Promise<ContactRow[]> {
  const list = contactsOf(db, customerId);
  if (query.q) {
    list.where((w) =>
      w
        .where(likeInsensitive(db, 'k.name', query.q, 'contains'))
        .orWhere(likeInsensitive(db, 'k.email', query.q, 'contains')),
    );
  }
  return list
    .orderBy([
      { column: sortColumns[query.sort], order: query.dir },
      { column: 'k.id', order: 'asc' },
    ])
    .limit(CONTACT_LIST_LIMIT);
}

/** One of the customer's contacts, or 404. */
export async function contactOfCustomer(db: Queryable, customerId: number, contactId: number): Promise<ContactRow> {
  const contact = await contactsOf(db, customerId).where('k.id', contactId).first();
  if (!contact) throw notFound('This contact');
  return contact;
}

/** The contact profiles a reseller's customers can be given, default first. */
export function profilesOf(db: Queryable, resellerId: number): Promise<ProfileRow[]> {
  return db('contact_profiles')
    .where({ reseller_id: resellerId })
    .orderBy([{ column: 'is_default', order: 'desc' }, { column: 'name' }])
    .limit(100);
}

export async function profileOfReseller(db: Queryable, resellerId: number, profileId: number): Promise<ProfileRow> {
  const profile = await db('contact_profiles').where({ id: profileId, reseller_id: resellerId }).first();
  if (!profile) throw notFound('This contact profile');
  return profile;
}

/** What a profile grants, as the permission names the portal checks. */
export function grantsOf(profile: ProfileRow): Permission[] {
  return permissions.filter((p) => Boolean(Number(profile[p])));
}

/** Resellers with their contact profiles, for the profiles page (bounded: resellers are few). */
export async function profilesByReseller(db: Queryable) {
  const resellers: { id: number; name: string }[] = await db('resellers')
    .orderBy('name')
    .limit(100)
    .select('id', 'name');
  const profiles: ProfileRow[] = await db('contact_profiles')
    .whereIn(
      'reseller_id',
      resellers.map((r) => r.id),
    )
    .orderBy([{ column: 'is_default', order: 'desc' }, { column: 'name' }]);
  return resellers.map((r) => ({ ...r, profiles: profiles.filter((p) => p.reseller_id === r.id) }));
}

export async function profileById(db: Queryable, profileId: number): Promise<ProfileRow & { reseller_name: string }> {
  const profile = await db('contact_profiles as p')
    .join('resellers as r', 'r.id', 'p.reseller_id')
    .where('p.id', profileId)
    .first('p.*', 'r.name as reseller_name');
  if (!profile) throw notFound('This contact profile');
  return profile;
}

export async function resellerById(db: Queryable, resellerId: number): Promise<{ id: number; name: string }> {
  const reseller = await db('resellers').where({ id: resellerId }).first('id', 'name');
  if (!reseller) throw notFound('This reseller');
  return reseller;
}

/** One page of the customer's e-mail history (E3), newest first, with the contact each went to. */
export async function customerEmails(db: Queryable, customerId: number, before?: number) {
  const query = db('emails as e')
    .leftJoin('contacts as k', 'k.id', 'e.contact_id')
    .where('e.customer_id', customerId)
    .select(...emailHistoryColumns, 'k.name as contact_name');
  if (before) query.where('e.id', '<', before);
  return keysetPage(await query.orderBy('e.id', 'desc').limit(EMAIL_PAGE_SIZE + 1), EMAIL_PAGE_SIZE);
}

/** One of the customer's e-mails, or 404. */
export async function emailOfCustomer(
  db: Queryable,
  customerId: number,
  emailId: number,
): Promise<{ id: number; to_address: string; contact_id: number | null }> {
  const email = await db('emails')
    .where({ id: emailId, customer_id: customerId })
    .first('id', 'to_address', 'contact_id');
  if (!email) throw notFound('This e-mail');
  return email;
}

export type CustomerLinks = { accounting_customer_ref: string | null; gateway_customer_ref: string | null };

/** The customer's linked entities (E2 chips); both missing when never set. */
export async function customerLinks(db: Queryable, customerId: number): Promise<CustomerLinks> {
  const row = await db('customer_links')
    .where({ customer_id: customerId })
    .first('accounting_customer_ref', 'gateway_customer_ref');
  return row ?? { accounting_customer_ref: null, gateway_customer_ref: null };
}
