import { z } from 'zod';
import { normaliseName } from '../../lib/names.ts';

const id = z.coerce.number().int().positive();
const optionalId = z.preprocess((v) => (v === '' ? undefined : v), id.optional());

const orgName = z
  .string({ error: 'Enter a name.' })
  .trim()
  .min(1, 'Enter a name.')
  .max(200, 'Use at most 200 characters.')
  .refine((name) => normaliseName(name).length > 0, 'Use at least one letter or digit.');

export const orgParams = z.object({ id });
export const listQuery = z.object({ q: z.string().trim().max(100).catch(''), after: id.optional().catch(undefined) });
export const showQuery = z.object({ merge_q: z.string().trim().max(100).catch('') });
export const newQuery = z.object({ institution_id: id.optional().catch(undefined) });

export const createForm = z.object({ name: orgName, institution_id: optionalId });
export const renameForm = z.object({ name: orgName, version: id });
export const mergeForm = z.object({ survivor_id: id });
/** A checkbox: present ("on") when ticked, absent when not. */
export const billingForm = z.object({
  bills_externally: z
    .literal('on')
    .optional()
    .transform((value) => value === 'on'),
  version: id,
});

/** A choice from a list: empty means none (null); absent (a form without the field) means unchanged (undefined). */
const chosenId = (message: string) =>
  z.preprocess(
    (v) => (v === '' ? null : v),
    z.coerce.number({ error: message }).int(message).positive(message).nullable().optional(),
  );

/** The institution and group a customer belongs to (A5), as forms send them. */
export const orgChoiceFields = {
  institution_id: chosenId('Choose an institution from the list.'),
  group_id: chosenId('Choose a group from the list.'),
};
export type OrgChoice = { institution_id: number | null; group_id: number | null };

/** The picker's type-ahead: what was typed into either search, and the current choices. */
export const pickerQuery = z.object({
  institution_q: z.string().max(100).catch('').default(''),
  group_q: z.string().max(100).catch('').default(''),
  institution_id: z.string().max(12).catch('').default(''),
  group_id: z.string().max(12).catch('').default(''),
});
