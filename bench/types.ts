import type { Knex } from 'knex';

/** What a scenario file gets to pick its URLs: the benchmark database (a scratch copy; read it, do not write). */
export type BenchContext = { db: Knex };

export type Method = 'GET' | 'POST' | 'PUT';

/**
 * One step of a flow: `{name}` in its path, body or headers is what an earlier step captured as `name`; a
 * capture is a pattern whose first group is taken from the response's Set-Cookie header or its body.
 */
export type FlowStep = {
  method: Method;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  capture?: Record<string, { from: 'set-cookie' | 'body'; pattern: string }>;
};

export type Scenario = {
  /** Shown in the report, e.g. "customer search". */
  name: string;
  /** Signed in as this demo user (admin@example.com …); omitted = anonymous. An unsafe method carries its CSRF token. */
  as?: string;
  method?: Method;
  /** One path, or several that are cycled through (e.g. different search terms). */
  paths: string[];
  /**
   * Form bodies, sent with the path at the same position. `{uuid}` becomes a fresh UUID per request (an
   * idempotency key); `{visit+K}` how many times this entry was sent before, plus K (a row's version).
   */
  bodies?: string[];
  /** Sent as htmx sends it (`HX-Request: true`): the fragment, not the page. */
  htmx?: boolean;
  /** Instead of `paths`: requests each connection runs in turn, e.g. the sign-in form, then its POST. */
  flow?: FlowStep[];
  /** The status that means "done" (default: any 2xx); a form POST answers 303. */
  okStatus?: number;
  /** Also run at the probe's connection count (--probe-connections), counting time-outs. */
  probe?: boolean;
  /** How many rows this scenario's writes left, checked against the requests answered as done and sent. */
  recorded?: (db: Knex) => Promise<number>;
  /** The median the issue asked for at one connection (`--connections 1`); the report says whether it was met. */
  target?: { medianMs: number };
};

/**
 * A file in bench/scenarios/ exports `default async function (ctx): Promise<Scenario[]>`.
 */
export type ScenarioFile = { default: (ctx: BenchContext) => Promise<Scenario[]> };
