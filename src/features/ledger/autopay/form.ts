import type { Actor } from '../../../auth/principal.ts';
import type { Queryable } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { HttpError } from '../../../lib/http-error.ts';
import { ConfigurationInvalid, createConfiguration, type Editor, updateConfiguration } from './configurations.ts';
import { operatorLabels, operatorsFor, skipReasonTexts, triggerLabels, triggers } from './engine.ts';
import type { ConfigurationView } from './queries.ts';
import { conditionsOfForm, configurationForm, formIntent, MAX_ROWS, orderForm } from './schemas.ts';

/**
 * The Autopay pages' forms (E12) as the staff page and the portal (E14) both handle them: the rows as
 * typed, the add- and remove-row buttons, saving, and the list's reorder buttons. No Fastify here.
 */

/** What the templates need to name triggers and operators and to say why a skip happened. */
export const autopayWords = {
  triggers,
  triggerLabels,
  operatorLabels,
  operatorsFor,
  skipReasonTexts,
  maxRows: MAX_ROWS,
};

/** A list action's form, or 400: only a tampered or stale page sends anything else. */
export function parsedOr400<T>(result: { success: true; data: T } | { success: false }): T {
  if (!result.success) throw new HttpError(400, 'That request could not be understood. Reload the page and try again.');
  return result.data;
}

export type FormRow = { trigger: string; operator: string; value: string };

/** The rows as typed, for showing the form again: one entry per row, however the fields arrived. */
export function rowsOf(body: Record<string, unknown>): FormRow[] {
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const [t, o, v] = [list(body.trigger), list(body.operator), list(body.value)];
  const count = Math.max(1, t.length, o.length, v.length);
  return Array.from({ length: count }, (_, i) => ({ trigger: t[i] ?? '', operator: o[i] ?? '', value: v[i] ?? '' }));
}

/** The edit form of a saved configuration: its rows and the version it was read at. */
export function editForm(configuration: ConfigurationView) {
  return {
    rows: configuration.conditions.map((c) => ({
      trigger: c.trigger,
      operator: c.operator,
      value: c.values.join(', '),
    })),
    values: { payment_method_id: configuration.method.id, version: configuration.version } as Record<string, unknown>,
    errors: {} as FieldErrors,
  };
}

export type FormOutcome =
  | { saved: true; message: string }
  | {
      saved: false;
      status: 200 | 422;
      rows: FormRow[];
      values: Record<string, unknown>;
      errors: FieldErrors;
      focusRow?: number;
    };

/**
 * A submitted configuration form: save (a new one goes to the bottom of the list), or add or remove a row
 * (nothing saved: the form comes back with the rows changed). Refusals come back with the form.
 */
export async function submitConfigurationForm(
  db: Queryable,
  input: { customerId: number; id?: number; body: unknown; editor?: Editor },
  actor: Actor,
): Promise<FormOutcome> {
  const body = submittedValues(input.body);
  const rows = rowsOf(body);
  const { intent } = formIntent.parse(body);
  if (intent === 'add_row' && rows.length < MAX_ROWS) rows.push({ trigger: '', operator: '', value: '' });
  if (intent.startsWith('remove_row:') && rows.length > 1) rows.splice(Number(intent.slice(11)), 1);
  // The new row's trigger takes the focus, so the keyboard user carries on where the row appeared.
  const focusRow = intent === 'add_row' ? rows.length - 1 : undefined;
  if (intent !== 'save') return { saved: false, status: 200, rows, values: body, errors: {}, focusRow };
  const form = parseForm(configurationForm, body);
  if (!form.ok) return { saved: false, status: 422, rows, values: body, errors: form.errors };
  const configuration = {
    paymentMethodId: form.data.payment_method_id,
    conditions: conditionsOfForm(form.data),
    version: form.data.version,
  };
  try {
    if (input.id) await updateConfiguration(db, input.customerId, input.id, configuration, actor, input.editor);
    else await createConfiguration(db, input.customerId, configuration, actor);
  } catch (error) {
    if (!(error instanceof ConfigurationInvalid)) throw error;
    return { saved: false, status: 422, rows, values: body, errors: error.errors };
  }
  return {
    saved: true,
    message: input.id ? 'Autopay configuration saved.' : 'Autopay configuration added at the bottom of the list.',
  };
}

/** The reorder form: the whole new order (a drag) or one step of one configuration (the arrows). */
export function orderChange(body: unknown) {
  const form = parsedOr400(orderForm.safeParse(body));
  if ('order' in form) return { order: form.order };
  const [id, direction] = form.move.split(':');
  return { move: { id: Number(id), direction: direction === 'up' ? ('up' as const) : ('down' as const) } };
}
