import type { Queryable } from '../../db/index.ts';

/**
 * The customer's open balance in cents, shown in the header (D2) and on *Account Summary*.
 * Zero until the billing ledger exists: the billing issue replaces this body with its own figure.
 */
export async function customerBalanceCents(_db: Queryable, _customerId: number): Promise<number> {
  return 0;
}
