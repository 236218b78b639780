import type { Queryable } from '../../../db/index.ts';
import { addDays } from '../../../lib/dates.ts';
import { formatCents, parseCents } from '../../../lib/money.ts';
import { monthGrid } from '../calendar.ts';
import type { InvoiceRow } from '../invoices.ts';
import { invoiceSummary } from '../page-data.ts';
import { activePaymentMethods } from '../payment-methods.ts';
import { scheduledByDay, scheduledOn } from '../queries.ts';
import { planForCustomers } from './cycle.ts';
import {
  type AutopayDecision,
  type AutopayInvoice,
  type Condition,
  conditionProblem,
  decideInvoice,
  matchingConfigurations,
  methodUsable,
  operatorLabels,
  planAutopay,
  skipReasonTexts,
  triggerLabels,
} from './engine.ts';
import {
  autopayInvoicesFor,
  type ConfigurationView,
  configurationsOf,
  knownLineItems,
  openAutopayInvoices,
} from './queries.ts';

/**
 * What the Autopay pages show, built here in the ledger so that the staff page and the portal's page
 * (E14) show the same thing: configurations in words, the dry run (F2), the Invoice Summary's Autopay
 * flags (E6) and the Payments Calendar forecast (E9), all from the one engine.
 */

export type ConfigurationSummary = ConfigurationView & {
  description: string;
  /** Why the engine cannot use it (an invalid row, an expired method), or null. */
  problem: string | null;
};

function describeValue(condition: Condition, value: string): string {
  if (condition.trigger === 'amount') {
    const cents = parseCents(value);
    return cents === null ? value : formatCents(cents);
  }
  return condition.trigger === 'age' ? value : `“${value}”`;
}

/** "Dollar Amount greater than $250.00 and Invoice Age (days) at least 15". */
export function describeConditions(conditions: readonly Condition[]): string {
  return conditions
    .map(
      (c) =>
        `${triggerLabels[c.trigger]} ${operatorLabels[c.operator]} ${c.values.map((v) => describeValue(c, v)).join(', ')}`,
    )
    .join(' and ');
}

function summarise(c: ConfigurationView, today: string): ConfigurationSummary {
  const rowProblem = c.conditions.map((row) => conditionProblem(row)).find(Boolean) ?? null;
  const methodProblem = methodUsable(c.method, today) ? null : 'Its payment method has expired or was removed.';
  return { ...c, description: describeConditions(c.conditions), problem: rowProblem ?? methodProblem };
}

/** The Autopay page of one customer: configurations in precedence order and the dry run of `date`'s cycle. */
export async function autopayOverview(db: Queryable, customerId: number, today: string, date = today) {
  const [configurations, decisions, methods, lineItems] = await Promise.all([
    configurationsOf(db, [customerId]),
    planForCustomers(db, [customerId], date),
    activePaymentMethods(db, customerId),
    knownLineItems(db, customerId),
  ]);
  return {
    configurations: configurations.map((c) => summarise(c, today)),
    dryRun: { date, pays: decisions.filter(isPay), skips: decisions.filter((d) => d.action === 'skip') },
    methods,
    lineItems,
  };
}

function isPay(d: AutopayDecision): d is Extract<AutopayDecision, { action: 'pay' }> {
  return d.action === 'pay';
}

/** An invoice's Autopay flags (E6): the configurations that hold for it and what the next cycle does. */
export async function invoiceAutopay(db: Queryable, invoice: InvoiceRow, today: string) {
  const [configurations, [engineInvoice]] = await Promise.all([
    configurationsOf(db, [invoice.customer_id]),
    autopayInvoicesFor(db, [invoice], today),
  ]);
  return {
    matching: matchingConfigurations(engineInvoice, configurations, today).map((c) => summarise(c, today)),
    decision: decideInvoice(engineInvoice, configurations, today),
  };
}

export type ForecastDay = { count: number; cents: number; pays: Extract<AutopayDecision, { action: 'pay' }>[] };

/**
 * The Autopay forecast for the Payments Calendar (E9): the engine run for each day from today to `to`
 * on the invoices open now, each invoice counted on the first day a cycle would pay it. Invoices that
 * do not exist yet cannot be forecast.
 */
export async function autopayForecast(
  db: Queryable,
  customerId: number,
  today: string,
  to: string,
): Promise<Map<string, ForecastDay>> {
  const [configurations, open] = await Promise.all([
    configurationsOf(db, [customerId]),
    openAutopayInvoices(db, [customerId], today),
  ]);
  const days = new Map<string, ForecastDay>();
  let waiting: AutopayInvoice[] = open;
  for (let day = today; day <= to && waiting.length; day = addDays(day, 1)) {
    const decisions = planAutopay({ invoices: waiting, configurations, today: day });
    const pays = decisions.filter(isPay);
    if (pays.length) days.set(day, { count: pays.length, cents: pays.reduce((s, p) => s + p.amountCents, 0), pays });
    const paid = new Set(pays.map((p) => p.invoice.id));
    // Only today's cycle can have tried an invoice already; later cycles will try it afresh.
    waiting = waiting.filter((i) => !paid.has(i.id)).map((i) => ({ ...i, triedThisCycle: false }));
  }
  return days;
}

/** The *Invoice Summary* (E6) with its Autopay flags, as staff and the portal show it. */
export async function invoiceSummaryWithAutopay(db: Queryable, customerId: number, invoiceId: number, today: string) {
  const summary = await invoiceSummary(db, customerId, invoiceId);
  return { ...summary, autopay: await invoiceAutopay(db, summary.invoice, today), skipReasonTexts };
}

/**
 * The *Payments Calendar* (E9) of a month, as staff and the portal show it: scheduled payments per day,
 * the breakdown of a chosen day, and the Autopay cycles to come from the same engine as the cycle (F2).
 */
export async function paymentsCalendar(
  db: Queryable,
  customerId: number,
  today: string,
  query: { month?: string; day?: string },
) {
  const month = query.month ?? query.day?.slice(0, 7) ?? today.slice(0, 7);
  const grid = monthGrid(month);
  const [days, breakdown, forecast] = await Promise.all([
    scheduledByDay(db, customerId, grid.first, grid.last),
    query.day ? scheduledOn(db, customerId, query.day) : null,
    autopayForecast(db, customerId, today, grid.last),
  ]);
  return { month, grid, days, forecast, day: query.day ?? null, breakdown };
}
