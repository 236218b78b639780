import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { HttpError } from './http-error.ts';

/**
 * Long work (the billing file, report exports, bill runs, imports, Autopay cycles) runs in a pool of
 * worker threads, so that no page waits behind it (F5). A task is a module whose default export is made
 * with `offLoopTask`: it takes structured-clonable input and opens its own database handle from the
 * config it is given (a thread cannot share the main thread's connection).
 */
let pool: Piscina | undefined;

/**
 * Heap limits of each pool thread. Memory is the process's, threads included (a million-line billing file
 * must stay under 200 MB in all). Left alone, a thread streaming rows grows its young generation to 32 MB
 * and lets promoted rows pile up in the old one until V8 sees fit to collect: +90 MB for the billing file.
 * With these, V8 collects sooner for a few percent more GC time. Every task works in bounded chunks
 * (a few thousand rows), far below the old-generation limit; a task that outgrew it would fail with
 * ERR_WORKER_OUT_OF_MEMORY (its thread replaced) instead of swelling the process.
 */
const TASK_HEAP_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };

type Answer<Output> = { value: Output } | { failure: { statusCode?: number; message: string } };

const onAnswer: (() => void)[] = [];

/**
 * Calls `callback` as each task's answer arrives, before its caller sees it. The database layer ends its
 * shared reads there (src/db/sqlite-client.ts), so a read after a task sees everything the task committed.
 */
export function whenTaskAnswers(callback: () => void): void {
  onAnswer.push(callback);
}

/** How much lower a pool thread's scheduling priority is than the page server's (config POOL_NICENESS). */
let niceness = 10;

/** Sets the pool threads' niceness; the app sets it from its configuration before any task runs. */
export function setPoolNiceness(value: number): void {
  niceness = value;
}

/** Runs the task module at `task` (its URL) with `input` on a worker thread and answers its result. */
export async function runOffLoop<Input, Output>(task: URL, input: Input): Promise<Output> {
  // One core stays free for pages; idle threads are unreferenced, so they never hold the process open.
  pool ??= new Piscina({
    maxThreads: Math.max(1, availableParallelism() - 1),
    idleTimeout: 30_000,
    resourceLimits: TASK_HEAP_LIMITS,
    // Pages come first: a pool thread runs at a lower scheduling priority (nice +10 by default, Linux), so
    // when every core is busy the kernel gives the main thread its turn at once instead of in tens of ms.
    niceIncrement: niceness,
    // The TypeScript loader (tsx, through esbuild) would start a thread of its own in every pool thread
    // to compile modules: about 8 MB each, for work done once when the thread starts.
    env: { ...process.env, ESBUILD_WORKER_THREADS: '0' },
  });
  let answer: Answer<Output>;
  try {
    answer = await pool.run(input, { filename: task.href });
  } finally {
    // Also when the thread died: what it committed before is there to be seen.
    for (const callback of onAnswer) callback();
  }
  if ('value' in answer) return answer.value;
  // An HttpError (a refusal for the user) crosses the thread boundary as data and is rebuilt here.
  const { statusCode, message } = answer.failure;
  throw statusCode ? new HttpError(statusCode, message) : new Error(message);
}

/** Wraps a task's work so that its failure reaches `runOffLoop` with its HTTP status intact. */
export function offLoopTask<Input, Output>(work: (input: Input) => Promise<Output>) {
  return async (input: Input): Promise<Answer<Output>> => {
    try {
      return { value: await work(input) };
    } catch (error) {
      const { statusCode, message } = error as { statusCode?: number; message?: string };
      return { failure: { statusCode, message: message ?? String(error) } };
    }
  };
}

/** Ends the worker threads (a clean shutdown waits for a running task to finish). */
export async function closeOffLoop(): Promise<void> {
  await pool?.close();
  pool = undefined;
}
