import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import t from 'tap';
import { backupSqlite, integrityOf, restoreSqlite } from '../../src/db/backup.ts';
import { buildTestApp, demoUsers, signIn, testDatabaseUrl } from '../helpers/app.ts';
import { customerId } from '../helpers/customers.ts';

const run = promisify(execFile);
const notesIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  const { n } = db.prepare('select count(*) as n from notes').get() as { n: number };
  db.close();
  return n;
};

// SQLite only: PostgreSQL is backed up with pg_dump (README).
t.test(
  'npm run backup copies SQLite online while the app writes; npm run restore puts it back',
  { skip: Boolean(testDatabaseUrl) },
  async (t) => {
    const { app, db, config, dir } = await buildTestApp(t);
    if (config.database.kind !== 'sqlite') throw new Error('expected SQLite');
    const live = config.database.file;
    const agent = await signIn(app, demoUsers.admin);
    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const note = (i: number) => agent.post(`/customers/${acme}/notes`, { body: `Note ${i}` });
    for (let i = 0; i < 20; i++) await note(i);
    const before = Number((await db('notes').count({ n: '*' }).first())?.n);

    // The backup runs while the app keeps taking notes.
    let writing = true;
    let written = 0;
    const load = (async () => {
      while (writing) if ((await note(1000 + written)).statusCode === 303) written++;
    })();
    const first = join(dir, 'during-load.sqlite');
    await backupSqlite(live, first);
    writing = false;
    await load;
    t.equal(integrityOf(first), 'ok');
    t.ok(notesIn(first) >= before, 'everything committed before the backup began is in it');
    t.ok(written > 0, `the app answered ${written} writes meanwhile`);

    const env = { ...process.env, DB_FILE: live, LOG_LEVEL: 'silent' };
    const second = join(dir, 'by-script.sqlite');
    const backup = await run('node', ['--import', 'tsx', 'scripts/backup.ts', second], { env });
    t.match(backup.stdout, /integrity check ok/);
    await t.rejects(
      run('node', ['--import', 'tsx', 'scripts/backup.ts', second], { env }),
      'an existing file is refused',
    );
    const atBackup = notesIn(second);

    await note(9999);
    await app.close();
    await db.destroy();
    const restore = await run('node', ['--import', 'tsx', 'scripts/restore.ts', second], { env });
    t.match(restore.stdout, /Restored/);
    t.equal(notesIn(live), atBackup, 'the database is as it was at the backup');
    t.equal(integrityOf(live), 'ok');
    t.equal(notesIn(`${live}.before-restore`), atBackup + 1, 'the replaced database is kept');

    await t.rejects(restoreSqlite(join(dir, 'missing.sqlite'), live), 'a missing backup is refused');
  },
);
