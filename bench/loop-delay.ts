/**
 * The event-loop delay of a server process under load, asked for over its IPC channel by bench/run.ts: the
 * server side keeps a `monitorEventLoopDelay` histogram; `reset` starts a scenario, `read` answers its
 * p99 and max, and the process's CPU time since the reset. Nothing of this is in the app: bench/app-server.ts starts src/server.ts behind it.
 */
import type { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The server's event-loop delay since the last reset, and the CPU time it used meanwhile (all its threads). */
export type LoopDelay = { p99Ms: number; maxMs: number; cpuMs: number };

/** In the server process: answer `reset` and `read` from the parent. */
export function answerLoopDelay(): void {
  if (!process.send) return;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let cpuAtReset = process.cpuUsage();
  process.on('message', (message) => {
    if (message === 'loop-delay:reset') {
      histogram.reset();
      cpuAtReset = process.cpuUsage();
    }
    if (message === 'loop-delay:read') {
      const cpu = process.cpuUsage(cpuAtReset);
      const answer: LoopDelay = {
        p99Ms: histogram.percentile(99) / 1e6,
        maxMs: histogram.max / 1e6,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
      process.send?.(answer);
    }
  });
}

/** In bench/run.ts: start a new measurement in the server. */
export function resetLoopDelay(server: ChildProcess): void {
  server.send('loop-delay:reset');
}

/** In bench/run.ts: the server's loop delay since the last reset. */
export function readLoopDelay(server: ChildProcess): Promise<LoopDelay> {
  return new Promise((resolve) => {
    server.once('message', (message) => resolve(message as LoopDelay));
    server.send('loop-delay:read');
  });
}
