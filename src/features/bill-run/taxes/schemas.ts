import { z } from 'zod';
import { versionField } from '../../../lib/forms.ts';
import { chargeKinds } from '../charges.ts';
import { parseRate } from './tax.ts';

const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters`)
    .transform((value) => value || null);

/** *Add a tax rate*: a name, the jurisdiction (country; state or county and city optional), a charge kind, a percentage. */
export const taxRateForm = z.object({
  name: z.string().trim().min(1, 'Enter a name, e.g. New York State sales tax').max(100, 'At most 100 characters'),
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'Enter the two-letter country code, e.g. US')
    .transform((value) => value.toUpperCase()),
  region: optional(100),
  city: optional(100),
  charge_kind: z.enum(chargeKinds, { error: 'Choose the kind of charge it taxes' }),
  rate: z
    .string()
    .transform((value) => parseRate(value))
    .refine((value) => value !== null && value > 0 && value <= 100_000, 'Enter a percentage, e.g. 8.875'),
});

/** *Add an exemption*: the customer's account number, the certificate's reference and expiry date. */
export const exemptionForm = z.object({
  account_number: z.string().trim().min(1, "Enter the customer's account number").max(20),
  certificate_ref: z.string().trim().min(1, 'Enter the certificate reference').max(60, 'At most 60 characters'),
  expires_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the expiry date'),
});

/** Editing a tax rate in its row: the same fields as adding one. */
export const taxRateEditForm = taxRateForm.extend({ version: versionField });

/** Editing an exemption in its row: a renewed or corrected certificate (the customer stays). */
export const exemptionEditForm = exemptionForm.omit({ account_number: true }).extend({ version: versionField });
