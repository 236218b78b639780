import { z } from 'zod';
import { requiredText } from '../../customers/schemas.ts';

export const linkAccountForm = z.object({
  account_number: requiredText(20, 'Enter the account number of the account to link.', 'The account number').transform(
    (v) => v.toUpperCase(),
  ),
});
