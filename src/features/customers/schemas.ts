import { z } from 'zod';

/** Empty text means "not given": stored as null, never as ''. */
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} can be at most ${max} characters.`)
    .transform((v) => (v === '' ? null : v))
    .default(null);

const requiredText = (max: number, missing: string, label: string) =>
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

/** Step 1: *Business* or *Personal*, optional sales person and branch (and, for staff, the reseller). */
export const accountTypeStep = z.object({
  kind: z.enum(['business', 'personal'], { error: 'Choose Business or Personal.' }),
  sales_person: optionalText(100, 'Sales person'),
  branch: optionalText(100, 'Branch'),
});
export const resellerChoice = z.object({
  reseller_id: z.coerce
    .number({ error: 'Choose the reseller this customer belongs to.' })
    .int()
    .positive('Choose the reseller this customer belongs to.'),
});

/** Step 2: the customer's name and contact details; the address becomes the *Bill To* location. */
/** A postal address: the Bill To of a new customer, and every location (D4). */
const addressFields = {
  line1: requiredText(200, 'Enter the street address.', 'The address'),
  line2: optionalText(200, 'The second address line'),
  city: requiredText(100, 'Enter the town or city.', 'The town or city'),
  region: optionalText(100, 'The state or county'),
  postal_code: requiredText(20, 'Enter the postal code.', 'The postal code'),
  country: z.enum(countryCodes, { error: 'Choose a country from the list.' }),
};

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
  phone: optionalText(40, 'The phone number').refine((v) => v === null || /^\+?[0-9 ()\-.]{6,}$/.test(v), {
    message: 'Enter a phone number using digits, spaces and + ( ) - only.',
  }),
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

/** Edit on the *Additional Information* tab; the version refuses a stale edit. */
export const additionalInformationForm = z.object({
  custom_account_id: customAccountIdField,
  version: z.coerce.number().int().positive(),
});

/* The Customer Module's forms (D4). */

const phoneField = optionalText(40, 'The phone number').refine((v) => v === null || /^\+?[0-9 ()\-.]{6,}$/.test(v), {
  message: 'Enter a phone number using digits, spaces and + ( ) - only.',
});
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());
const version = z.coerce.number().int().positive();

export const customerStatuses = ['active', 'suspended', 'closed'] as const;

/** *Customer Information*: the core fields (status has its own form, with a reason). */
export const customerInformationForm = z.object({
  name: requiredText(200, "Enter the customer's name.", 'The name'),
  email: optionalText(320, 'The e-mail address')
    .refine((v) => v === null || z.email().safeParse(v).success, {
      message: 'Enter a valid e-mail address, like name@example.com.',
    })
    .transform((v) => v?.toLowerCase() ?? null),
  phone: phoneField,
  sales_person: optionalText(100, 'Sales person'),
  branch: optionalText(100, 'Branch'),
  is_corporate: checkbox,
  version,
});

export const statusChangeForm = z.object({
  status: z.enum(customerStatuses, { error: 'Choose a status.' }),
  reason: requiredText(500, 'Say why the status changes.', 'The reason'),
  version,
});

export const locationForm = z.object({
  label: requiredText(100, 'Name this location, e.g. Head office.', 'The name'),
  ...addressFields,
  is_bill_to: checkbox,
});

export const linkAccountForm = z.object({
  account_number: requiredText(20, 'Enter the account number of the account to link.', 'The account number').transform(
    (v) => v.toUpperCase(),
  ),
});

export const noteForm = z.object({
  body: requiredText(5000, 'Write the note.', 'A note'),
  pinned: checkbox,
});

export const letterForm = z.object({
  template: z.string({ error: 'Choose a letter template.' }).min(1, 'Choose a letter template.'),
  subject: requiredText(200, 'Enter a subject.', 'The subject'),
  body: requiredText(20000, 'Write the letter.', 'The letter'),
});

export const ticketForm = z.object({
  subject: requiredText(200, 'Enter a subject.', 'The subject'),
  description: optionalText(5000, 'The description'),
  assignee_user_id: z
    .union([z.literal(''), z.coerce.number().int().positive()])
    .transform((v) => (v === '' ? null : v))
    .default(null),
});

export const ticketCommentForm = z.object({ body: requiredText(5000, 'Write the comment.', 'A comment') });

export const ticketAssignForm = z.object({
  assignee_user_id: z
    .union([z.literal(''), z.coerce.number().int().positive()])
    .transform((v) => (v === '' ? null : v)),
  version,
});

export const facilityKinds = ['Circuit', 'DSL', 'Fiber', 'T1', 'Ethernet', 'Wireless', 'Other'] as const;

export const facilityForm = z.object({
  name: requiredText(200, 'Name the facility.', 'The name'),
  kind: z.enum(facilityKinds, { error: 'Choose a type.' }),
  circuit_id: optionalText(100, 'The circuit ID'),
  location_id: z
    .union([z.literal(''), z.coerce.number().int().positive()])
    .transform((v) => (v === '' ? null : v))
    .default(null),
});

export const alertForm = z.object({ message: requiredText(300, 'Write the alert.', 'An alert') });
