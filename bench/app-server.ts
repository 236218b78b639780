// The app as `npm start` runs it (src/server.ts), with the event-loop delay answered to bench/run.ts.
import { answerLoopDelay } from './loop-delay.ts';

answerLoopDelay();
await import('../src/server.ts');
