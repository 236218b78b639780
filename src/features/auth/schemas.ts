import { z } from 'zod';

export const signInSchema = z.object({
  email: z.string().trim().min(1, 'Enter your e-mail address.').max(320).email('Enter a valid e-mail address.'),
  password: z.string().min(1, 'Enter your password.').max(200),
  next: z.string().optional(),
});

/** The sign-in page remembers where to go afterwards; anything odd is simply dropped. */
export const signInPageQuery = z.object({ next: z.string().max(2000).catch('').default('') });

/** Only local paths are followed after sign-in, never another site. */
export function safeNextPath(next: string | undefined): string {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/';
}
