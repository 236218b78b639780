import type { NewInvoiceLine } from '../ledger/invoices.ts';
import { type BillableService, type Charge, type ChargeKind, centsByKind, serviceCharges } from './charges.ts';
import { type Accrual, accruals, type CommissionPlan, type Payees } from './commissions/accrual.ts';
import type { BillingPeriod } from './periods.ts';
import {
  type Exemption,
  type Jurisdiction,
  type TaxLine,
  type TaxRate,
  taxLines,
  validExemption,
} from './taxes/tax.ts';

export type BillProblem = {
  kind: 'no-bill-to' | 'no-price' | 'unrated-calls';
  message: string;
  fixHref: string;
  fixLabel: string;
};

export type CustomerToBill = {
  id: number;
  name: string;
  accountNumber: string;
  billTo: Jurisdiction | null;
  payees: Payees;
  exemptions: Exemption[];
  services: BillableService[];
};

export type RunRules = { taxRates: TaxRate[]; plans: CommissionPlan[] };

export type Bill = {
  customerId: number;
  charges: Charge[];
  byKind: Record<ChargeKind, number>;
  taxes: TaxLine[];
  exemption: Exemption | undefined;
  lines: NewInvoiceLine[];
  totalCents: number;
  accruals: Accrual[];
  problems: BillProblem[];
};

/** What stops a customer's invoice (F1): each with the page that fixes it. */
function problemsOf(customer: CustomerToBill): BillProblem[] {
  const problems: BillProblem[] = [];
  if (!customer.billTo) {
    problems.push({
      kind: 'no-bill-to',
      message: `${customer.name} has no Bill To location, so its taxes cannot be worked out.`,
      fixHref: `/customers/${customer.id}/locations`,
      fixLabel: 'Add a Bill To location',
    });
  }
  for (const service of customer.services) {
    if (!service.priced) {
      problems.push({
        kind: 'no-price',
        message: `${service.name} (service ${service.id}) has no price on its price list.`,
        fixHref: `/admin/price-lists/${service.priceListId}`,
        fixLabel: 'Price it on the price list',
      });
    }
    if (service.unratedCalls > 0) {
      problems.push({
        kind: 'unrated-calls',
        message: `${service.unratedCalls} call${service.unratedCalls === 1 ? '' : 's'} of ${service.name} to ${service.unratedDestination} had no usage rate.`,
        fixHref: `/usage/rates?price_list=${service.priceListId}&prefix=${service.unratedDestination ?? ''}`,
        fixLabel: 'Add a usage rate',
      });
    }
  }
  return problems;
}

/**
 * One customer's invoice for a period: a line per charge, then a line per tax; the total is the sum of
 * the lines' cents (each line rounded once, half up, where it was worked out; never rounded again).
 */
export function composeBill(customer: CustomerToBill, period: BillingPeriod, rules: RunRules): Bill {
  const charges = customer.services.flatMap((service) => serviceCharges(service, period));
  const byKind = centsByKind(charges);
  const exemption = validExemption(customer.exemptions, period.end);
  const taxes = customer.billTo ? taxLines(rules.taxRates, customer.billTo, byKind, exemption) : [];
  const lines: NewInvoiceLine[] = [
    ...charges.map((c) => ({ description: c.description, quantity: 1, unitCents: c.cents })),
    ...taxes.map((t) => ({ description: t.description, quantity: 1, unitCents: t.cents })),
  ];
  return {
    customerId: customer.id,
    charges,
    byKind,
    taxes,
    exemption,
    lines,
    totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitCents, 0),
    accruals: accruals(rules.plans, byKind, customer.payees),
    problems: problemsOf(customer),
  };
}
