import { z } from 'zod';

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates a submitted form; on failure gives one message per field, for showing beside the fields. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || '_form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** A submitted form's fields as typed, for showing them again beside their errors (never for acting on: parse first). */
export function submittedValues(body: unknown): Record<string, string> {
  return (body ?? {}) as Record<string, string>;
}

/**
 * A destructive form carries `ask` inside <noscript>: only a browser without JavaScript sends it, and
 * gets a confirmation page of its own instead of the action (with JavaScript our dialog has asked).
 */
export function asksForConfirmation(body: unknown): boolean {
  const ask = (body as Record<string, unknown> | undefined)?.ask;
  return typeof ask === 'string' && ask !== '';
}

/** An edited row's version when its form was opened: a save over someone else's newer one is refused. */
export const versionField = z.coerce.number({ error: 'Open the row again' }).int().positive('Open the row again');
