import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const require = createRequire(import.meta.url);
const publicDir = fileURLToPath(new URL('../../public/', import.meta.url));

/** Where each URL prefix's files live: our CSS/JS, and htmx and SortableJS straight from node_modules. */
const sources = [
  { prefix: '/assets/', root: publicDir, files: readdirSync(publicDir) },
  { prefix: '/vendor/htmx/', ...fromPackage('htmx.org/dist/htmx.min.js') },
  // SortableJS: drag to reorder Autopay configurations (E12) and a report's fields (B5); buttons do the same without it.
  { prefix: '/vendor/sortablejs/', ...fromPackage('sortablejs/Sortable.min.js') },
];

function fromPackage(path: string) {
  const file = require.resolve(path);
  return { root: dirname(file), files: [file.slice(dirname(file).length + 1)] };
}

/** `app.css` -> `app.<hash of its content>.css`: a new file gets a new URL, so a URL's content never changes. */
function fingerprinted(root: string, file: string): string {
  const hash = createHash('sha256')
    .update(readFileSync(join(root, file)))
    .digest('hex')
    .slice(0, 12);
  const dot = file.lastIndexOf('.');
  return `${file.slice(0, dot)}.${hash}${file.slice(dot)}`;
}

type Served = { root: string; file: string; immutable: boolean };

/** Per prefix, every name it answers to: the plain name and the fingerprinted one (hashed once, at start). */
const servedNames = new Map<string, Map<string, Served>>();
/** Plain URL -> fingerprinted URL, for the views. */
const fingerprintedUrls = new Map<string, string>();
for (const { prefix, root, files } of sources) {
  const names = new Map<string, Served>();
  for (const file of files) {
    const hashed = fingerprinted(root, file);
    names.set(file, { root, file, immutable: false });
    names.set(hashed, { root, file, immutable: true });
    fingerprintedUrls.set(prefix + file, prefix + hashed);
  }
  servedNames.set(prefix, names);
}

/**
 * The URL a view links an asset by (`it.asset('/assets/app.css')`): its fingerprinted name, which browsers
 * and proxies may keep for a year. Throws for a file that is not served, so a typo fails the page's test.
 */
export function assetUrl(plainUrl: string): string {
  const url = fingerprintedUrls.get(plainUrl);
  if (!url) throw new Error(`no asset at ${plainUrl}`);
  return url;
}

const aYear = 365 * 24 * 60 * 60 * 1000;

/**
 * Static files, none behind sign-in. A fingerprinted name is cached for a year as immutable; the plain name
 * (still answered, for links from outside the views) for a day in production. In development nothing is
 * cached, so an edited file shows on reload (the server hashed it at start, and it serves what is on disk).
 */
export default async function assets(app: FastifyInstance, opts: { production: boolean }) {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true } as typeof route.config;
  });
  await app.register(fastifyStatic, { root: publicDir, serve: false });
  for (const [prefix, names] of servedNames) {
    app.get(`${prefix}*`, (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
      const served = names.get(request.params['*']);
      if (!served) return reply.callNotFound();
      if (!opts.production) return reply.sendFile(served.file, served.root, { maxAge: 0 });
      return served.immutable
        ? reply.sendFile(served.file, served.root, { maxAge: aYear, immutable: true })
        : reply.sendFile(served.file, served.root, { maxAge: '1d' });
    });
  }
}
