import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolation, lockForUpdate } from '../../db/dialect.ts';
import { inTransaction, type Queryable, type Tx } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { formatCents } from '../../lib/money.ts';
import { auditCreated } from '../audit/audit.ts';
import { LedgerError } from './errors.ts';
import { payableInvoices, reduceOpenBalance } from './invoices.ts';

export type DepositRow = {
  id: number;
  customer_id: number;
  payment_id: number;
  amount_cents: number;
  held_cents: number;
  reason: string | null;
  created_at: string;
};

/** Deposit numbers shown to users ("SD-0000007"). */
export function depositNumberFor(id: number): string {
  return `SD-${String(id).padStart(7, '0')}`;
}

/**
 * Records a security deposit received (D4): a settled payment (a check, with its reference) that is held,
 * not applied to any invoice. The form's key makes a second submission return the first deposit.
 */
export async function receiveDeposit(
  db: Queryable,
  input: {
    customerId: number;
    amountCents: number;
    reference: string | null;
    reason: string | null;
    today: string;
    idempotencyKey: string;
  },
  actor: Actor,
): Promise<{ deposit: DepositRow; created: boolean }> {
  const existing = await depositOfKey(db, input.customerId, input.idempotencyKey);
  if (existing) return { deposit: existing, created: false };
  try {
    return await inTransaction(db, async (trx) => {
      const now = nowIso();
      const [{ id: paymentId }] = await trx('payments')
        .insert({
          customer_id: input.customerId,
          amount_cents: input.amountCents,
          method: 'check',
          reference: input.reference,
          status: 'settled',
          source: 'manual',
          paid_on: input.today,
          idempotency_key: input.idempotencyKey,
          settled_at: now,
          created_by: actor.userId,
          created_at: now,
        })
        .returning('id');
      const values = {
        customer_id: input.customerId,
        payment_id: paymentId,
        amount_cents: input.amountCents,
        held_cents: input.amountCents,
        reason: input.reason,
        created_by: actor.userId,
        created_at: now,
      };
      const [{ id }] = await trx('security_deposits').insert(values).returning('id');
      await auditCreated(
        trx,
        { table: 'security_deposits', id, customerId: input.customerId, actor },
        {
          amount_cents: input.amountCents,
          payment_id: paymentId,
          reason: input.reason,
        },
      );
      return { deposit: { id, ...values }, created: true };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await depositOfKey(db, input.customerId, input.idempotencyKey);
    if (!winner) throw error;
    return { deposit: winner, created: false };
  }
}

async function depositOfKey(db: Queryable, customerId: number, key: string): Promise<DepositRow | undefined> {
  return db('security_deposits as d')
    .join('payments as p', 'p.id', 'd.payment_id')
    .where({ 'p.idempotency_key': key, 'd.customer_id': customerId })
    .first('d.*');
}

async function heldDeposit(trx: Tx, customerId: number, depositId: number): Promise<DepositRow> {
  const [deposit]: DepositRow[] = await lockForUpdate(
    trx,
    trx<DepositRow>('security_deposits').where({ id: depositId, customer_id: customerId }),
  );
  if (!deposit) throw new LedgerError('deposit_id', 'This deposit does not exist.');
  if (deposit.held_cents === 0) throw new LedgerError('amount', 'Nothing is held on this deposit any more.');
  return deposit;
}

type DepositMove = { customerId: number; depositId: number; amountCents: number; idempotencyKey: string };
type Entry = { kind: 'applied' | 'refunded'; invoice_id?: number; reason?: string };

/**
 * Takes an amount off what a deposit holds, once per key: the entry, what `toward` does with the money
 * (pays an invoice) and the held balance change in one transaction. False when the key was used already.
 */
async function moveHeld(
  db: Queryable,
  input: DepositMove,
  actor: Actor,
  entryFor: (trx: Tx) => Promise<Entry>,
  toward: (trx: Tx) => Promise<void> = async () => {},
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    if (await trx('security_deposit_entries').where('idempotency_key', input.idempotencyKey).first('id')) return false;
    const deposit = await heldDeposit(trx, input.customerId, input.depositId);
    if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0)
      throw new LedgerError('amount', 'Enter an amount above zero.');
    if (input.amountCents > deposit.held_cents)
      throw new LedgerError('amount', `At most ${formatCents(deposit.held_cents)} is held on this deposit.`);
    const entry = await entryFor(trx);
    try {
      await trx('security_deposit_entries').insert({
        deposit_id: deposit.id,
        ...entry,
        amount_cents: input.amountCents,
        idempotency_key: input.idempotencyKey,
        created_by: actor.userId,
        created_at: nowIso(),
      });
    } catch (error) {
      // Another submission of the same action got there first.
      if (isUniqueViolation(error)) return false;
      throw error;
    }
    await toward(trx);
    await reduceHeld(trx, deposit.id, input.amountCents);
    await auditCreated(
      trx,
      { table: 'security_deposit_entries', id: deposit.id, customerId: input.customerId, actor },
      { ...entry, amount_cents: input.amountCents },
    );
    return true;
  });
}

async function reduceHeld(trx: Tx, depositId: number, amountCents: number) {
  const count = await trx('security_deposits')
    .where('id', depositId)
    .where('held_cents', '>=', amountCents)
    .update({ held_cents: trx.raw('held_cents - ?', [amountCents]) });
  if (count !== 1) throw new Error(`deposit ${depositId} holds less than ${amountCents} cents`);
}

/**
 * Applies part of a held deposit to one of the customer's open invoices, never more than may still be
 * paid on it. Returns false when this action (its key) was already applied.
 */
export function applyDeposit(
  db: Queryable,
  input: DepositMove & { invoiceId: number },
  actor: Actor,
): Promise<boolean> {
  return moveHeld(
    db,
    input,
    actor,
    async (trx) => {
      const [invoice] = await payableInvoices(trx, input.customerId, [input.invoiceId]);
      if (!invoice) throw new LedgerError('invoice_id', 'Choose one of this customer’s open invoices.');
      if (input.amountCents > invoice.payable_cents)
        throw new LedgerError(
          'amount',
          `At most ${formatCents(invoice.payable_cents)} may still be paid on ${invoice.number}.`,
        );
      return { kind: 'applied', invoice_id: invoice.id };
    },
    (trx) => reduceOpenBalance(trx, input.invoiceId, input.amountCents),
  );
}

/** Pays part or all of what a deposit holds back to the customer; once per key. */
export function refundDeposit(db: Queryable, input: DepositMove & { reason: string }, actor: Actor): Promise<boolean> {
  return moveHeld(db, input, actor, async () => ({ kind: 'refunded', reason: input.reason }));
}

/** A customer's deposits, newest first, each with its history (bounded: deposits are few per customer). */
export async function depositsOf(db: Queryable, customerId: number) {
  const deposits: (DepositRow & { reference: string | null })[] = await db('security_deposits as d')
    .join('payments as p', 'p.id', 'd.payment_id')
    .where('d.customer_id', customerId)
    .orderBy('d.id', 'desc')
    .limit(100)
    .select('d.*', 'p.reference');
  const entries = await db('security_deposit_entries as e')
    .leftJoin('invoices as i', 'i.id', 'e.invoice_id')
    .whereIn(
      'e.deposit_id',
      deposits.map((d) => d.id),
    )
    .orderBy('e.id')
    .select('e.*', 'i.number as invoice_number');
  return deposits.map((d) => ({ ...d, entries: entries.filter((e) => e.deposit_id === d.id) }));
}
