import { z } from 'zod';
import { orgChoiceFields } from '../institutions/schemas.ts';

/** Empty text means "not given": stored as null, never as ''. */
export const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} can be at most ${max} characters.`)
    .transform((v) => (v === '' ? null : v))
    .default(null);

export const requiredText = (max: number, missing: string, label: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, `${label} can be at most ${max} characters.`);

export const countries = [
  ['US', 'United States'],
  ['GB', 'United Kingdom'],
  ['CA', 'Canada'],
  ['IE', 'Ireland'],
  ['AU', 'Australia'],
  ['NZ', 'New Zealand'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['NL', 'Netherlands'],
] as const;
const countryCodes = countries.map(([code]) => code) as [string, ...string[]];
export const countryNames: Readonly<Record<string, string>> = Object.fromEntries(countries);

/** The Custom Account ID (B3): optional free text, trimmed, at most 64 characters. */
export const customAccountIdField = optionalText(64, 'The Customer Account ID');

/**
 * Step 1: *Business* or *Personal*, optional sales person and branch, optional institution and group
 * (A5) (and, for staff, the reseller).
 */
export const accountTypeStep = z.object({
  kind: z.enum(['business', 'personal'], { error: 'Choose Business or Personal.' }),
  sales_person: optionalText(100, 'Sales person'),
  branch: optionalText(100, 'Branch'),
  ...orgChoiceFields,
});
export const resellerChoice = z.object({
  reseller_id: z.coerce
    .number({ error: 'Choose the reseller this customer belongs to.' })
    .int()
    .positive('Choose the reseller this customer belongs to.'),
});

/** A postal address: the Bill To of a new customer, and every location (D4). */
export const addressFields = {
  line1: requiredText(200, 'Enter the street address.', 'The address'),
  line2: optionalText(200, 'The second address line'),
  city: requiredText(100, 'Enter the town or city.', 'The town or city'),
  region: optionalText(100, 'The state or county'),
  postal_code: requiredText(20, 'Enter the postal code.', 'The postal code'),
  country: z.enum(countryCodes, { error: 'Choose a country from the list.' }),
};

const phonePattern = /^\+?[0-9 ()\-.]{6,}$/;

/** A phone number as written, or null. */
export const phoneField = optionalText(40, 'The phone number').refine((v) => v === null || phonePattern.test(v), {
  message: 'Enter a phone number using digits, spaces and + ( ) - only.',
});

/** Step 2: the customer's name and contact details; the address becomes the *Bill To* location. */
export const contactDetailsStep = z.object({
  name: requiredText(200, "Enter the customer's name.", 'The name'),
  ...addressFields,
  email: z
    .string({ error: 'Enter an e-mail address.' })
    .trim()
    .min(1, 'Enter an e-mail address.')
    .max(320, 'The e-mail address is too long.')
    .pipe(z.email('Enter a valid e-mail address, like name@example.com.'))
    .transform((v) => v.toLowerCase()),
  phone: phoneField,
});

/** Step 3: the *Customer Account ID*. */
export const accountIdStep = z.object({ custom_account_id: customAccountIdField });

export const MIN_PASSWORD_LENGTH = 10;

/** Step 4: logon name and password of the customer's administrative user. */
export const administratorStep = z.object({
  login: z
    .string({ error: 'Enter a logon name.' })
    .trim()
    .toLowerCase()
    .min(3, 'The logon name needs at least 3 characters.')
    .max(100, 'The logon name can be at most 100 characters.')
    .regex(/^[a-z0-9._@-]+$/, 'Use only letters, digits and . _ - @ in the logon name.'),
});
export const newPassword = z
  .object({
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`)
      .max(200, 'The password can be at most 200 characters.'),
    password_confirm: z.string().default(''),
  })
  .refine((v) => v.password === v.password_confirm, {
    message: 'The two passwords do not match.',
    path: ['password_confirm'],
  });

export const customerStatuses = ['active', 'suspended', 'closed'] as const;
