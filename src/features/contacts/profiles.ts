import type { Actor } from '../../auth/principal.ts';
import { permissions } from '../../auth/principal.ts';
import { isUniqueViolationOf } from '../../db/dialect.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { insertAudited, updateAudited } from '../audit/audit.ts';
import type { ProfileInput } from './schemas.ts';

/** Contact profiles (E3): named access levels a reseller's customers' contacts are given; one is the default. */

export class ProfileNameTaken extends HttpError {
  constructor() {
    super(422, 'This reseller already has a profile of that name.');
  }
}

function columnsOf(input: ProfileInput) {
  return {
    name: input.name,
    is_default: input.is_default,
    ...Object.fromEntries(permissions.map((p) => [p, input[p]])),
  };
}

/** Only one default per reseller: making one the default clears the others in the same transaction. */
async function clearOtherDefaults(db: Queryable, resellerId: number, keepId: number | null, actor: Actor) {
  const others: { id: number }[] = await db('contact_profiles')
    .where({ reseller_id: resellerId, is_default: true })
    .whereNot('id', keepId ?? 0)
    .select('id');
  for (const other of others)
    await updateAudited(db, { table: 'contact_profiles', id: other.id, actor }, { is_default: false });
}

async function uniqueName<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolationOf(error, 'contact_profiles', ['reseller_id', 'name'])) throw new ProfileNameTaken();
    throw error;
  }
}

export function createProfile(db: Queryable, resellerId: number, input: ProfileInput, actor: Actor): Promise<number> {
  return uniqueName(() =>
    inTransaction(db, async (trx) => {
      if (input.is_default) await clearOtherDefaults(trx, resellerId, null, actor);
      return insertAudited(
        trx,
        { table: 'contact_profiles', actor },
        { reseller_id: resellerId, ...columnsOf(input), created_at: nowIso() },
      );
    }),
  );
}

export function updateProfile(
  db: Queryable,
  resellerId: number,
  profileId: number,
  input: ProfileInput,
  actor: Actor,
): Promise<void> {
  return uniqueName(() =>
    inTransaction(db, async (trx) => {
      if (input.is_default) await clearOtherDefaults(trx, resellerId, profileId, actor);
      await updateAudited(trx, { table: 'contact_profiles', id: profileId, actor }, columnsOf(input));
    }),
  );
}
