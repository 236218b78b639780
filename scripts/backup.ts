import { loadConfig } from '../src/config.ts';
import { backupSqlite } from '../src/db/backup.ts';

const file = process.argv[2];
const { database } = loadConfig();
if (!file) {
  console.error('Usage: npm run backup -- FILE   (a new file for the copy)');
  process.exit(2);
}
if (database.kind === 'postgres') {
  console.error('This installation is on PostgreSQL: back it up with pg_dump (see README, "Backups").');
  process.exit(2);
}
await backupSqlite(database.file, file);
console.log(`Backed up ${database.file} to ${file}; integrity check ok.`);
