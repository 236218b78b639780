import type { Actor, StaffPrincipal } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import { createDb } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { type GenerateOutcome, generateFile } from './generation.ts';
import type { Period } from './periods.ts';

export type GenerationJob = {
  database: Config['database'];
  principal: StaffPrincipal;
  period: Period;
  actor: Actor;
};

/**
 * generateFile on a worker thread (generateInWorker) with a database handle of its own: a million lines of CSV
 * work and writes would otherwise hold the event loop for seconds in slices, and every page with it (F5).
 */
export default offLoopTask(async (job: GenerationJob) => {
  const db = createDb(job.database);
  try {
    return await generateFile(db, job.principal, job.period, job.actor);
  } finally {
    await db.destroy();
  }
});

/** Generates the file on a worker thread; pages are served meanwhile. */
export function generateInWorker(job: GenerationJob): Promise<GenerateOutcome> {
  return runOffLoop(new URL(import.meta.url), job);
}
