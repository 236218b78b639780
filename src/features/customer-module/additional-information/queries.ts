import type { Queryable } from '../../../db/index.ts';
import { auditTrail } from '../../audit/audit.ts';

/** The last ten changes of the Custom Account ID, newest first. */
export async function customAccountIdHistory(db: Queryable, customerId: number) {
  return (await auditTrail(db, 'customers', customerId)).filter((e) => e.field === 'custom_account_id').slice(0, 10);
}
