import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolation, lockForUpdate } from '../../db/dialect.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { AMOUNT_TOO_LARGE, formatCents, isBoundedCents } from '../../lib/money.ts';
import { auditCreated } from '../audit/audit.ts';
import { LedgerError } from './errors.ts';
import { allocate, payableInvoices, reduceOpenBalance } from './invoices.ts';

export type CreditKind = 'memo' | 'unapplied';
export type CreditRow = {
  id: number;
  customer_id: number;
  kind: CreditKind;
  amount_cents: number;
  remaining_cents: number;
  payment_id: number | null;
  reason: string | null;
  idempotency_key: string | null;
  created_by: number | null;
  created_at: string;
};

/** Credit numbers shown to users ("CR-0000042"). */
export function creditNumberFor(id: number): string {
  return `CR-${String(id).padStart(7, '0')}`;
}

/** Issues a credit memo. The same idempotency key issues it once. In the caller's transaction, if any. */
export async function issueCreditMemo(
  db: Queryable,
  input: { customerId: number; amountCents: number; reason: string; idempotencyKey: string },
  actor: Actor,
): Promise<CreditRow> {
  return inTransaction(db, async (trx) => {
    const existing: CreditRow | undefined = await trx('credits').where('idempotency_key', input.idempotencyKey).first();
    if (existing) return existing;
    if (!isBoundedCents(input.amountCents) || input.amountCents <= 0)
      throw new LedgerError('amount', input.amountCents > 0 ? AMOUNT_TOO_LARGE : 'Enter an amount above zero.');
    const values = {
      customer_id: input.customerId,
      kind: 'memo' as const,
      amount_cents: input.amountCents,
      remaining_cents: input.amountCents,
      payment_id: null,
      reason: input.reason,
      idempotency_key: input.idempotencyKey,
      created_by: actor.userId,
      created_at: nowIso(),
    };
    const [{ id }] = await trx('credits').insert(values).returning('id');
    await auditCreated(
      trx,
      { table: 'credits', id, customerId: input.customerId, actor },
      {
        kind: 'memo',
        amount_cents: input.amountCents,
        reason: input.reason,
      },
    );
    return { id, ...values };
  });
}

async function creditOf(trx: Queryable, customerId: number, creditId: number): Promise<CreditRow> {
  const credit: CreditRow | undefined = await lockForUpdate(
    trx,
    trx<CreditRow>('credits').where({ id: creditId, customer_id: customerId }),
  ).first();
  if (!credit) throw new HttpError(404, 'This credit does not exist or is not yours to see.');
  return credit;
}

/** Takes an amount off a credit's remaining balance; never below zero (the condition and a CHECK both say so). */
async function reduceRemaining(trx: Queryable, creditId: number, amountCents: number): Promise<void> {
  const count = await trx('credits')
    .where('id', creditId)
    .where('remaining_cents', '>=', amountCents)
    .update({ remaining_cents: trx.raw('remaining_cents - ?', [amountCents]) });
  if (count !== 1) throw new Error(`credit ${creditId} has less than ${amountCents} cents remaining`);
}

/**
 * Applies a credit to open invoices, oldest due first, each up to what may still be paid on it (so a
 * pending or scheduled payment is never overtaken). Returns the cents applied; 0 when this action
 * (its idempotency key) was already applied. In the caller's transaction, if any.
 */
export async function applyCredit(
  db: Queryable,
  input: { customerId: number; creditId: number; invoiceIds: number[]; idempotencyKey: string },
  actor: Actor,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const done = await trx('credit_applications')
      .where({ idempotency_key: input.idempotencyKey, credit_id: input.creditId })
      .first();
    if (done) return 0;
    const credit = await creditOf(trx, input.customerId, input.creditId);
    if (credit.remaining_cents === 0) throw new LedgerError('credit_id', 'This credit has been used up.');
    const wanted = [...new Set(input.invoiceIds)];
    const invoices = await payableInvoices(trx, input.customerId, wanted);
    if (invoices.length === 0 || invoices.length !== wanted.length)
      throw new LedgerError('invoice_ids', 'Choose one or more of this customer’s open invoices.');
    const { parts } = allocate(credit.remaining_cents, invoices);
    if (parts.length === 0)
      throw new LedgerError(
        'invoice_ids',
        'Nothing is left to pay on the chosen invoices once pending and scheduled payments are counted.',
      );
    const now = nowIso();
    try {
      await trx('credit_applications').insert(
        parts.map((p) => ({
          credit_id: credit.id,
          invoice_id: p.invoiceId,
          amount_cents: p.amountCents,
          idempotency_key: input.idempotencyKey,
          created_by: actor.userId,
          created_at: now,
        })),
      );
    } catch (error) {
      if (isUniqueViolation(error)) return 0;
      throw error;
    }
    for (const part of parts) await reduceOpenBalance(trx, part.invoiceId, part.amountCents);
    const applied = parts.reduce((s, p) => s + p.amountCents, 0);
    await reduceRemaining(trx, credit.id, applied);
    return applied;
  });
}

/**
 * Pays part or all of a credit's remaining balance back to the customer. The same key refunds once. In the
 * caller's transaction, if any.
 */
export async function refundCredit(
  db: Queryable,
  input: { customerId: number; creditId: number; amountCents: number; reason: string; idempotencyKey: string },
  actor: Actor,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const done = await trx('refunds').where('idempotency_key', input.idempotencyKey).first();
    if (done) return false;
    const credit = await creditOf(trx, input.customerId, input.creditId);
    if (!isBoundedCents(input.amountCents) || input.amountCents <= 0)
      throw new LedgerError('amount', input.amountCents > 0 ? AMOUNT_TOO_LARGE : 'Enter an amount above zero.');
    if (input.amountCents > credit.remaining_cents) {
      throw new LedgerError('amount', `At most ${formatCents(credit.remaining_cents)} remains on this credit.`);
    }
    const [{ id }] = await trx('refunds')
      .insert({
        credit_id: credit.id,
        amount_cents: input.amountCents,
        reason: input.reason,
        idempotency_key: input.idempotencyKey,
        created_by: actor.userId,
        created_at: nowIso(),
      })
      .returning('id');
    await reduceRemaining(trx, credit.id, input.amountCents);
    await auditCreated(
      trx,
      { table: 'refunds', id, customerId: input.customerId, actor },
      {
        credit_id: credit.id,
        amount_cents: input.amountCents,
        reason: input.reason,
      },
    );
    return true;
  });
}
