import type { Actor, StaffPrincipal } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import { createDb } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { type FinalOutcome, type GenerateOutcome, generateFile, markFinal } from './generation.ts';
import type { Period } from './periods.ts';
import { type Validation, validatePeriod } from './validation.ts';

type OnDatabase = { database: Config['database']; principal: StaffPrincipal };
type Task =
  | (OnDatabase & { kind: 'validate'; period: Period })
  | (OnDatabase & { kind: 'generate'; period: Period; actor: Actor })
  | (OnDatabase & { kind: 'final'; fileId: number; actor: Actor });

/**
 * The billing file's long work on the off-loop pool, each with a database handle of its own: validating
 * 100,000 customers, or writing a million lines of CSV, would otherwise hold the event loop for seconds
 * in slices, and every page with it (F5).
 */
export default offLoopTask(async (task: Task) => {
  const db = createDb(task.database);
  try {
    if (task.kind === 'validate') return await validatePeriod(db, task.principal, task.period);
    if (task.kind === 'generate') return await generateFile(db, task.principal, task.period, task.actor);
    return await markFinal(db, task.principal, task.fileId, task.actor);
  } finally {
    await db.destroy();
  }
});

const here = new URL(import.meta.url);

/** Validates a period (A7, F1) on a worker thread; pages are served meanwhile. */
export function validateInWorker(task: Omit<Extract<Task, { kind: 'validate' }>, 'kind'>): Promise<Validation> {
  return runOffLoop(here, { ...task, kind: 'validate' });
}

/** Generates the file on a worker thread; pages are served meanwhile. */
export function generateInWorker(task: Omit<Extract<Task, { kind: 'generate' }>, 'kind'>): Promise<GenerateOutcome> {
  return runOffLoop(here, { ...task, kind: 'generate' });
}

/** *Mark final*, which validates the period again, on a worker thread. */
export function markFinalInWorker(task: Omit<Extract<Task, { kind: 'final' }>, 'kind'>): Promise<FinalOutcome> {
  return runOffLoop(here, { ...task, kind: 'final' });
}
