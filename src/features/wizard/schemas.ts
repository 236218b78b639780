import { z } from 'zod';
import { grades } from '../numbers/grades.ts';
import { selectionMethods } from '../numbers/numbers.ts';

/** Which button submitted a step's form; anything unknown counts as *Next*. */
export const stepAction = z.object({
  action: z
    .enum([
      'next',
      'back',
      'update',
      'find',
      'choose',
      'details',
      'customer-only',
      'add-ticked',
      'change',
      'create',
      'finish',
    ])
    .catch('next'),
});
export type StepAction = z.infer<typeof stepAction>['action'];

export const MAX_SEARCH_COUNT = 50;

/**
 * The Numbers tab's filters (C3): how many, prefix, grade, how they are chosen, digits for *containing*,
 * and the pool (`public` or a customer's id). Field names carry an `n_` prefix in the draft.
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

export const idList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive()).max(MAX_SEARCH_COUNT),
);

/** The Customer tab's type-ahead over the user's customers (C1): name, account number or Custom Account ID. */
export const customerSearchQuery = z.object({
  customer_q: z.string().max(200).catch('').default(''),
});
