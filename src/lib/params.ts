import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from './http-error.ts';

const positiveId = z.coerce.number().int().positive();

/** A positive id from a route parameter, or 404 naming `what` (never confirming that it exists elsewhere). */
export function idParam(request: FastifyRequest, name: string, what: string): number {
  const parsed = positiveId.safeParse((request.params as Record<string, unknown>)[name]);
  if (!parsed.success) throw notFound(what);
  return parsed.data;
}
