import { type Queryable, sqlConstant } from '../../db/index.ts';
import { addDays, formatDate } from '../../lib/dates.ts';
import { creditNumberFor } from '../ledger/credits.ts';
import { transactionNumberFor } from '../ledger/payments.ts';

/**
 * The account statement (E3): opening balance, the period's invoices, payments, credit memos and refunds,
 * closing balance, and the ageing of what is open. Account basis: what the customer owes net of credits,
 * which is the ledger's Total Balance less the credits on account, to the cent (a test proves it).
 */

export type StatementPeriod = { from: string; to: string };

export type StatementLine = {
  date: string;
  kind: 'invoice' | 'payment' | 'credit' | 'refund';
  reference: string;
  description: string;
  /** Positive raises what the customer owes (an invoice, a refund); negative lowers it. */
  amount_cents: number;
  balance_cents: number;
};

export type Ageing = { current: number; days1to30: number; days31to60: number; days61to90: number; over90: number };

export type Statement = StatementPeriod & {
  opening_cents: number;
  lines: StatementLine[];
  invoiced_cents: number;
  paid_cents: number;
  credited_cents: number;
  refunded_cents: number;
  closing_cents: number;
  ageing: Ageing;
  ageing_total_cents: number;
};

/** A statement covers at most a year and lists at most this many movements (a busy account prints on a few pages). */
export const STATEMENT_MAX_LINES = 2000;

const sum = (query: Queryable, table: string) => query(table).sum({ cents: 'amount_cents' });

/** What the account owed at the end of `day`: invoices − settled payments − credit memos + refunds up to then. */
async function balanceAt(db: Queryable, customerId: number, day: string): Promise<number> {
  const end = `${day}T99`;
  const [invoiced, paid, credited, refunded] = await Promise.all([
    db('invoices')
      .where({ customer_id: customerId })
      .where('issued_on', '<=', day)
      .sum({ cents: 'total_cents' })
      .first(),
    sum(db, 'payments').where({ customer_id: customerId, status: 'settled' }).where('paid_on', '<=', day).first(),
    sum(db, 'credits').where({ customer_id: customerId, kind: 'memo' }).where('created_at', '<', end).first(),
    db('refunds as r')
      .join('credits as c', 'c.id', 'r.credit_id')
      .where('c.customer_id', customerId)
      .where('r.created_at', '<', end)
      .sum({ cents: 'r.amount_cents' })
      .first(),
  ]);
  return (
    Number(invoiced?.cents ?? 0) -
    Number(paid?.cents ?? 0) -
    Number(credited?.cents ?? 0) +
    Number(refunded?.cents ?? 0)
  );
}

async function movements(db: Queryable, customerId: number, { from, to }: StatementPeriod) {
  const endOfTo = `${to}T99`;
  const [invoices, payments, credits, refunds] = await Promise.all([
    db('invoices')
      .where({ customer_id: customerId })
      .whereBetween('issued_on', [from, to])
      .orderBy(['issued_on', 'id'])
      .limit(STATEMENT_MAX_LINES)
      .select('id', 'number', 'issued_on', 'due_on', 'total_cents'),
    db('payments')
      .where({ customer_id: customerId, status: 'settled' })
      .whereBetween('paid_on', [from, to])
      .orderBy(['paid_on', 'id'])
      .limit(STATEMENT_MAX_LINES)
      .select('id', 'paid_on', 'method', 'reference', 'amount_cents'),
    db('credits')
      .where({ customer_id: customerId, kind: 'memo' })
      .where('created_at', '>=', from)
      .where('created_at', '<', endOfTo)
      .orderBy('id')
      .limit(STATEMENT_MAX_LINES)
      .select('id', 'created_at', 'reason', 'amount_cents'),
    db('refunds as r')
      .join('credits as c', 'c.id', 'r.credit_id')
      .where('c.customer_id', customerId)
      .where('r.created_at', '>=', from)
      .where('r.created_at', '<', endOfTo)
      .orderBy('r.id')
      .limit(STATEMENT_MAX_LINES)
      .select('r.id', 'r.credit_id', 'r.created_at', 'r.amount_cents'),
  ]);
  const lines: Omit<StatementLine, 'balance_cents'>[] = [
    ...invoices.map((i) => ({
      date: i.issued_on,
      kind: 'invoice' as const,
      reference: i.number,
      description: `Invoice, due ${formatDate(i.due_on)}`,
      amount_cents: Number(i.total_cents),
    })),
    ...payments.map((p) => ({
      date: p.paid_on,
      kind: 'payment' as const,
      reference: transactionNumberFor(p.id),
      description: p.method === 'check' ? `Payment by check ${p.reference ?? ''}`.trim() : `Payment (${p.method})`,
      amount_cents: -Number(p.amount_cents),
    })),
    ...credits.map((c) => ({
      date: String(c.created_at).slice(0, 10),
      kind: 'credit' as const,
      reference: creditNumberFor(c.id),
      description: c.reason ? `Credit memo: ${c.reason}` : 'Credit memo',
      amount_cents: -Number(c.amount_cents),
    })),
    ...refunds.map((r) => ({
      date: String(r.created_at).slice(0, 10),
      kind: 'refund' as const,
      reference: creditNumberFor(r.credit_id),
      description: 'Refund of a credit',
      amount_cents: Number(r.amount_cents),
    })),
  ];
  // Same day: charges before what settles them, so the running balance reads naturally.
  const order = { invoice: 0, refund: 1, payment: 2, credit: 3 };
  return lines
    .sort((a, b) => a.date.localeCompare(b.date) || order[a.kind] - order[b.kind])
    .slice(0, STATEMENT_MAX_LINES);
}

