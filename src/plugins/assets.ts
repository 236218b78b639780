import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const publicDir = fileURLToPath(new URL('../../public/', import.meta.url));
const htmxDir = dirname(require.resolve('htmx.org/dist/htmx.min.js'));
const sortableDir = dirname(require.resolve('sortablejs/Sortable.min.js'));

/** Our CSS/JS under /assets, htmx and SortableJS straight from node_modules under /vendor; none needs sign-in. */
export default async function assets(app: FastifyInstance, opts: { production: boolean }) {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true } as typeof route.config;
  });
  const maxAge = opts.production ? '1d' : 0;
  await app.register(fastifyStatic, { root: publicDir, prefix: '/assets/', maxAge });
  await app.register(fastifyStatic, {
    root: htmxDir,
    prefix: '/vendor/htmx/',
    decorateReply: false,
    maxAge,
    allowedPath: (p) => p === '/htmx.min.js',
  });
  // SortableJS: drag to reorder Autopay configurations (E12) and a report's fields (B5); buttons do the same without it.
  await app.register(fastifyStatic, {
    root: sortableDir,
    prefix: '/vendor/sortablejs/',
    decorateReply: false,
    maxAge,
    allowedPath: (p) => p === '/Sortable.min.js',
  });
}
