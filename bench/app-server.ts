// The app as `npm start` runs it (src/server.ts), with the event-loop delay answered to bench/run.ts.
// BENCH_CPU_PROFILE=FILE writes a CPU profile of the server (open it in Chrome's DevTools) when it stops.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { answerLoopDelay } from './loop-delay.ts';

answerLoopDelay();
const profileFile = process.env.BENCH_CPU_PROFILE;
if (profileFile) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  process.prependOnceListener('SIGTERM', async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
  });
}
await import('../src/server.ts');
