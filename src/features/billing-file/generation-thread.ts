import { Worker } from 'node:worker_threads';
import type { Actor, StaffPrincipal } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import { HttpError } from '../../lib/http-error.ts';
import type { GenerateOutcome } from './generation.ts';
import type { Period } from './periods.ts';

export type GenerationJob = {
  database: Config['database'];
  principal: StaffPrincipal;
  period: Period;
  actor: Actor;
};

type WorkerAnswer = { outcome: GenerateOutcome } | { failure: { statusCode?: number; message: string } };

// A worker thread does not inherit the tsx loader of `node --import tsx`: it registers it, then loads the
// TypeScript entry.
const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => {
  tsx.register();
  return import(${JSON.stringify(new URL('./generation-worker.ts', import.meta.url).href)});
});`;

/**
 * Runs generateFile in a worker thread with a database handle of its own: a million lines of CSV work
 * and writes would otherwise hold the event loop for seconds in slices, and every page with it (F5).
 */
export function generateInWorker(job: GenerationJob): Promise<GenerateOutcome> {
  return new Promise((resolve, reject) => {
    // The work holds one chunk at a time: a small heap makes the collector keep it that small.
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    let answered = false;
    worker.once('message', (answer: WorkerAnswer) => {
      answered = true;
      if ('outcome' in answer) resolve(answer.outcome);
      else if (answer.failure.statusCode) reject(new HttpError(answer.failure.statusCode, answer.failure.message));
      else reject(new Error(answer.failure.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`The billing file worker stopped (exit code ${code}) without an answer.`));
    });
  });
}
