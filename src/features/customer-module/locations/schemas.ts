import { z } from 'zod';
import { addressFields, requiredText } from '../../customers/schemas.ts';
import { checkbox } from '../schemas.ts';

export const locationForm = z.object({
  label: requiredText(100, 'Name this location, e.g. Head office.', 'The name'),
  ...addressFields,
  is_bill_to: checkbox,
});
