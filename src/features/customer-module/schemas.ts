import { z } from 'zod';

/** Form pieces the tabs share; the building blocks of text and addresses are the accounts' (customers/schemas.ts). */

/** A checkbox: ticked when the form sends "on" (or "true"). */
export const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

/** The version of the record the form was opened on, so a stale edit is refused. */
export const versionField = z.coerce.number().int().positive();

/** A choice of one record by id from a list, where the empty first option means none. */
export const optionalId = () =>
  z.union([z.literal(''), z.coerce.number().int().positive()]).transform((v) => (v === '' ? null : v));
