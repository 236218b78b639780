import { seedDemoIfEmpty } from '../seeds/demo/index.ts';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { whileLocked } from './db/dialect.ts';
import { createDb } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import { type JobHandlers, type RecurringJob, startJobLoop } from './jobs/queue.ts';
import { closeOffLoop } from './lib/off-loop.ts';
import { decoyHash } from './lib/password.ts';

/**
 * One app process: migrate, serve, and (unless JOBS=off) run the due-jobs loop; closes gracefully on
 * SIGTERM/SIGINT. Any number of these may run against one PostgreSQL database.
 */
export async function serve(
  config: Config,
  jobs: { handlers: JobHandlers; recurring: readonly RecurringJob[] },
): Promise<void> {
  const db = createDb(config.database, { servesPages: true });
  // Processes started together (a deploy) must not migrate or seed the same database at once.
  const seeded = await whileLocked(db, 'ledgerdesk:start-up', async () => {
    await migrateToLatest(db);
    return seedDemoIfEmpty(db);
  });
  if (seeded) console.log('Loaded the demo data (sign in as admin@example.com / demo-password).');

  const app = await buildApp({ config, db });
  const jobLoop = config.runJobs
    ? startJobLoop(db, jobs.handlers, { recurring: jobs.recurring, intervalMs: config.jobsPollMs, log: app.log })
    : undefined;

  async function shutdown(signal: string) {
    app.log.info({ signal }, 'shutting down');
    await jobLoop?.stop();
    await app.close();
    await closeOffLoop();
    await db.destroy();
    process.exit(0);
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  // Made now, so the first sign-in with an unknown e-mail takes as long as any other.
  await decoyHash();
}
