import type { Actor } from '../../auth/principal.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { HttpError, notFound } from '../../lib/http-error.ts';
import { normaliseName } from '../../lib/names.ts';
import { auditCreated, auditDeleted, recordChanges, updateAudited } from '../audit/audit.ts';
import { kindInfo, type OrgKind } from './kinds.ts';
import { sameNameAs } from './queries.ts';

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The record that already carries this name (folded), if any: adding or renaming into it would make a duplicate. */
async function sameNamed(trx: Queryable, kind: OrgKind, name: string, institutionId: number | null, exceptId?: number) {
  return (await sameNameAs(trx, kind, { nameKey: normaliseName(name), institutionId }, exceptId))[0];
}

function nameTaken(kind: OrgKind, existing: { name: string }): Outcome<never> {
  return {
    ok: false,
    errors: {
      name: `${kindInfo[kind].title} “${existing.name}” already has this name (ignoring case, punctuation and spacing).`,
    },
  };
}

/** Adds an institution, or a group (under an institution or none). Refuses a name that would make a duplicate. */
export async function createOrg(
  db: Db,
  kind: OrgKind,
  input: { name: string; institutionId: number | null },
  actor: Actor,
): Promise<Outcome<number>> {
  return db.transaction(async (trx) => {
    const institutionId = kind === 'group' ? input.institutionId : null;
    if (institutionId !== null && !(await trx('institutions').where('id', institutionId).first('id')))
      throw notFound('This institution');
    const existing = await sameNamed(trx, kind, input.name, institutionId);
    if (existing) return nameTaken(kind, existing);
    const values = {
      name: input.name,
      name_key: normaliseName(input.name),
      ...(kind === 'group' ? { institution_id: institutionId } : {}),
    };
    const [row] = await trx(kindInfo[kind].table)
      .insert({ ...values, created_at: nowIso() })
      .returning('id');
    await auditCreated(trx, { table: kindInfo[kind].table, id: row.id, actor }, values);
    return { ok: true, value: row.id };
  });
}

/** Renames a record; refuses a stale edit (StaleEditError) and a name that would make a duplicate. */
export async function renameOrg(
  db: Db,
  kind: OrgKind,
  id: number,
  input: { name: string; version: number },
  actor: Actor,
): Promise<Outcome<null>> {
  return db.transaction(async (trx) => {
    const current = await trx(kindInfo[kind].table).where('id', id).first();
    if (!current) throw notFound(`This ${kindInfo[kind].label}`);
    const existing = await sameNamed(trx, kind, input.name, current.institution_id ?? null, id);
    if (existing) return nameTaken(kind, existing);
    await updateAudited(
      trx,
      { table: kindInfo[kind].table, id, actor, expectedVersion: input.version },
      {
        name: input.name,
        name_key: normaliseName(input.name),
      },
    );
    return { ok: true, value: null };
  });
}

/**
 * Whether everyone at an institution or in a group is billed through its finance department, and so
 * belongs in the external billing file (A7). Refuses a stale edit (StaleEditError).
 */
export async function setBillsExternally(
  db: Db,
  kind: OrgKind,
  id: number,
  input: { billsExternally: boolean; version: number },
  actor: Actor,
): Promise<void> {
  await db.transaction((trx) =>
    updateAudited(
      trx,
      { table: kindInfo[kind].table, id, actor, expectedVersion: input.version },
      { bills_externally: input.billsExternally },
    ),
  );
}

/** Points every row of `table` that refers to `from` at `to`, bumping versions and auditing each row. */
async function moveReferences(
  trx: Queryable,
  table: 'customers' | 'groups',
  column: string,
  from: number,
  to: number,
  actor: Actor,
) {
  const rows: { id: number }[] = await trx(table).where(column, from).select('id');
  if (rows.length === 0) return;
  const changes: Record<string, unknown> = { [column]: to, version: trx.raw('version + 1') };
  if (table === 'customers') changes.updated_at = nowIso();
  await trx(table).where(column, from).update(changes);
  for (const { id } of rows) {
    await recordChanges(
      trx,
      { table, id, customerId: table === 'customers' ? id : null, actor },
      { [column]: from },
      { [column]: to },
    );
  }
}

/**
 * Merges a duplicate into the record that survives: its customers (and, for an institution, its groups)
 * move over, its external customer number moves too unless the survivor has its own (then the survivor's
 * is kept and the duplicate's deleted), and the duplicate is deleted. One transaction, all audited.
 */
export async function mergeOrg(
  db: Db,
  kind: OrgKind,
  duplicateId: number,
  survivorId: number,
  actor: Actor,
): Promise<void> {
  const { table, column, label } = kindInfo[kind];
  await db.transaction(async (trx) => {
    const duplicate = await trx(table).where('id', duplicateId).first();
    const survivor = await trx(table).where('id', survivorId).first();
    if (!duplicate || !survivor) throw notFound(`This ${label}`);
    if (duplicate.id === survivor.id) throw new HttpError(422, `A ${label} cannot be merged into itself.`);

    await moveReferences(trx, 'customers', column, duplicate.id, survivor.id, actor);
    if (kind === 'institution') await moveReferences(trx, 'groups', 'institution_id', duplicate.id, survivor.id, actor);

    const duplicateNumber = await trx('external_customer_numbers').where(column, duplicate.id).first();
    if (duplicateNumber) {
      const survivorNumber = await trx('external_customer_numbers').where(column, survivor.id).first();
      const target = { table: 'external_customer_numbers', id: duplicateNumber.id, actor };
      if (survivorNumber) {
        await trx('external_customer_numbers').where('id', duplicateNumber.id).delete();
        await auditDeleted(trx, target, { [column]: duplicate.id, number: duplicateNumber.number });
      } else {
        await updateAudited(trx, target, { [column]: survivor.id });
      }
    }

    await trx(table).where('id', duplicate.id).delete();
    await auditDeleted(trx, { table, id: duplicate.id, actor }, { name: duplicate.name, merged_into: survivor.id });
  });
}
