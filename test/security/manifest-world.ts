import type { FastifyInstance } from 'fastify';
import { type Permission, permissions } from '../../src/auth/principal.ts';
import type { Db } from '../../src/db/index.ts';
import { nowIso } from '../../src/lib/dates.ts';
import { aTaxRate } from '../fixtures/bill-run.ts';
import { aCreditMemo } from '../fixtures/billing.ts';
import { aService as aServiceWithNumbers } from '../fixtures/catalogue.ts';
import { aPortalContact } from '../fixtures/customers.ts';
import { aReport, aService } from '../fixtures/reports.ts';
import { aUsageRate } from '../fixtures/usage.ts';
import { type Agent, Agent as AnonymousAgent, demoUsers, signIn } from '../helpers/app.ts';
import { signInToPortal } from '../helpers/portal.ts';

/**
 * The principals of the route manifest (test/security/route-manifest.ts) and the rows its URLs point
 * at, all of Acme Plumbing Ltd (Northwind's customer) unless the route is not about a customer.
 */
export type PrincipalName =
  | 'anonymous'
  | 'admin'
  | 'support'
  | 'reseller'
  | 'otherReseller'
  | 'contact'
  | 'revokedContact'
  | `contactWith:${Permission}`
  | `contactWithout:${Permission}`;

async function firstId(db: Db, table: string, where: Record<string, unknown> = {}): Promise<string> {
  const row = await db(table).where(where).orderBy('id').first('id');
  if (!row) throw new Error(`the manifest world has no ${table} row matching ${JSON.stringify(where)}`);
  return String(row.id);
}

async function insertedId(db: Db, table: string, values: Record<string, unknown>): Promise<string> {
  const [row] = await db(table).insert(values).returning('id');
  return String(row.id);
}

/** Rows the test world lacks, and the ids every parameter of every route takes (by "segment/:param"). */
export async function manifestParams(db: Db): Promise<Record<string, string>> {
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const customer = { customer_id: acme.id };
  const now = nowIso();
  const admin = await db('users').where({ email: demoUsers.admin }).first();
  const [document, letter, facility, note] = [
    await insertedId(db, 'documents', {
      ...customer,
      filename: 'a.pdf',
      content_type: 'application/pdf',
      size_bytes: 1,
      content: Buffer.from('x'),
      uploaded_by_user_id: admin.id,
      created_at: now,
    }),
    await insertedId(db, 'letters', { ...customer, template: 'blank', subject: 'S', body: 'B', created_at: now }),
    await insertedId(db, 'facilities', { ...customer, name: 'F', kind: 'fibre', created_at: now }),
    await insertedId(db, 'notes', { ...customer, body: 'N', created_at: now, updated_at: now }),
  ];
  const contact = await firstId(db, 'contacts', customer);
  const serviceType = await db('service_types').orderBy('id').first('name');
  const service = await aService(db, { customerId: acme.id, serviceType: serviceType.name, monthlyCents: 1000 });
  // Service Details' number routes need a service with a number (the one above has none).
  const numbered = await aServiceWithNumbers(db, {
    customerId: acme.id,
    serviceTypeId: (await db('service_types').orderBy('id').first('id')).id,
    priceListId: (await db('price_lists').orderBy('id').first('id')).id,
    numbers: [(await db('phone_numbers').where({ status: 'available' }).orderBy('id').first('number')).number],
  });
  const serviceNumber = `/services/${numbered.id}/numbers/${numbered.numberIds[0]}`;
  const report = (await aReport(db, { name: 'Manifest report', reseller_id: acme.reseller_id })) as { id: number };
  const credit = await aCreditMemo(db, { customerId: acme.id, amountCents: 500 });
  const method = await firstId(db, 'payment_methods', customer);
  const autopay = await insertedId(db, 'autopay_configurations', {
    ...customer,
    payment_method_id: method,
    position: 1,
    conditions: '[]',
    created_at: now,
    updated_at: now,
  });
  return {
    'customers/:id': String(acme.id),
    'billing/:invoiceId': await firstId(db, 'invoices', customer),
    'invoices/:invoiceId': await firstId(db, 'invoices', customer),
    'transactions/:paymentId': await firstId(db, 'payments', customer),
    'scheduled/:paymentId': await firstId(db, 'payments', { ...customer, status: 'scheduled' }),
    'credits/:creditId': String(credit.id),
    'payment-methods/:methodId': method,
    'automatic-payments/:configurationId': autopay,
    'assets/*': 'app.css',
    'htmx/*': 'htmx.min.js',
    'sortablejs/*': 'Sortable.min.js',
    'contacts/:rowId': contact,
    'users/:rowId': contact,
    'documents/:rowId': document,
    'letters/:rowId': letter,
    'facilities/:rowId': facility,
    'notes/:rowId': note,
    'locations/:rowId': await firstId(db, 'locations', customer),
    'tickets/:rowId': await firstId(db, 'tickets', customer),
    'alerts/:rowId': await firstId(db, 'alerts', customer),
    'contact-profiles/:profileId': await firstId(db, 'contact_profiles', { reseller_id: acme.reseller_id }),
    'numbers/:id': await firstId(db, 'phone_numbers'),
    'price-lists/:id': await firstId(db, 'price_lists'),
    'service-types/:id': await firstId(db, 'service_types'),
    'external-numbers/:id': await firstId(db, 'external_customer_numbers'),
    'rates/:taxRateId': String(
      (await aTaxRate(db, { name: 'GB VAT', country: 'GB', kind: 'recurring', rate: 20_000 })).id,
    ),
    'exemptions/:exemptionId': await insertedId(db, 'tax_exemptions', {
      ...customer,
      certificate_ref: 'EX-1',
      expires_on: '2030-01-01',
      created_at: now,
    }),
    'rates/:usageRateId': String((await aUsageRate(db, { prefix: '44', perMinuteMillicents: 10_000 })).id),
    'reports/:id': String(report.id),
    '/contact-profiles/new': `/contact-profiles/new?reseller_id=${acme.reseller_id}`,
    'institutions/:id': await firstId(db, 'institutions'),
    'groups/:id': await firstId(db, 'groups'),
    'services/:id': String(service.id),
    '/services/:id/numbers/:numberId/remove': `${serviceNumber}/remove`,
    '/services/:id/numbers/:numberId/removal': `${serviceNumber}/removal`,
  };
}

