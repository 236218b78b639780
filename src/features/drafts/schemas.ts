import { z } from 'zod';
import type { FormStep } from '../../lib/step-form.ts';

/** A draft's id as it stands in URLs. */
export const draftParams = z.object({ draftId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/) });

/** A draft's id and one of the form's steps, from a URL `…/:draftId/:step`. */
export function stepParams(steps: readonly FormStep[]) {
  return draftParams.extend({ step: z.enum(steps.map((s) => s.slug)) });
}
