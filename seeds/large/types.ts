import type { Knex } from 'knex';

export type LargeSeedOptions = {
  customers: number;
  /** Deterministic random numbers in [0, 1): the same options give the same database. */
  random: () => number;
};

/**
 * A file in seeds/large/ (NN-name.ts, run in name order) exports
 * `generate(db, options): Promise<void>` and inserts its rows in large batches inside transactions.
 */
export type LargeSeedFile = { generate: (db: Knex, options: LargeSeedOptions) => Promise<void> };
