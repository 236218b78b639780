import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../customers/schemas.ts';

export { signInPageQuery, signInSchema } from '../auth/schemas.ts';

/** Only portal paths are followed after a contact signs in. */
export function portalNextPath(next: string | undefined): string {
  return next && /^\/portal(\/[^\s\\]*)?(\?[^\s\\]*)?$/.test(next) ? next : '/portal';
}

export const forgotPasswordForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, 'Enter your e-mail address.')
    .max(320)
    .email('Enter a valid e-mail address.'),
});

/** A one-time link's token as it appears in the URL (base64url, 32 bytes). */
export const linkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const setPasswordForm = z
  .object({
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
      .max(200, 'Use at most 200 characters.'),
    password_confirm: z.string(),
  })
  .refine((v) => v.password === v.password_confirm, {
    path: ['password_confirm'],
    message: 'The two passwords differ.',
  });
