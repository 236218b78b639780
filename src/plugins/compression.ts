import fastifyCompress from '@fastify/compress';
import fp from 'fastify-plugin';

/**
 * Compresses responses of 1 KB and more (pages, CSS, JS) for clients that accept it; mime-db leaves types
 * that are compressed already (images, fonts, archives) alone. Registered before the routes it applies to.
 */
export default fp(async (app) => {
  await app.register(fastifyCompress, { threshold: 1024 });
});
