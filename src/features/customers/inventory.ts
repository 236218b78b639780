import { z } from 'zod';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import { customerStatuses } from './schemas.ts';
import type { CustomerListRow } from './search.ts';

export const INVENTORY_PAGE_SIZE = 50;

/** *Inventory* filters and the keyset cursor: the name and id of the last customer of the page before. */
export const inventoryQuery = z.object({
  status: z.enum(customerStatuses).optional().catch(undefined),
  kind: z.enum(['business', 'personal']).optional().catch(undefined),
  after_name: z.string().max(200).optional().catch(undefined),
  after_id: z.coerce.number().int().positive().optional().catch(undefined),
});
export type InventoryQuery = z.infer<typeof inventoryQuery>;

export type Inventory = {
  customers: Omit<CustomerListRow, 'reseller_name'>[];
  next: { after_name: string; after_id: number } | null;
};

/**
 * Every customer the user may see, by name, filtered by status and kind (D1). Keyset pagination on
 * (name, id) walks the name index from where the last page ended, so page 1,000 costs what page 1 does.
 */
export async function customerInventory(
  db: Queryable,
  user: StaffPrincipal,
  filters: InventoryQuery,
): Promise<Inventory> {
  const query = customersVisibleTo(db, user)
    .select(
      'customers.id',
      'customers.account_number',
      'customers.name',
      'customers.kind',
      'customers.status',
      'customers.reseller_id',
      'customers.custom_account_id',
      'customers.email',
    )
    .orderBy([{ column: 'customers.name' }, { column: 'customers.id' }])
    .limit(INVENTORY_PAGE_SIZE + 1);
  if (filters.status) query.where('customers.status', filters.status);
  if (filters.kind) query.where('customers.kind', filters.kind);
  if (filters.after_name !== undefined && filters.after_id !== undefined) {
    query.whereRaw('(customers.name, customers.id) > (?, ?)', [filters.after_name, filters.after_id]);
  }
  const rows = (await query) as Inventory['customers'];
  const customers = rows.slice(0, INVENTORY_PAGE_SIZE);
  const last = customers[customers.length - 1];
  return { customers, next: rows.length > INVENTORY_PAGE_SIZE ? { after_name: last.name, after_id: last.id } : null };
}
