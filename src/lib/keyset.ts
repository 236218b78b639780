import { z } from 'zod';

/** `?before=<id>` of a newest-first list: the last id of the page before. */
export const beforeQuery = z.object({ before: z.coerce.number().int().positive().optional().catch(undefined) });

export type KeysetPage<T> = { rows: T[]; nextBefore: number | null };

/**
 * Newest-first keyset pagination: a query fetches `size + 1` rows with `id < before`; the extra row
 * only says that another page exists, so no page ever counts or skips rows.
 */
export function keysetPage<T extends { id: number }>(rows: T[], size: number): KeysetPage<T> {
  const page = rows.slice(0, size);
  return { rows: page, nextBefore: rows.length > size ? page[page.length - 1].id : null };
}
