import { z } from 'zod';
import { type Condition, operators, triggers } from './engine.ts';

/** The most rows one configuration may have (E12 *Advanced*): enough for any sensible rule. */
export const MAX_ROWS = 8;

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The configuration form: a payment method and parallel lists of trigger, operator and value(s), one
 * entry per row. "one of" takes several values separated by commas. `intent` says which button sent it:
 * save, or add or remove a row (which only shows the form again, so they work without JavaScript).
 */
export const configurationForm = z.object({
  payment_method_id: z.coerce.number({ error: 'Choose a payment method.' }).int().positive('Choose a payment method.'),
  trigger: z.preprocess(
    asList,
    z
      .array(z.enum(triggers, { error: 'Choose a trigger.' }))
      .min(1)
      .max(MAX_ROWS),
  ),
  operator: z.preprocess(
    asList,
    z
      .array(z.enum(operators, { error: 'Choose an operator.' }))
      .min(1)
      .max(MAX_ROWS),
  ),
  value: z.preprocess(asList, z.array(z.string().trim().max(500)).min(1).max(MAX_ROWS)),
  version: z.coerce.number().int().positive().optional(),
});

export type ConfigurationForm = z.infer<typeof configurationForm>;

/** What a form's button asked for. */
export const formIntent = z.object({
  intent: z
    .string()
    .regex(/^(save|add_row|remove_row:\d)$/)
    .optional()
    .catch('save')
    .default('save'),
});

/** The rows of a parsed form as engine conditions ("a, b" → ["a", "b"] for "one of"). */
export function conditionsOfForm(form: ConfigurationForm): Condition[] {
  return form.trigger.map((trigger, i) => {
    const operator = form.operator[i] ?? 'equals';
    const raw = form.value[i] ?? '';
    const values = (operator === 'one_of' ? raw.split(',') : [raw]).map((v) => v.trim()).filter(Boolean);
    return { trigger, operator, values };
  });
}

/** Reorder: the whole new order (after a drag), or one step up or down (the buttons). */
export const orderForm = z.union([
  z.object({ move: z.string().regex(/^\d+:(up|down)$/) }),
  z.object({ order: z.preprocess(asList, z.array(z.coerce.number().int().positive()).min(1).max(500)) }),
]);

export const toggleForm = z.object({ on: z.enum(['true', 'false']).transform((v) => v === 'true') });

export const dryRunQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)))
    .optional()
    .catch(undefined),
});