/**
 * What was open on each invoice at the end of `asOf`: its total less the settled payments dated up to
 * then and the credits applied up to then. Today's open balances would age a past period with payments
 * made after it ended.
 */
function openAt(db: Queryable, customerId: number, asOf: string) {
  const paid = db('payment_applications as pa')
    .join('payments as p', 'p.id', 'pa.payment_id')
    .where({ 'p.customer_id': customerId, 'p.status': 'settled' })
    .where('p.paid_on', '<=', asOf)
    .groupBy('pa.invoice_id')
    .select('pa.invoice_id', db.raw('sum(pa.amount_cents) as cents'))
    .as('paid');
  const credited = db('credit_applications as ca')
    .join('credits as c', 'c.id', 'ca.credit_id')
    .where('c.customer_id', customerId)
    .where('ca.created_at', '<', `${asOf}T99`)
    .groupBy('ca.invoice_id')
    .select('ca.invoice_id', db.raw('sum(ca.amount_cents) as cents'))
    .as('credited');
  return db('invoices as i')
    .leftJoin(paid, 'paid.invoice_id', 'i.id')
    .leftJoin(credited, 'credited.invoice_id', 'i.id')
    .where('i.customer_id', customerId)
    .where('i.issued_on', '<=', asOf)
    .select('i.due_on', db.raw('i.total_cents - coalesce(paid.cents, 0) - coalesce(credited.cents, 0) as open_cents'))
    .as('o');
}

/** Ageing of what was open at the end of `asOf` by days past due then (E3): the buckets add up to Total Balance on that day. */
async function ageingAt(db: Queryable, customerId: number, asOf: string): Promise<Ageing> {
  const bucket = (fromDaysLate: number, toDaysLate: number | null) => {
    const dueOnOrBefore = addDays(asOf, -fromDaysLate);
    return toDaysLate === null
      ? db.raw('coalesce(sum(case when due_on <= ? then open_cents else 0 end), 0)', [dueOnOrBefore])
      : db.raw('coalesce(sum(case when due_on <= ? and due_on > ? then open_cents else 0 end), 0)', [
          dueOnOrBefore,
          addDays(asOf, -toDaysLate - 1),
        ]);
  };
  const row = await db
    .from(openAt(db, customerId, asOf))
    .where('open_cents', '>', sqlConstant(db, 0))
    .first({
      current: db.raw('coalesce(sum(case when due_on >= ? then open_cents else 0 end), 0)', [asOf]),
      days1to30: bucket(1, 30),
      days31to60: bucket(31, 60),
      days61to90: bucket(61, 90),
      over90: bucket(91, null),
    });
  return {
    current: Number(row?.current ?? 0),
    days1to30: Number(row?.days1to30 ?? 0),
    days31to60: Number(row?.days31to60 ?? 0),
    days61to90: Number(row?.days61to90 ?? 0),
    over90: Number(row?.over90 ?? 0),
  };
}

/** The statement of one customer for a period (at most a year, ending today at the latest). */
export async function accountStatement(db: Queryable, customerId: number, period: StatementPeriod): Promise<Statement> {
  const [opening, lines, ageing] = await Promise.all([
    balanceAt(db, customerId, addDays(period.from, -1)),
    movements(db, customerId, period),
    ageingAt(db, customerId, period.to),
  ]);
  let running = opening;
  const withBalance = lines.map((line) => {
    running += line.amount_cents;
    return { ...line, balance_cents: running };
  });
  const total = (kind: StatementLine['kind']) =>
    lines.filter((l) => l.kind === kind).reduce((s, l) => s + Math.abs(l.amount_cents), 0);
  return {
    ...period,
    opening_cents: opening,
    lines: withBalance,
    invoiced_cents: total('invoice'),
    paid_cents: total('payment'),
    credited_cents: total('credit'),
    refunded_cents: total('refund'),
    closing_cents: running,
    ageing,
    ageing_total_cents: Object.values(ageing).reduce((s, v) => s + v, 0),
  };
}
