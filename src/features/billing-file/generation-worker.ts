import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../../db/index.ts';
import { generateFile } from './generation.ts';
import type { GenerationJob } from './generation-thread.ts';

// The worker thread's side of generateInWorker: its own database handle, one file, then exit.
const job = workerData as GenerationJob;
const db = createDb(job.database);
try {
  parentPort?.postMessage({ outcome: await generateFile(db, job.principal, job.period, job.actor) });
} catch (error) {
  const { statusCode, message } = error as { statusCode?: number; message?: string };
  parentPort?.postMessage({ failure: { statusCode, message: message ?? String(error) } });
} finally {
  await db.destroy();
}
