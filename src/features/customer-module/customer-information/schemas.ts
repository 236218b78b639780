import { z } from 'zod';
import { customerStatuses, optionalText, phoneField, requiredText } from '../../customers/schemas.ts';
import { orgChoiceFields } from '../../institutions/schemas.ts';
import { checkbox, versionField } from '../schemas.ts';

/** *Customer Information*: the core fields (status has its own form, with a reason). */
export const customerInformationForm = z.object({
  name: requiredText(200, "Enter the customer's name.", 'The name'),
  email: optionalText(320, 'The e-mail address')
    .refine((v) => v === null || z.email().safeParse(v).success, {
      message: 'Enter a valid e-mail address, like name@example.com.',
    })
    .transform((v) => v?.toLowerCase() ?? null),
  phone: phoneField,
  sales_person: optionalText(100, 'Sales person'),
  branch: optionalText(100, 'Branch'),
  is_corporate: checkbox,
  ...orgChoiceFields,
  version: versionField,
});

export const statusChangeForm = z.object({
  status: z.enum(customerStatuses, { error: 'Choose a status.' }),
  reason: requiredText(500, 'Say why the status changes.', 'The reason'),
  version: versionField,
});
