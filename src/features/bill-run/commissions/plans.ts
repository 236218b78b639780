import type { z } from 'zod';
import { insertUnlessTaken } from '../../../db/dialect.ts';
import type { Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import type { planForm } from './schemas.ts';

export const payeeKindLabels = { sales_person: 'Sales person', reseller: 'Reseller' } as const;

/** Adds a commission plan; it accrues on invoices committed from then on. Names are unique. */
export async function addPlan(
  db: Queryable,
  plan: z.infer<typeof planForm>,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const added = await insertUnlessTaken(db, 'commission_plans', {
    name: plan.name,
    payee_kind: plan.payee_kind,
    recurring_bp: plan.recurring,
    usage_bp: plan.usage,
    setup_bp: plan.setup,
    created_at: nowIso(),
  });
  return added ? { ok: true } : { ok: false, errors: { name: 'A plan has this name already.' } };
}
