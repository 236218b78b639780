import { z } from 'zod';
import { optionalText, requiredText } from '../../customers/schemas.ts';
import { optionalId } from '../schemas.ts';

export const facilityKinds = ['Circuit', 'DSL', 'Fiber', 'T1', 'Ethernet', 'Wireless', 'Other'] as const;

export const facilityForm = z.object({
  name: requiredText(200, 'Name the facility.', 'The name'),
  kind: z.enum(facilityKinds, { error: 'Choose a type.' }),
  circuit_id: optionalText(100, 'The circuit ID'),
  location_id: optionalId().default(null),
});
