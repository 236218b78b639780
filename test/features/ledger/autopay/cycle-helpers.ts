/** What the Autopay cycle tests share: a database other processes can open, and a gateway that counts. */
import { migrateToLatest } from '../../../../src/db/migrate.ts';
import type { ChargeResult, PaymentGateway } from '../../../../src/features/ledger/gateway.ts';
import { openEmptyTestDatabase } from '../../../helpers/app.ts';

type Tap = { teardown(fn: () => unknown): void };

/** A migrated database of its own (SQLite file, or a PostgreSQL schema), which other processes can open too. */
export async function migratedDatabase(t: Tap) {
  const { db, config } = await openEmptyTestDatabase(t);
  await migrateToLatest(db);
  return { db, database: config.database };
}

/** A gateway that approves every card but the sandbox's decline card, and remembers every charge. */
export function countingGateway() {
  const charged: string[] = [];
  const gateway: PaymentGateway = {
    tokenize: () => Promise.reject(new Error('not used')),
    charge: async (request): Promise<ChargeResult> => {
      charged.push(request.idempotencyKey);
      return request.token.includes('_decline_')
        ? { status: 'declined', ref: `d_${request.idempotencyKey}`, reason: 'Card declined.' }
        : { status: 'approved', ref: `a_${request.idempotencyKey}` };
    },
    retrieve: async (ref) => ({ status: 'approved', ref }),
  };
  return { gateway, charged };
}
