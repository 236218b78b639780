import type { Principal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { keysetPage } from '../../lib/keyset.ts';
import { fileColumns } from './generation.ts';
import { type Period, periodLabel, shiftPeriod } from './periods.ts';
import { linesAddedAfter, listFiles } from './queries.ts';
import { type Validation, validatePeriod } from './validation.ts';

const FILES_PER_PAGE = 20;

/**
 * What the External Billing File page shows for a period: the validation (passed in when a refused
 * request already made it, else made by `validate`), the period's files, and for a final period how many
 * charges came too late.
 */
export async function billingFilePage(
  db: Queryable,
  principal: Principal,
  query: { period: Period; before?: number },
  validation?: Validation,
  validate: (period: Period) => Promise<Validation> = (period) => validatePeriod(db, principal, period),
) {
  const { period } = query;
  const files = keysetPage(
    await listFiles(db, { period, before: query.before, limit: FILES_PER_PAGE + 1 }),
    FILES_PER_PAGE,
  );
  const final = (await listFiles(db, { period, limit: 1, status: 'final' }))[0] ?? null;
  return {
    title: 'External Billing File',
    period,
    periodLabel: periodLabel(period),
    nextPeriod: shiftPeriod(period, 1),
    nextPeriodLabel: periodLabel(shiftPeriod(period, 1)),
    final,
    lateLines: final ? await linesAddedAfter(db, period, final.through_line_id) : 0,
    validation: final ? null : (validation ?? (await validate(period))),
    files,
    columns: fileColumns,
  };
}

/** Every period's files, newest first (A7 history). */
export async function fileHistory(db: Queryable, query: { before?: number }) {
  return {
    title: 'Billing file history',
    files: keysetPage(await listFiles(db, { before: query.before, limit: FILES_PER_PAGE + 1 }), FILES_PER_PAGE),
  };
}
