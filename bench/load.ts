// Runs one autocannon measurement and prints its result as JSON. Started by bench/run.ts as a separate
// process (pinned to another core), so the load generator does not compete with the server it measures.
import autocannon from 'autocannon';

const { url, paths, cookie, connections, duration, method } = JSON.parse(process.argv[2]) as {
  url: string;
  paths: string[];
  cookie?: string;
  connections: number;
  duration: number;
  method: 'GET' | 'POST';
};

let next = 0;
const result = await autocannon({
  url,
  connections,
  duration,
  headers: cookie ? { cookie } : {},
  requests: [
    {
      method,
      setupRequest: (request) => {
        request.path = paths[next++ % paths.length];
        return request;
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    medianMs: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
