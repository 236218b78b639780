import t from 'tap';

/**
 * For the suite's longest files (the crash and fuzz tests, about 90 s each in CI on a 2-core machine beside
 * the others): up to `ms` instead of the suite's 120 s per file, so a slower machine does not fail them.
 * tap's runner is told through the root test's timeout; `--timeout=0` (npm run fuzz, npm run crash-test)
 * keeps no limit.
 */
export function allowLongFile(ms = 300_000): void {
  if (process.env.TAP_TIMEOUT !== '0') t.setTimeout(ms);
}
