import { z } from 'zod';
import { parseCents } from '../../lib/money.ts';

/** A money amount typed by a person ("1,234.50", "$12") as integer cents above zero. */
export const moneyField = z
  .string({ error: 'Enter an amount.' })
  .trim()
  .min(1, 'Enter an amount.')
  .transform((text, ctx) => {
    const cents = parseCents(text);
    if (cents === null || cents <= 0) {
      ctx.addIssue({ code: 'custom', message: 'Enter an amount above zero, like 125.50.' });
      return z.NEVER;
    }
    return cents;
  });

export const dateField = z
  .string({ error: 'Pick a date.' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Pick a date.')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'Pick a real date.');

/** Checkboxes that share a name: absent, one value or many, as a list of ids. */
export const idList = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive()).max(500),
);

export const idempotencyKey = z.string().uuid('This form is out of date. Reload the page and try again.');

export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters.`)
    .optional()
    .transform((v) => v || null);

export const tick = z
  .enum(['on'])
  .optional()
  .transform((v) => v === 'on');
