import { z } from 'zod';
import { requiredText } from '../../customers/schemas.ts';
import { checkbox } from '../schemas.ts';
import { letterTemplate } from './letters.ts';

export const noteForm = z.object({
  body: requiredText(5000, 'Write the note.', 'A note'),
  pinned: checkbox,
});

export const pinForm = z.object({ pinned: z.enum(['true', 'false']).transform((v) => v === 'true') });

/** A letter as edited from its template; the template must be one of ours. */
export const letterForm = z
  .object({
    template: z.string({ error: 'Choose a letter template.' }).min(1, 'Choose a letter template.'),
    subject: requiredText(200, 'Enter a subject.', 'The subject'),
    body: requiredText(20000, 'Write the letter.', 'The letter'),
  })
  .refine((v) => letterTemplate(v.template), { message: 'Choose a letter template.', path: ['template'] });

export const letterQuery = z.object({ template: z.string().catch('').default('') });
