import t from 'tap';

/**
 * For the suite's longest files (in CI on a 2-core machine beside the others: the crash test about 50–70 s,
 * the fuzz test about 210 s on SQLite): up to `ms` instead of the suite's 120 s per file, so a machine half
 * as fast does not fail them.
 * tap's runner is told through the root test's timeout; `--timeout=0` (npm run fuzz, npm run crash-test)
 * keeps no limit.
 */
export function allowLongFile(ms = 600_000): void {
  if (process.env.TAP_TIMEOUT !== '0') t.setTimeout(ms);
}
