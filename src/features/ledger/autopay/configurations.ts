import type { Actor } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { HttpError, notFound } from '../../../lib/http-error.ts';
import { auditCreated, recordChanges, updateAudited } from '../../audit/audit.ts';
import { activePaymentMethods } from '../payment-methods.ts';
import { type Condition, conditionProblem } from './engine.ts';
import { knownLineItems } from './queries.ts';

export type ConfigurationInput = { paymentMethodId: number; conditions: Condition[] };

/**
 * Who changes a configuration: staff may change any; the customer's contacts (the portal, E14) never a
 * locked one, and never move one past a locked one (E12 *Lock*: "even if they have user permissions").
 */
export type Editor = 'staff' | 'contact';

/** A contact asked to change a locked configuration, or to move another past it. */
export class ConfigurationLocked extends HttpError {
  constructor() {
    super(403, 'This Autopay configuration is locked. Ask us if it should change.');
  }
}

/** A configuration the server refuses (E12): every problem at once, by field, for showing beside them. */
export class ConfigurationInvalid extends HttpError {
  constructor(readonly errors: FieldErrors) {
    super(422, 'This configuration cannot be saved yet.');
  }
}

/**
 * What is wrong with a configuration, checked against the database: a method of this customer still in
 * use, and rows the engine can use, with line item names this customer has been billed for.
 */
export async function configurationProblems(
  db: Queryable,
  customerId: number,
  input: ConfigurationInput,
): Promise<FieldErrors> {
  const [methods, lineItems] = await Promise.all([
    activePaymentMethods(db, customerId),
    knownLineItems(db, customerId),
  ]);
  const errors: FieldErrors = {};
  if (!methods.some((m) => m.id === input.paymentMethodId))
    errors.payment_method_id = 'Choose one of this customer’s payment methods.';
  const known = new Set(lineItems.map((name) => name.toLowerCase()));
  input.conditions.forEach((condition, i) => {
    const problem = conditionProblem(condition, known);
    if (problem) errors[`row.${i}`] = problem;
  });
  return errors;
}

async function validated(db: Queryable, customerId: number, input: ConfigurationInput) {
  const errors = await configurationProblems(db, customerId, input);
  if (Object.keys(errors).length) throw new ConfigurationInvalid(errors);
  return { payment_method_id: input.paymentMethodId, conditions: JSON.stringify(input.conditions) };
}

/** Adds a configuration at the bottom of the list (last in precedence), audited. Returns its id. */
export async function createConfiguration(
  db: Queryable,
  customerId: number,
  input: ConfigurationInput,
  actor: Actor,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const values = await validated(trx, customerId, input);
    const last = await trx('autopay_configurations').where('customer_id', customerId).max({ p: 'position' }).first();
    const now = nowIso();
    const row = {
      customer_id: customerId,
      ...values,
      position: Number(last?.p ?? 0) + 1,
      locked: false,
      disabled: false,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    const [{ id }] = await trx('autopay_configurations').insert(row).returning('id');
    await auditCreated(
      trx,
      { table: 'autopay_configurations', id, customerId, actor },
      { payment_method_id: row.payment_method_id, conditions: row.conditions, position: row.position },
    );
    return id as number;
  });
}

async function ownConfiguration(db: Queryable, customerId: number, id: number, editor: Editor) {
  const row = await db('autopay_configurations').where({ id, customer_id: customerId }).first();
  if (!row) throw notFound('This Autopay configuration');
  if (editor === 'contact' && Number(row.locked)) throw new ConfigurationLocked();
  return row;
}

/** Saves an edited configuration; refused when someone changed it since the form was opened. */
export async function updateConfiguration(
  db: Queryable,
  customerId: number,
  id: number,
  input: ConfigurationInput & { version?: number },
  actor: Actor,
  editor: Editor = 'staff',
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await ownConfiguration(trx, customerId, id, editor);
    const values = await validated(trx, customerId, input);
    await updateAudited(
      trx,
      { table: 'autopay_configurations', id, customerId, actor, expectedVersion: input.version },
      values,
    );
  });
}

/** *Lock* (the customer's contacts may not change it) or *DISABLE* (never pays) on or off, audited. */
export async function setConfigurationFlag(
  db: Queryable,
  customerId: number,
  id: number,
  flag: 'locked' | 'disabled',
  on: boolean,
  actor: Actor,
  editor: Editor = 'staff',
): Promise<void> {
  if (editor === 'contact' && flag === 'locked') throw new HttpError(403, 'Only staff lock a configuration.');
  await inTransaction(db, async (trx) => {
    await ownConfiguration(trx, customerId, id, editor);
    await updateAudited(trx, { table: 'autopay_configurations', id, customerId, actor }, { [flag]: on });
  });
}

/** The new order after one step up or down of a configuration. */
export function orderAfterMove(order: readonly number[], id: number, direction: 'up' | 'down'): number[] {
  const next = [...order];
  const from = next.indexOf(id);
  const to = direction === 'up' ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= next.length) return next;
  [next[from], next[to]] = [next[to], next[from]];
  return next;
}

/**
 * Puts the customer's configurations in the given order (top first: first in precedence). The order
 * must name each of them once; each position that changes is audited.
 */
export async function reorderConfigurations(
  db: Queryable,
  customerId: number,
  change: { order: number[] } | { move: { id: number; direction: 'up' | 'down' } },
  actor: Actor,
  editor: Editor = 'staff',
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const rows: { id: number; position: number; locked: unknown }[] = await trx('autopay_configurations')
      .where('customer_id', customerId)
      .orderBy(['position', 'id'])
      .select('id', 'position', 'locked');
    const current = rows.map((r) => r.id);
    const order = 'order' in change ? change.order : orderAfterMove(current, change.move.id, change.move.direction);
    if (order.length !== current.length || [...order].sort().join() !== [...current].sort().join())
      throw new HttpError(409, 'The list changed while you were reordering it. Look at it again.');
    if (editor === 'contact' && rows.some((r, index) => Number(r.locked) && order[index] !== r.id))
      throw new ConfigurationLocked();
    for (const [index, id] of order.entries()) {
      const before = rows.find((r) => r.id === id)!;
      if (before.position === index + 1) continue;
      await trx('autopay_configurations')
        .where('id', id)
        .update({ position: index + 1, version: trx.raw('version + 1'), updated_at: nowIso() });
      await recordChanges(
        trx,
        { table: 'autopay_configurations', id, customerId, actor },
        { position: before.position },
        { position: index + 1 },
      );
    }
  });
}