/** The concrete URL of a route path: given whole, or each `:param` from the world by the segment before it. */
export function urlOf(path: string, params: Record<string, string>): string {
  if (params[path]) return params[path];
  const parts = path.split('/');
  return parts
    .map((part, i) => {
      if (part === '*') return params[`${parts[i - 1]}/*`];
      if (!part.startsWith(':')) return part;
      const name = part.replace(/\.pdf$/, '');
      const value = params[`${parts[i - 1]}/${name}`] ?? params[name] ?? '1';
      return part.endsWith('.pdf') ? `${value}.pdf` : value;
    })
    .join('/');
}

/** Every principal signed in once; contacts of Acme with exactly one permission, or all but one. */
export async function manifestAgents(app: FastifyInstance, db: Db) {
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const signIns = new Map<PrincipalName, () => Promise<Agent>>();
  const anonymous = async () => {
    const agent = new AnonymousAgent(app);
    await agent.get('/login');
    return agent;
  };
  signIns.set('anonymous', anonymous);
  signIns.set('admin', () => signIn(app, demoUsers.admin));
  signIns.set('support', () => signIn(app, demoUsers.support));
  signIns.set('reseller', () => signIn(app, demoUsers.reseller));
  signIns.set('otherReseller', () => signIn(app, demoUsers.reseller2));
  for (const p of permissions) {
    const only = await aPortalContact(db, acme, { permissions: [p] });
    signIns.set(`contactWith:${p}`, () => signInToPortal(app, only.email!));
    const allBut = await aPortalContact(db, acme, { permissions: permissions.filter((q) => q !== p) });
    signIns.set(`contactWithout:${p}`, () => signInToPortal(app, allBut.email!));
  }
  const every = await aPortalContact(db, acme, { permissions: [...permissions] });
  signIns.set('contact', () => signInToPortal(app, every.email!));
  const agents = new Map<PrincipalName, Agent>();
  for (const [name, signInAs] of signIns) agents.set(name, await signInAs());
  const revoked = await aPortalContact(db, acme, { permissions: [...permissions] });
  const revokedAgent = await signInToPortal(app, revoked.email!);
  await db('contacts').where({ id: revoked.id }).update({ access_revoked_at: nowIso() });
  agents.set('revokedContact', revokedAgent);
  signIns.set('revokedContact', async () => revokedAgent);
  /** The principal afresh, after a route that ended or changed its session. */
  const again = async (name: PrincipalName) => {
    agents.set(name, await signIns.get(name)!());
  };
  return { agents, again };
}

/** The admin's drafts (New Customer Account, the wizard), made as the pages make them. */
export async function manifestDrafts(admin: Agent, db: Db, params: Record<string, string>): Promise<void> {
  for (const [start, kind] of [
    ['/customers/new', 'new-customer'],
    ['/wizard', 'add-services'],
  ] as const) {
    await admin.post(start, {});
    const draft = await db('drafts').where({ kind }).orderBy('id', 'desc').first('id');
    const stepUrl = String((await admin.get(`${start}/${draft.id}`)).headers.location);
    params[`${start}/:draftId`] = `${start}/${draft.id}`;
    params[`${start}/:draftId/:step`] = stepUrl;
    params[`${start}/:draftId/discard`] = `${start}/${draft.id}/discard`;
    params[`${start}/:draftId/customers`] = `${start}/${draft.id}/customers`;
  }
}
