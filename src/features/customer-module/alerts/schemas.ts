import { z } from 'zod';
import { requiredText } from '../../customers/schemas.ts';

export const alertForm = z.object({ message: requiredText(300, 'Write the alert.', 'An alert') });
