import { z } from 'zod';
import { isFieldKey } from './fields.ts';
import { periods, schedules } from './schedule.ts';

const list = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));
const optionalInt = (min: number, max: number, message: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    z.coerce.number().int().min(min, message).max(max, message).nullable(),
  );
const isoDate = z.preprocess(
  (v) => (v === '' ? null : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date as YYYY-MM-DD.')
    .nullable()
    .default(null),
);
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean());
const anEmail = z.email();
const emailList = z
  .string()
  .max(1000, 'At most 1,000 characters.')
  .default('')
  .transform((text, ctx) => {
    const addresses = text.split(/[,;\s]+/).filter(Boolean);
    if (addresses.some((a) => !anEmail.safeParse(a).success))
      ctx.addIssue({ code: 'custom', message: 'Enter e-mail addresses separated by commas.' });
    if (addresses.length > 20) ctx.addIssue({ code: 'custom', message: 'At most 20 recipients.' });
    return addresses;
  });

const always = () => true;

/** *Add New Report* and its edit form (B5). */
export const reportForm = z
  .object({
    name: z.string().trim().min(1, 'Give the report a name.').max(100, 'At most 100 characters.'),
    schedule: z.enum(schedules, 'Choose when the report runs.'),
    weekday: optionalInt(0, 6, 'Choose a weekday.'),
    month_day: optionalInt(1, 28, 'Choose a day from 1 to 28.'),
    period: z.enum(periods, 'Choose the period the report covers.'),
    range_from: isoDate,
    range_to: isoDate,
    status: z.enum(['', 'active', 'suspended', 'closed'], 'Choose a status.').default(''),
    kind: z.enum(['', 'business', 'personal'], 'Choose a kind.').default(''),
    reseller_id: optionalInt(1, 2 ** 31 - 1, 'Choose a reseller.'),
    with_open_invoices: checkbox,
    with_past_due_invoices: checkbox,
    recipients: emailList,
    fields: list.pipe(z.array(z.string().refine(isFieldKey, 'Unknown field.')).min(1, 'Choose at least one field.')),
    order: list,
    version: z.coerce.number().int().positive().optional(),
  })
  // Cross-field rules run even when another field failed, so every problem shows at once (F1).
  .refine((f) => f.schedule !== 'weekly' || f.weekday !== null, {
    path: ['weekday'],
    message: 'Choose the weekday it runs on.',
    when: always,
  })
  .refine((f) => f.schedule !== 'monthly' || f.month_day !== null, {
    path: ['month_day'],
    message: 'Choose the day of the month it runs on.',
    when: always,
  })
  .refine((f) => f.period !== 'range' || Boolean(f.range_from), {
    path: ['range_from'],
    message: 'Enter the first day.',
    when: always,
  })
  .refine((f) => f.period !== 'range' || Boolean(f.range_to), {
    path: ['range_to'],
    message: 'Enter the last day.',
    when: always,
  })
  .refine((f) => !(f.range_from && f.range_to && f.range_from > f.range_to), {
    path: ['range_to'],
    message: 'The last day cannot be before the first.',
    when: always,
  })
  .refine((f) => f.schedule === 'on-demand' || !Array.isArray(f.recipients) || f.recipients.length > 0, {
    path: ['recipients'],
    message: 'A periodic report needs at least one recipient.',
    when: always,
  });
export type ReportForm = z.infer<typeof reportForm>;

/** The no-JavaScript reorder buttons: `move=up:custom_account_id`. */
export const moveCommand = z.object({
  move: z
    .string()
    .regex(/^(up|down):[a-z_]+$/)
    .transform((v) => {
      const [direction, key] = v.split(':');
      return { direction: direction as 'up' | 'down', key };
    }),
});

export const reportParams = z.object({ id: z.coerce.number().int().positive() });
export const runParams = z.object({
  id: z.coerce.number().int().positive(),
  runId: z.coerce.number().int().positive(),
});

/** The delete form: `ask` comes only from a browser without JavaScript, which has not confirmed yet. */
export const deleteForm = z.object({ ask: z.string().optional().transform(Boolean) });
