import type { Actor } from '../../auth/principal.ts';
import { insertRows } from '../../db/bulk.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';

type Scalar = string | number | boolean | null | undefined;
type Values = Record<string, Scalar>;

type AuditTarget = {
  /** The table, which is also the audited entity's name. */
  table: string;
  id: number;
  /** The customer the record belongs to, so the customer's history is one lookup. */
  customerId?: number | null;
  actor: Actor;
  /** Why: required for a status change (D4), kept with its audit event. */
  reason?: string | null;
};

/** A write refused because the record changed since the user opened it. Carries the current row. */
export class StaleEditError extends HttpError {
  constructor(readonly current: Record<string, unknown>) {
    super(409, 'Someone else changed this record after you opened it. Their version is shown; make your change again.');
  }
}

export type Stale = { ok: false; stale: Record<string, unknown>; message: string };

/** A save whose stale edit is an outcome the form shows (the current row beside the message), not an error page. */
export async function staleAsOutcome(save: () => Promise<unknown>): Promise<{ ok: true } | Stale> {
  try {
    await save();
    return { ok: true };
  } catch (error) {
    if (error instanceof StaleEditError) return { ok: false, stale: error.current, message: error.message };
    throw error;
  }
}

function asText(value: Scalar): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

function event(
  target: AuditTarget,
  action: string,
  field: string | null,
  oldValue: Scalar,
  newValue: Scalar,
  at: string,
) {
  return {
    entity: target.table,
    entity_id: target.id,
    customer_id: target.customerId ?? null,
    action,
    field,
    old_value: asText(oldValue),
    new_value: asText(newValue),
    actor_user_id: target.actor.userId,
    acting_as: target.actor.actingAs ?? null,
    reason: target.reason ?? null,
    at,
  };
}

/** A stored value as the type of the new one: booleans come back from the database as 1/0. */
function storedAs(stored: Scalar, incoming: Scalar): Scalar {
  return typeof incoming === 'boolean' && stored !== null && stored !== undefined ? Boolean(Number(stored)) : stored;
}

/** The fields whose values differ between two records, compared as stored text. */
export function changedFields(before: Values, after: Values): string[] {
  return Object.keys(after).filter((field) => asText(storedAs(before[field], after[field])) !== asText(after[field]));
}

/** Records the creation of a row with its initial values (call inside the creating transaction). */
export async function auditCreated(db: Queryable, target: AuditTarget, values: Values): Promise<void> {
  await auditSnapshot(db, target, 'create', values);
}

/** Records the deletion of a row with the values it had. */
export async function auditDeleted(db: Queryable, target: AuditTarget, values: Values): Promise<void> {
  await auditSnapshot(db, target, 'delete', values);
}

/** One event per non-empty field: new values for a create, old values for a delete. */
function snapshotEvents(target: AuditTarget, action: 'create' | 'delete', values: Values, at: string) {
  const rows = Object.entries(values)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([field, v]) =>
      action === 'create' ? event(target, action, field, null, v, at) : event(target, action, field, v, null, at),
    );
  return rows.length ? rows : [event(target, action, null, null, null, at)];
}

async function auditSnapshot(
  db: Queryable,
  target: AuditTarget,
  action: 'create' | 'delete',
  values: Values,
): Promise<void> {
  await db('audit_events').insert(snapshotEvents(target, action, values, nowIso()));
}

/** Many events at once (a batch of Autopay payments): one compiled INSERT run per event on SQLite. */
function insertEvents(db: Queryable, events: ReturnType<typeof event>[]): Promise<void> {
  return insertRows(db, 'audit_events', events);
}

/** `auditCreated` for many rows made together (a batch of Autopay payments), in a few INSERTs. */
export async function auditCreatedMany(db: Queryable, created: { target: AuditTarget; values: Values }[]) {
  const at = nowIso();
  await insertEvents(
    db,
    created.flatMap((c) => snapshotEvents(c.target, 'create', c.values, at)),
  );
}

/**
 * The one way audited rows are updated: reads the row, refuses a stale edit when `expectedVersion`
 * is given and differs, writes only changed fields with `version + 1`, and records one audit event per
 * changed field ('status' changes are marked as such). Returns the fields that changed.
 * Must run inside a transaction the caller opened.
 */
