import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

const db = createDb(loadConfig().database);
await migrateToLatest(db);
console.log('Database is up to date.');
await db.destroy();
