/**
 * What the machine was doing while a benchmark ran, printed beside its figures: the load average, and the
 * event-loop delay of this process with nothing to do. On a shared 2-core machine a busy neighbour alone
 * delays an idle loop by tens of milliseconds; that floor tells the benchmark's own stalls from the machine's.
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export function loadAverage(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`;
}

/** The event-loop delay of an idle loop over `ms`, at the resolution the benchmarks use. */
export async function idleLoopDelay(ms = 3_000, resolution = 10): Promise<string> {
  const delay = monitorEventLoopDelay({ resolution });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  delay.disable();
  const f = (ns: number) => (ns / 1e6).toFixed(1);
  return `idle event loop over ${ms / 1000} s: p99 ${f(delay.percentile(99))} ms, max ${f(delay.max)} ms (${loadAverage()})`;
}
