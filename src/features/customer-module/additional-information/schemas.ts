import { z } from 'zod';
import { customAccountIdField } from '../../customers/schemas.ts';
import { versionField } from '../schemas.ts';

/** Edit on the *Additional Information* tab; the version refuses a stale edit. */
export const additionalInformationForm = z.object({ custom_account_id: customAccountIdField, version: versionField });
