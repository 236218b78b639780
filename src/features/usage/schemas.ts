import { z } from 'zod';
import { versionField } from '../../lib/forms.ts';
import { parseScaled } from '../../lib/money.ts';

const digits = (label: string, max: number) =>
  z
    .string({ error: `${label} is missing` })
    .transform((value) => value.replace(/[\s\-()+]/g, ''))
    .refine((value) => /^\d+$/.test(value), `${label} must be digits`)
    .refine((value) => value.length <= max, `${label} is longer than ${max} digits`);

/** One row of a call record file: `call_id,number,destination,started_at,duration_seconds`. */
export const cdrRow = z.object({
  call_id: z
    .string({ error: 'call_id is missing' })
    .trim()
    .min(1, 'call_id is empty')
    .max(100, 'call_id is longer than 100 characters'),
  number: digits('number', 20),
  destination: digits('destination', 20),
  started_at: z
    .string({ error: 'started_at is missing' })
    .refine((value) => /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?/.test(value) && !Number.isNaN(Date.parse(value)), {
      message: 'started_at is not a date and time (YYYY-MM-DDTHH:MM:SSZ)',
    })
    .transform((value) =>
      new Date(value.endsWith('Z') || /[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`).toISOString(),
    ),
  duration_seconds: z.coerce
    .number({ error: 'duration_seconds is not a number' })
    .int('duration_seconds must be whole seconds')
    .min(0, 'duration_seconds is negative')
    .max(86_400, 'duration_seconds is more than a day'),
});
export type CdrRow = z.infer<typeof cdrRow>;

const DIGITS_ONLY = /^\d{1,20}$/;
const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const WHOLE_SECONDS = /^\d{1,5}$/;

/**
 * What cdrRow makes of a row in the usual form (numbers as digits alone, `YYYY-MM-DDTHH:MM:SSZ`, whole
 * seconds), found with a few comparisons; undefined for any other row, which cdrRow then checks and explains.
 * zod costs about 4 µs a row and its garbage, a seventh of a million-row import's CPU. The test "the quick
 * check agrees with cdrRow" holds the two together.
 */
export function usualCdrRow(record: Readonly<Record<string, unknown>>): CdrRow | undefined {
  const { call_id, number, destination, started_at, duration_seconds } = record;
  if (typeof call_id !== 'string' || typeof number !== 'string' || typeof destination !== 'string') return undefined;
  if (typeof started_at !== 'string' || typeof duration_seconds !== 'string') return undefined;
  const callId = call_id.trim();
  if (callId.length === 0 || callId.length > 100 || !DIGITS_ONLY.test(number) || !DIGITS_ONLY.test(destination))
    return undefined;
  if (!UTC_SECONDS.test(started_at) || !WHOLE_SECONDS.test(duration_seconds)) return undefined;
  const at = Date.parse(started_at);
  const seconds = Number(duration_seconds);
  if (Number.isNaN(at) || seconds > 86_400) return undefined;
  return { call_id: callId, number, destination, started_at: new Date(at).toISOString(), duration_seconds: seconds };
}

export const CDR_COLUMNS = ['call_id', 'number', 'destination', 'started_at', 'duration_seconds'] as const;

/** *Add a usage rate*: a price list, a destination prefix, dollars a minute (up to five decimals), minimum/increment. */
export const usageRateForm = z.object({
  price_list_id: z.coerce.number({ error: 'Choose a price list' }).int().positive('Choose a price list'),
  prefix: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'Enter the destination prefix as digits, e.g. 44 or 1212'),
  per_minute: z
    .string()
    .transform((value) => parseScaled(value, 5))
    .refine((value) => value !== null, 'Enter the price a minute in dollars, e.g. 0.012')
    .transform((value) => value as number),
  minimum_seconds: z.coerce.number({ error: 'Enter whole seconds' }).int('Enter whole seconds').min(0).max(3600),
  increment_seconds: z.coerce
    .number({ error: 'Enter whole seconds' })
    .int('Enter whole seconds')
    .min(1, 'At least 1 second')
    .max(3600),
});

/** Editing a usage rate in its row: the same fields, on the same price list. */
export const usageRateEditForm = usageRateForm.omit({ price_list_id: true }).extend({ version: versionField });

export const ratesQuery = z.object({
  price_list: z.coerce.number().int().positive().optional().catch(undefined),
  prefix: z
    .string()
    .regex(/^\d{0,20}$/)
    .optional()
    .catch(undefined),
  // The page of rates after this prefix.
  after: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional()
    .catch(undefined),
});
