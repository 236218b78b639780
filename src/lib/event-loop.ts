/**
 * Lets timers and I/O (other requests) run before the caller goes on. Needed in long loops of queries:
 * better-sqlite3 answers synchronously, so a loop of awaited queries runs on microtasks alone and
 * would hold every other request back until it ends (F5).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
