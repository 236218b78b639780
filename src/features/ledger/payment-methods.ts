import type { Actor } from '../../auth/principal.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { auditCreated, recordChanges } from '../audit/audit.ts';
import type { BankDetails, CardDetails, PaymentGateway } from './gateway.ts';

export type PaymentMethodRow = {
  id: number;
  customer_id: number;
  kind: 'card' | 'ach';
  friendly_name: string;
  gateway_token: string;
  brand: string;
  last4: string;
  exp_month: number | null;
  exp_year: number | null;
  holder_name: string;
  address_line1: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  authorised_by: number | null;
  authorised_at: string;
  replaced_by_id: number | null;
  removed_at: string | null;
  created_at: string;
};

export type BillingAddress = { line1?: string; city?: string; region?: string; postalCode?: string; country?: string };

export type NewPaymentMethod = {
  customerId: number;
  friendlyName: string;
  details: CardDetails | BankDetails;
  address: BillingAddress;
};

/** The gateway would not store the method; the message is for the user. */
export class PaymentMethodRefused extends HttpError {
  constructor(message: string) {
    super(422, message);
  }
}

/** The methods in use (not replaced or removed), cards first. */
export function activePaymentMethods(
  db: Queryable,
  customerId: number,
  kind?: 'card' | 'ach',
): Promise<PaymentMethodRow[]> {
  const query = db<PaymentMethodRow>('payment_methods')
    .where('customer_id', customerId)
    .whereNull('replaced_by_id')
    .whereNull('removed_at')
    .orderBy([{ column: 'kind', order: 'desc' }, { column: 'id' }]);
  return kind ? query.where('kind', kind) : query;
}

export async function activePaymentMethod(db: Queryable, customerId: number, id: number): Promise<PaymentMethodRow> {
  const method = await db<PaymentMethodRow>('payment_methods')
    .where({ id, customer_id: customerId })
    .whereNull('replaced_by_id')
    .whereNull('removed_at')
    .first();
  if (!method) throw new HttpError(404, 'This payment method does not exist or is no longer in use.');
  return method;
}

/**
 * Sends the numbers to the gateway (outside any transaction: a slow gateway must not hold the database)
 * and stores only what comes back. With `replaces`, the new method takes the old one's place (EDIT).
 */
export async function savePaymentMethod(
  db: Db,
  gateway: PaymentGateway,
  input: NewPaymentMethod,
  actor: Actor,
  replaces?: PaymentMethodRow,
): Promise<PaymentMethodRow> {
  const stored = await gateway.tokenize(input.details);
  if (!stored.ok) throw new PaymentMethodRefused(stored.reason);
  const now = nowIso();
  const values = {
    customer_id: input.customerId,
    kind: input.details.kind,
    friendly_name: input.friendlyName,
    gateway_token: stored.token,
    brand: stored.brand,
    last4: stored.last4,
    exp_month: stored.expMonth,
    exp_year: stored.expYear,
    holder_name: input.details.holderName,
    address_line1: input.address.line1 || null,
    city: input.address.city || null,
    region: input.address.region || null,
    postal_code: input.address.postalCode || null,
    country: input.address.country || null,
    authorised_by: actor.userId,
    authorised_at: now,
    replaced_by_id: null,
    removed_at: null,
    created_at: now,
  };
  return db.transaction(async (trx) => {
    const [{ id }] = await trx('payment_methods').insert(values).returning('id');
    await auditCreated(
      trx,
      { table: 'payment_methods', id, customerId: input.customerId, actor },
      {
        kind: values.kind,
        friendly_name: values.friendly_name,
        brand: values.brand,
        last4: values.last4,
        exp_month: values.exp_month,
        exp_year: values.exp_year,
      },
    );
    if (replaces) {
      const count = await trx('payment_methods')
        .where({ id: replaces.id })
        .whereNull('replaced_by_id')
        .update({ replaced_by_id: id });
      if (count !== 1)
        throw new HttpError(409, 'This payment method was changed by someone else meanwhile. Look at it again.');
      await recordChanges(
        trx,
        { table: 'payment_methods', id: replaces.id, customerId: input.customerId, actor },
        { replaced_by_id: null },
        { replaced_by_id: id },
      );
      // Scheduled payments follow the method that replaced theirs.
      await trx('payments')
        .where({ payment_method_id: replaces.id, status: 'scheduled' })
        .update({ payment_method_id: id });
    }
    return { id, ...values };
  });
}

/** Takes a method out of use; payments already made with it keep pointing at it. */
export async function removePaymentMethod(db: Db, customerId: number, id: number, actor: Actor): Promise<void> {
  await db.transaction(async (trx) => {
    const method = await activePaymentMethod(trx, customerId, id);
    const scheduled = await trx('payments').where({ payment_method_id: id, status: 'scheduled' }).first('id');
    if (scheduled)
      throw new HttpError(
        409,
        'A scheduled payment uses this method. Cancel or reschedule it with another method first.',
      );
    const removedAt = nowIso();
    await trx('payment_methods').where({ id: method.id }).update({ removed_at: removedAt });
    await recordChanges(
      trx,
      { table: 'payment_methods', id, customerId, actor },
      { removed_at: null },
      { removed_at: removedAt },
    );
  });
}
