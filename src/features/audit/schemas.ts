import { z } from 'zod';

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Pick a date.')
  .optional()
  .or(z.literal('').transform(() => undefined));

export const userParams = z.object({ id: z.coerce.number().int().positive() });

/** The per-user audit's filters: a kind of record, a date range, and the keyset page. */
export const userAuditQuery = z.object({
  entity: z
    .string()
    .regex(/^[a-z_]{1,60}$/)
    .optional()
    .catch(undefined),
  from: isoDay.catch(undefined),
  to: isoDay.catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});
