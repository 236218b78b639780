import fastifyRateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/**
 * Security headers with a CSP that runs only our own scripts and styles, and the rate limiter. The headers
 * come from `helmet`'s middleware, made once: @fastify/helmet built it anew for every request (about 7 µs,
 * docs/performance.md), for per-route options and nonces we do not use.
 */
export default fp(async (app) => {
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
  // Limits are declared per route (`config.rateLimit`), e.g. on sign-in.
  await app.register(fastifyRateLimit, { global: false });
});
