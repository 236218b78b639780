import type { z } from 'zod';
import type { Actor } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { deleteAudited, insertAudited, type Stale, staleAsOutcome, updateAudited } from '../../audit/audit.ts';
import type { exemptionEditForm, exemptionForm, taxRateForm } from './schemas.ts';

type TaxRateInput = z.infer<typeof taxRateForm>;

const rateColumns = (rate: TaxRateInput) => ({
  name: rate.name,
  country: rate.country,
  region: rate.region,
  city: rate.city,
  charge_kind: rate.charge_kind,
  rate_millipercent: rate.rate,
});

/** Adds a tax rate (D6): it applies to invoices of the next bill run on. */
export async function addTaxRate(db: Queryable, rate: TaxRateInput, actor: Actor): Promise<void> {
  await insertAudited(db, { table: 'tax_rates', actor }, { ...rateColumns(rate), created_at: nowIso() });
}

/**
 * Changes a tax rate from the next bill run on: invoices already made keep the tax lines they were
 * given. A stale version (someone saved since the form was opened) is refused with the current row.
 */
export async function updateTaxRate(
  db: Queryable,
  id: number,
  rate: TaxRateInput & { version: number },
  actor: Actor,
): Promise<{ ok: true } | Stale> {
  return staleAsOutcome(() =>
    inTransaction(db, (trx) =>
      updateAudited(trx, { table: 'tax_rates', id, actor, expectedVersion: rate.version }, rateColumns(rate)),
    ),
  );
}

/** Deletes a tax rate: the next bill run no longer charges it; invoices already made keep their lines. */
export async function deleteTaxRate(db: Queryable, id: number, actor: Actor): Promise<void> {
  await deleteAudited(db, { table: 'tax_rates', id, actor });
}

/** Records a customer's exemption certificate; an unknown account number is refused beside the field. */
export async function addExemption(
  db: Queryable,
  exemption: z.infer<typeof exemptionForm>,
  actor: Actor,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const customer = await db('customers').where('account_number', exemption.account_number).first('id');
  if (!customer) return { ok: false, errors: { account_number: 'No customer has this account number.' } };
  await insertAudited(
    db,
    { table: 'tax_exemptions', customerId: customer.id, actor },
    {
      customer_id: customer.id,
      certificate_ref: exemption.certificate_ref,
      expires_on: exemption.expires_on,
      created_by: actor.userId,
      created_at: nowIso(),
    },
  );
  return { ok: true };
}

/** A renewed or corrected certificate: its reference and expiry (the customer stays the same). */
export async function updateExemption(
  db: Queryable,
  exemption: { id: number; customer_id: number },
  changes: z.infer<typeof exemptionEditForm>,
  actor: Actor,
): Promise<{ ok: true } | Stale> {
  const target = {
    table: 'tax_exemptions',
    id: exemption.id,
    customerId: exemption.customer_id,
    actor,
    expectedVersion: changes.version,
  };
  return staleAsOutcome(() =>
    inTransaction(db, (trx) =>
      updateAudited(trx, target, { certificate_ref: changes.certificate_ref, expires_on: changes.expires_on }),
    ),
  );
}

export async function deleteExemption(
  db: Queryable,
  exemption: { id: number; customer_id: number },
  actor: Actor,
): Promise<void> {
  await deleteAudited(db, { table: 'tax_exemptions', id: exemption.id, customerId: exemption.customer_id, actor });
}
