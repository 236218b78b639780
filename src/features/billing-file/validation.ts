import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Principal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { type EffectiveNumber, effectiveNumberOf } from '../external-numbers/external-numbers.ts';
import type { OrgKind } from '../institutions/kinds.ts';
import { type Period, shiftPeriod } from './periods.ts';
import {
  type BillingOrg,
  billingOrgs,
  chargeTotals,
  type ExternalCustomer,
  externalCustomersAfter,
  finalFiles,
  type LineRange,
  type LineSelection,
} from './queries.ts';

/**
 * The lines a period's file takes: its own, and those added late to the final periods just before it
 * (A7: "charges added later go into the next period's file"). A late line of a final period passes on
 * through every later period that is already final, to the first one that is not.
 */
export function linesOfPeriod(
  period: Period,
  finals: ReadonlyMap<Period, number>,
  throughLineId: number | null = null,
): LineSelection {
  const ranges: LineRange[] = [{ period, afterLineId: null }];
  let afterLineId = 0;
  for (let earlier = shiftPeriod(period, -1); finals.has(earlier); earlier = shiftPeriod(earlier, -1)) {
    afterLineId = Math.max(afterLineId, finals.get(earlier) ?? 0);
    ranges.push({ period: earlier, afterLineId });
  }
  return { ranges, throughLineId };
}

/**
 * Customers per database round. Validation and generation run on the off-loop pool (off-loop-tasks.ts),
 * where a longer slice holds no page back, so a round is large: two or three queries per 2,000 customers
 * instead of six per 250, and at most ~20,000 invoice lines in memory at once.
 */
export const CHUNK_SIZE = 2_000;

/** A slice of the period's external customers with everything the checks and the file need. */
export type CustomerChunk = {
  customers: ExternalCustomer[];
  effective: Map<number, EffectiveNumber | null>;
  groups: ReadonlyMap<number, BillingOrg>;
  institutions: ReadonlyMap<number, BillingOrg>;
};

const distinct = (ids: (number | null | undefined)[]) => [...new Set(ids.filter((id): id is number => id != null))];

/** Adds the institutions or groups not read yet to `known`: the same few recur in every chunk, so each is read once. */
async function readOrgs(db: Queryable, kind: OrgKind, ids: number[], known: Map<number, BillingOrg>) {
  for (const [id, org] of await billingOrgs(
    db,
    kind,
    ids.filter((id) => !known.has(id)),
  ))
    known.set(id, org);
}

/** Walks the period's external customers a chunk at a time, yielding to the event loop between chunks. */
export async function* externalCustomerChunks(
  db: Queryable,
  principal: Principal,
  lines: LineSelection,
  size = CHUNK_SIZE,
): AsyncGenerator<CustomerChunk> {
  // Bounded by the number of institutions and groups, far fewer than customers.
  const groups = new Map<number, BillingOrg>();
  const institutions = new Map<number, BillingOrg>();
  let afterId = 0;
  for (;;) {
    const customers = await externalCustomersAfter(db, principal, lines, afterId, size);
    if (customers.length === 0) return;
    afterId = customers[customers.length - 1].id;
    await readOrgs(db, 'group', distinct(customers.map((c) => c.group_id)), groups);
    const institutionIds = distinct(
      customers.map((c) => c.institution_id ?? groups.get(c.group_id ?? 0)?.institution_id),
    );
    await readOrgs(db, 'institution', institutionIds, institutions);
    const effective = new Map(customers.map((c) => [c.id, effectiveNumberOf(c, groups, institutions)]));
    yield { customers, effective, groups, institutions };
    await yieldToEventLoop();
  }
}

export type BillingErrorKind = 'missing-number' | 'possible-duplicate' | 'group-elsewhere';

/** One *billing error*: a customer, what is wrong, and the records whose fix removes it. */
export type BillingError = {
  kind: BillingErrorKind;
  customer: ExternalCustomer;
  group: BillingOrg | null;
  institution: BillingOrg | null;
  /** possible-duplicate: the record that has a same-named twin. */
  duplicate: BillingOrg | null;
  lines: number;
  cents: number;
};

export type Validation = {
  period: Period;
  /** The first errors of each kind (the page lists these); `counts` has them all. */
  errors: BillingError[];
  counts: Record<BillingErrorKind, number>;
  errorCount: number;
  customers: number;
  lines: number;
  cents: number;
};

/** How many errors of each kind are kept for the page: the counts are always complete. */
const ERRORS_SHOWN_PER_KIND = 100;

/** The errors of one customer (A7, F1): every kind that applies, not only the first. */
export function errorsOf(chunk: CustomerChunk, customer: ExternalCustomer): Omit<BillingError, 'lines' | 'cents'>[] {
  const group = customer.group_id !== null ? (chunk.groups.get(customer.group_id) ?? null) : null;
  const institutionId = customer.institution_id ?? group?.institution_id ?? null;
  const institution = institutionId !== null ? (chunk.institutions.get(institutionId) ?? null) : null;
  const base = { customer, group, institution, duplicate: null };
  const errors: Omit<BillingError, 'lines' | 'cents'>[] = [];
  if (!chunk.effective.get(customer.id)) errors.push({ ...base, kind: 'missing-number' });
  for (const org of [group, institution]) {
    if (org?.has_duplicate) errors.push({ ...base, kind: 'possible-duplicate', duplicate: org });
  }
  if (
    customer.institution_id !== null &&
    group?.institution_id != null &&
    group.institution_id !== customer.institution_id
  )
    errors.push({ ...base, kind: 'group-elsewhere' });
  return errors;
}

/** Checks every external customer with charges in the period and lists every billing error at once (F1). */
export async function validatePeriod(
  db: Queryable,
  principal: Principal,
  period: Period,
  selection?: LineSelection,
): Promise<Validation> {
  const lines = selection ?? linesOfPeriod(period, await finalFiles(db));
  const result: Validation = {
    period,
    errors: [],
    counts: { 'missing-number': 0, 'possible-duplicate': 0, 'group-elsewhere': 0 },
    errorCount: 0,
    customers: 0,
    lines: 0,
    cents: 0,
  };
  for await (const chunk of externalCustomerChunks(db, principal, lines)) {
    const totals = await chargeTotals(
      db,
      chunk.customers.map((c) => c.id),
      lines,
    );
    for (const customer of chunk.customers) {
      const charges = totals.get(customer.id) ?? { lines: 0, cents: 0 };
      result.customers += 1;
      result.lines += charges.lines;
      result.cents += charges.cents;
      for (const error of errorsOf(chunk, customer)) {
        result.counts[error.kind] += 1;
        result.errorCount += 1;
        if (result.counts[error.kind] <= ERRORS_SHOWN_PER_KIND)
          result.errors.push({ ...error, lines: charges.lines, cents: charges.cents });
      }
    }
  }
  return result;
}
