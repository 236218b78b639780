import type { Actor } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import type { PaymentGateway } from './gateway.ts';
import { containsCardNumber } from './payment-method-numbers.ts';
import {
  activePaymentMethod,
  PaymentMethodRefused,
  type PaymentMethodRow,
  savePaymentMethod,
} from './payment-methods.ts';
import { paymentMethodForm } from './schemas.ts';

/**
 * The *Payment Methods* form (E10) as the staff billing pages and the portal (E14) both use it: what the
 * form shows and what a submission does, so the two differ only in where they live and who is acting.
 */

/** Fields that are never sent back to the browser, not even to refill a form. */
const SECRET_FIELDS = ['card_number', 'cvc', 'account_number'] as const;

/** The submitted values without card or account numbers (for refilling a form that failed). */
function withoutSecrets(body: unknown): Record<string, unknown> {
  const values = { ...((body ?? {}) as Record<string, unknown>) };
  for (const field of SECRET_FIELDS) delete values[field];
  // A card number typed into a free-text field is refused, and not sent back either.
  for (const [field, value] of Object.entries(values))
    if (typeof value === 'string' && containsCardNumber(value)) values[field] = '';
  return values;
}

/** What `views/ledger/payment-methods/form.eta` needs besides the page's context. */
export function paymentMethodFormData(
  values: Record<string, unknown>,
  errors: FieldErrors,
  replacing: PaymentMethodRow | undefined,
) {
  return {
    kind: values.kind === 'ach' ? ('ach' as const) : ('card' as const),
    values,
    errors,
    replacing: replacing ?? null,
    thisYear: new Date().getUTCFullYear(),
    secretsCleared: Object.keys(errors).length > 0,
  };
}

/** EDIT asks for everything again: only the kind, the name and the country carry over. */
export function editValues(method: PaymentMethodRow, kind: 'card' | 'ach' | undefined): Record<string, unknown> {
  return { kind: kind ?? method.kind, friendly_name: method.friendly_name, country: method.country ?? 'US' };
}

export type PaymentMethodSubmission =
  | { ok: true; method: PaymentMethodRow; message: string }
  | { ok: false; form: ReturnType<typeof paymentMethodFormData> };

/**
 * Parses the form and stores the method through the gateway (EDIT: in place of the customer's method
 * `replacingId`, 404 if it is not one in use); a refusal comes back as the form to show again.
 */
export async function submitPaymentMethod(
  db: Db,
  gateway: PaymentGateway,
  input: { customerId: number; body: unknown; replacingId?: number },
  actor: Actor,
): Promise<PaymentMethodSubmission> {
  const replacing = input.replacingId ? await activePaymentMethod(db, input.customerId, input.replacingId) : undefined;
  const refused = (errors: FieldErrors) => ({
    ok: false as const,
    form: paymentMethodFormData(withoutSecrets(input.body), errors, replacing),
  });
  const form = parseForm(paymentMethodForm, input.body);
  if (!form.ok) return refused(form.errors);
  try {
    const method = await savePaymentMethod(
      db,
      gateway,
      { customerId: input.customerId, ...form.data },
      actor,
      replacing,
    );
    const message = `${method.friendly_name} (${method.brand} ending ${method.last4}) was added. No payment was taken.`;
    return { ok: true, method, message };
  } catch (error) {
    if (!(error instanceof PaymentMethodRefused)) throw error;
    return refused({ _form: error.message });
  }
}
