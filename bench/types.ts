import type { Knex } from 'knex';

/** What a scenario file gets to pick its URLs: the large database (read-only use, please). */
export type BenchContext = { db: Knex };

export type Scenario = {
  /** Shown in the report, e.g. "customer search". */
  name: string;
  /** Signed in as this demo user (admin@example.com …); omitted = anonymous. */
  as?: string;
  method?: 'GET' | 'POST';
  /** One path, or several that are cycled through (e.g. different search terms). */
  paths: string[];
  /** The figure the issue asks for, e.g. { medianMs: 30 }; the report says whether it was met. */
  target?: { medianMs: number };
};

/**
 * A file in bench/scenarios/ exports `default async function (ctx): Promise<Scenario[]>`.
 */
export type ScenarioFile = { default: (ctx: BenchContext) => Promise<Scenario[]> };
