import { z } from 'zod';
import { grades } from './grades.ts';
import { type NumberFilters, selectionMethods } from './numbers.ts';

export const MAX_SEARCH_COUNT = 50;

/**
 * The inventory search's filters (the wizard's Numbers tab, C3, and Service Details, C8): how many,
 * prefix, grade, how they are chosen, digits for *containing*, and the pool (`public` or a customer's id).
 */
export const numberFilterForm = z
  .object({
    count: z.coerce
      .number({ error: `Enter how many numbers, from 1 to ${MAX_SEARCH_COUNT}.` })
      .int(`Enter how many numbers, from 1 to ${MAX_SEARCH_COUNT}.`)
      .min(1, `Enter how many numbers, from 1 to ${MAX_SEARCH_COUNT}.`)
      .max(MAX_SEARCH_COUNT, `Enter how many numbers, from 1 to ${MAX_SEARCH_COUNT}.`),
    prefix: z.union([z.literal(''), z.string().regex(/^\d{1,10}$/, 'Choose a prefix from the list.')]).default(''),
    grade: z.union([z.literal(''), z.enum(grades, { error: 'Choose a grade from the list.' })]).default(''),
    method: z.enum(selectionMethods, { error: 'Choose how the numbers are chosen.' }),
    digits: z.string().trim().default(''),
    pool: z
      .union([z.literal('public'), z.string().regex(/^\d{1,10}$/, 'Choose a pool from the list.')])
      .default('public'),
  })
  .superRefine((v, ctx) => {
    if (v.method === 'containing' && !/^\d{1,11}$/.test(v.digits)) {
      ctx.addIssue({
        code: 'custom',
        path: ['digits'],
        message: 'Enter the digits the numbers should contain (1 to 11 digits).',
      });
    }
  });
export type NumberFilterForm = z.infer<typeof numberFilterForm>;
export const filterKeys = ['count', 'prefix', 'grade', 'method', 'digits', 'pool'] as const;
export const defaultFilters: Record<(typeof filterKeys)[number], string> = {
  count: '5',
  prefix: '',
  grade: '',
  method: 'next',
  digits: '',
  pool: 'public',
};

/** The search a valid filter form asks for. */
export const filtersToSearch = (f: NumberFilterForm): NumberFilters => ({
  count: f.count,
  prefix: f.prefix || null,
  grade: f.grade || null,
  method: f.method,
  digits: f.digits || null,
  poolCustomerId: f.pool === 'public' ? null : Number(f.pool),
});

/** Number ids a form sends (one or many), at most a search's worth. */
export const idList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive()).max(MAX_SEARCH_COUNT),
);
