import { ConfigError, loadConfig, type Config } from './config.ts';
import { buildApp } from './app.ts';
import { createDb } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import { Cron } from 'croner';
import { seedDemoIfEmpty } from '../seeds/demo/index.ts';
import { deleteExpiredSessions } from './plugins/session-store.ts';
import { SandboxGateway } from './features/payments/gateway.ts';
import { runPaymentJobs, settleLeftovers } from './features/payments/charging.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const db = createDb(config.database);
await migrateToLatest(db);
if (await seedDemoIfEmpty(db)) console.log('Loaded the demo data (sign in as admin@example.com / demo-password).');

const gateway = new SandboxGateway();
const app = await buildApp({ config, db, gateway });
// Payments a previous run left pending (crash, gateway time-out) are finished before serving.
if (config.runJobs) await settleLeftovers(db, gateway, new Date());

// Scheduled housekeeping; features add their jobs here. JOBS=off runs a web-only process.
const jobs = config.runJobs
  ? [
      new Cron('*/15 * * * *', { protect: true }, async () => void (await deleteExpiredSessions(db))),
      // Due scheduled payments and leftovers; safe with several processes (claims are made in the database).
      new Cron('*/5 * * * *', { protect: true }, async () => await runPaymentJobs(db, gateway)),
    ]
  : [];

async function shutdown(signal: string) {
  app.log.info({ signal }, 'shutting down');
  for (const job of jobs) job.stop();
  await app.close();
  await db.destroy();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.port, host: config.host });
