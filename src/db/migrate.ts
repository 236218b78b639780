import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { Db } from './index.ts';

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

type Migration = { up(db: Knex): Promise<void>; down(db: Knex): Promise<void> };

/** Knex migrations read from migrations/ (timestamp-named .ts files), loaded through our own module loader. */
export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(migrationsDir)
      .filter((f) => /^\d{8,}.*\.ts$/.test(f))
      .sort();
  },
  getMigrationName(name) {
    return name.replace(/\.ts$/, '');
  },
  async getMigration(name) {
    return (await import(pathToFileURL(join(migrationsDir, name)).href)) as Migration;
  },
};

export async function migrateToLatest(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export async function rollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
