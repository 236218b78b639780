import { z } from 'zod';
import { orgKinds } from '../institutions/kinds.ts';

const id = z.coerce.number().int().positive();

/** A customer number as the institution's finance system issues it: free text, but printable and short. */
export const customerNumber = z
  .string({ error: 'Enter the customer number.' })
  .trim()
  .min(1, 'Enter the customer number.')
  .max(64, 'Use at most 64 characters.')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._/#-]*$/,
    'Use letters, digits, spaces and . _ / # - only, starting with a letter or digit.',
  );

export const searchQuery = z.object({
  kind: z.enum(orgKinds).catch('institution'),
  q: z.string().trim().max(100).catch(''),
});
export const newQuery = searchQuery.extend({ id: id.optional().catch(undefined) });
export const listQuery = z.object({
  institutions_after: id.optional().catch(undefined),
  groups_after: id.optional().catch(undefined),
  /** Opens the page at this entry, its row in edit mode (the billing file's error links, A7). */
  edit: id.optional().catch(undefined),
  /** Opens the add dialog with this institution or group picked (the billing file's error links, A7). */
  add: z.enum(orgKinds).optional().catch(undefined),
  org: id.optional().catch(undefined),
});
export const entryParams = z.object({ id });

export const createForm = z.object({ kind: z.enum(orgKinds), org_id: id, number: customerNumber });
export const updateForm = z.object({ number: customerNumber, version: id });
