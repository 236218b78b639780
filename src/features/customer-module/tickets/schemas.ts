import { z } from 'zod';
import { optionalText, requiredText } from '../../customers/schemas.ts';
import { optionalId, versionField } from '../schemas.ts';

export const ticketFilter = z.object({ status: z.enum(['open', 'closed']).catch('open').default('open') });

export const ticketForm = z.object({
  subject: requiredText(200, 'Enter a subject.', 'The subject'),
  description: optionalText(5000, 'The description'),
  assignee_user_id: optionalId().default(null),
});

export const ticketCommentForm = z.object({ body: requiredText(5000, 'Write the comment.', 'A comment') });

export const ticketAssignForm = z.object({ assignee_user_id: optionalId(), version: versionField });
