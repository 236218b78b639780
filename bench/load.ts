// Runs one autocannon measurement and prints its result as JSON. Started by bench/run.ts as a separate
// process (pinned to another core), so the load generator does not compete with the server it measures.
// Its input (LoadInput) comes on stdin.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { FlowStep, Method } from './types.ts';

export type LoadInput = {
  url: string;
  connections: number;
  duration: number;
  timeoutSeconds: number;
  headers: Record<string, string>;
  method: Method;
  paths: string[];
  bodies?: string[];
  flow?: FlowStep[];
};

export type LoadResult = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  sent: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
};

const input = JSON.parse(readFileSync(0, 'utf8')) as LoadInput;
const headers = { ...input.headers, ...(input.bodies ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) };

let next = 0;
const visits = new Array<number>(input.paths.length).fill(0);
/** A body with its placeholders filled in: a fresh UUID, and the number of earlier visits of this entry (+K). */
function filled(body: string, entry: number): string {
  return body
    .replaceAll('{uuid}', randomUUID())
    .replace(/\{visit\+(\d+)\}/g, (_, k: string) => String(visits[entry] + Number(k)));
}
const cycled: autocannon.Request = {
  method: input.method,
  setupRequest: (request) => {
    const entry = next++ % input.paths.length;
    request.path = input.paths[entry];
    if (input.bodies) request.body = filled(input.bodies[entry], entry);
    visits[entry]++;
    return request;
  },
};

type Captured = Record<string, string>;
const withCaptured = (text: string, captured: Captured) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => captured[name] ?? whole);
const flow = input.flow?.map(
  (step): autocannon.Request => ({
    method: step.method,
    setupRequest: (request, context) => {
      const captured = context as Captured;
      request.path = withCaptured(step.path, captured);
      if (step.body) request.body = withCaptured(step.body, captured);
      request.headers = {
        ...request.headers,
        ...Object.fromEntries(Object.entries(step.headers ?? {}).map(([k, v]) => [k, withCaptured(v, captured)])),
      };
      return request;
    },
    onResponse: (_status, body, context, responseHeaders) => {
      for (const [name, { from, pattern }] of Object.entries(step.capture ?? {})) {
        const text = from === 'body' ? body : String(responseHeaders?.['set-cookie'] ?? '');
        const match = new RegExp(pattern).exec(text);
        if (match) (context as Captured)[name] = match[1];
      }
    },
  }),
);

const result = await autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.duration,
  timeout: input.timeoutSeconds,
  headers,
  requests: flow ?? [cycled],
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    sent: result.requests.sent,
    statusCounts: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
  } satisfies LoadResult),
);
