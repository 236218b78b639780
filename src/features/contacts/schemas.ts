import { z } from 'zod';
import type { Permission } from '../../auth/principal.ts';
import { tick } from '../ledger/schemas.ts';

/** A contact on *Customer Details* (E3). */
export const contactForm = z.object({
  name: z
    .string({ error: 'Enter the contact’s name.' })
    .trim()
    .min(1, 'Enter the contact’s name.')
    .max(200, 'Use at most 200 characters.'),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(320)
    .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter a valid e-mail address, or leave it empty.')
    .transform((v) => v || null),
  phone: z
    .string()
    .trim()
    .max(40, 'Use at most 40 characters.')
    .transform((v) => v || null)
    .optional()
    .default(null as unknown as string),
  profile_id: z.coerce.number({ error: 'Choose a contact profile.' }).int().positive('Choose a contact profile.'),
  is_billing_contact: tick,
  version: z.coerce.number().int().positive().optional(),
});
export type ContactInput = z.infer<typeof contactForm>;

export const contactSorts = ['name', 'email', 'profile'] as const;

/** The contact list's search and sort, bounded; anything odd falls back to the defaults. */
export const contactListQuery = z.object({
  q: z.string().trim().max(100).catch('').default(''),
  sort: z.enum(contactSorts).catch('name').default('name'),
  dir: z.enum(['asc', 'desc']).catch('asc').default('asc'),
});
export type ContactListQuery = z.infer<typeof contactListQuery>;

/** A contact profile (access level): a name and the permissions it grants, one tick box each. */
export const profileForm = z.object({
  name: z
    .string({ error: 'Name the profile.' })
    .trim()
    .min(1, 'Name the profile.')
    .max(100, 'Use at most 100 characters.'),
  is_default: tick,
  view_invoices: tick,
  pay: tick,
  manage_payment_methods: tick,
  manage_autopay: tick,
  see_credits: tick,
  receive_statements: tick,
} satisfies Record<Permission | 'name' | 'is_default', z.ZodType>);
export type ProfileInput = z.infer<typeof profileForm>;

export const profileListQuery = z.object({
  reseller_id: z.coerce.number().int().positive().optional().catch(undefined),
});

const optionalRef = z
  .string()
  .trim()
  .max(100, 'Use at most 100 characters.')
  .optional()
  .transform((v) => v || null);

/** E2: the linked accounting and payment-gateway customers; empty clears a link. */
export const customerLinksForm = z.object({
  accounting_customer_ref: optionalRef,
  gateway_customer_ref: optionalRef,
});
