import type { z } from 'zod';
import type { Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import type { exemptionForm, taxRateForm } from './schemas.ts';

/** Adds a tax rate (D6): it applies to invoices of the next bill run on. */
export async function addTaxRate(db: Queryable, rate: z.infer<typeof taxRateForm>): Promise<void> {
  await db('tax_rates').insert({
    name: rate.name,
    country: rate.country,
    region: rate.region,
    city: rate.city,
    charge_kind: rate.charge_kind,
    rate_millipercent: rate.rate,
    created_at: nowIso(),
  });
}

/** Records a customer's exemption certificate; an unknown account number is refused beside the field. */
export async function addExemption(
  db: Queryable,
  exemption: z.infer<typeof exemptionForm>,
  userId: number | null,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const customer = await db('customers').where('account_number', exemption.account_number).first('id');
  if (!customer) return { ok: false, errors: { account_number: 'No customer has this account number.' } };
  await db('tax_exemptions').insert({
    customer_id: customer.id,
    certificate_ref: exemption.certificate_ref,
    expires_on: exemption.expires_on,
    created_by: userId,
    created_at: nowIso(),
  });
  return { ok: true };
}
