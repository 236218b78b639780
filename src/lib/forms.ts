import qs from 'node:querystring';
import { z } from 'zod';
import { HttpError } from './http-error.ts';

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/**
 * Parses a form body or query string. A NUL character is refused for the whole request (400): no one types
 * it, SQLite stores it, and PostgreSQL refuses it in any text value, so a lookup by such a value failed
 * there with a 500 (found by the fuzz, issue 18).
 */
export function parseUrlEncoded(text: string): qs.ParsedUrlQuery {
  if (text.includes('\u0000') || /%00/.test(text)) throw new HttpError(400, 'The request contains a NUL character.');
  return qs.parse(text);
}

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
