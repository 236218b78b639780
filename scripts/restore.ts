import { loadConfig } from '../src/config.ts';
import { restoreSqlite } from '../src/db/backup.ts';

const file = process.argv[2];
const { database } = loadConfig();
if (!file) {
  console.error('Usage: npm run restore -- FILE   (stop the app first)');
  process.exit(2);
}
if (database.kind === 'postgres') {
  console.error('This installation is on PostgreSQL: restore with pg_restore (see README, "Backups").');
  process.exit(2);
}
await restoreSqlite(file, database.file);
console.log(`Restored ${database.file} from ${file}; the previous database is ${database.file}.before-restore.`);