export async function updateAudited(
  db: Queryable,
  target: AuditTarget & { expectedVersion?: number },
  changes: Values,
): Promise<string[]> {
  const before = await db(target.table).where({ id: target.id }).first();
  if (!before) throw new HttpError(404, 'This record no longer exists.');
  if (target.expectedVersion !== undefined && before.version !== target.expectedVersion) {
    throw new StaleEditError(before);
  }
  const fields = changedFields(before, changes);
  if (fields.length === 0) return [];
  const update: Record<string, unknown> = Object.fromEntries(fields.map((f) => [f, changes[f] ?? null]));
  if ('updated_at' in before) update.updated_at = nowIso();
  const count = await db(target.table)
    .where({ id: target.id, version: before.version })
    .update({ ...update, version: before.version + 1 });
  if (count !== 1) throw new StaleEditError(await db(target.table).where({ id: target.id }).first());
  await recordChanges(db, target, before, changes);
  return fields;
}

function changeEvents(target: AuditTarget, before: Values, after: Values, at: string) {
  return changedFields(before, after).map((field) =>
    event(
      target,
      field === 'status' ? 'status' : 'update',
      field,
      storedAs(before[field], after[field]),
      after[field],
      at,
    ),
  );
}

/** Records one audit event per field that differs between `before` and `after`; returns those fields. */
export async function recordChanges(
  db: Queryable,
  target: AuditTarget,
  before: Values,
  after: Values,
): Promise<string[]> {
  const events = changeEvents(target, before, after, nowIso());
  if (events.length) await db('audit_events').insert(events);
  return events.map((e) => e.field as string);
}

/** `recordChanges` for many records changed together (a batch of Autopay payments settling), in a few INSERTs. */
export async function recordChangesOfMany(
  db: Queryable,
  changes: { target: AuditTarget; before: Values; after: Values }[],
): Promise<void> {
  const at = nowIso();
  await insertEvents(
    db,
    changes.flatMap((c) => changeEvents(c.target, c.before, c.after, at)),
  );
}

type Row = Record<string, unknown>;

/**
 * Inserts a row and its creation events in one transaction; returns the new id. Columns in `unaudited`
 * (file contents, password hashes) are stored but not copied into the log.
 */
export async function insertAudited(
  db: Queryable,
  target: Omit<AuditTarget, 'id'>,
  values: Row,
  unaudited: readonly string[] = [],
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const [row] = await trx(target.table).insert(values).returning('id');
    const id = typeof row === 'object' ? row.id : row;
    const logged = Object.fromEntries(Object.entries(values).filter(([k]) => !unaudited.includes(k))) as Values;
    await auditCreated(trx, { ...target, id }, logged);
    return id as number;
  });
}

/** Deletes a row and records the values it had, in one transaction (columns in `unaudited` are left out). */
export async function deleteAudited(
  db: Queryable,
  target: AuditTarget,
  unaudited: readonly string[] = [],
): Promise<Row> {
  return inTransaction(db, async (trx) => {
    const row = await trx(target.table).where({ id: target.id }).first();
    if (!row) throw new HttpError(404, 'This record no longer exists.');
    await trx(target.table).where({ id: target.id }).delete();
    const logged = Object.fromEntries(
      Object.entries(row).filter(([k]) => !unaudited.includes(k) && k !== 'id' && k !== 'version'),
    ) as Values;
    await auditDeleted(trx, target, logged);
    return row as Row;
  });
}

/** Records an action that changes no field (e.g. *Impersonate Customer*), with what it concerned. */
export async function auditAction(
  db: Queryable,
  target: AuditTarget,
  action: string,
  detail: string | null = null,
): Promise<void> {
  await db('audit_events').insert(event(target, action, null, null, detail, nowIso()));
}

export type AuditEvent = {
  id: number;
  entity: string;
  entity_id: number;
  action: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  actor_user_id: number | null;
  actor_name: string | null;
  acting_as: string | null;
  reason: string | null;
  at: string;
};

/** The newest audit events of one record, with the actor's name (one query, bounded). */
export async function auditTrail(db: Queryable, entity: string, entityId: number, limit = 100): Promise<AuditEvent[]> {
  return db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .where({ 'a.entity': entity, 'a.entity_id': entityId })
    .orderBy('a.id', 'desc')
    .limit(limit)
    .select('a.*', 'u.name as actor_name');
}
