import type { Tx } from '../../src/db/index.ts';
import { createConfiguration, setConfigurationFlag } from '../../src/features/ledger/autopay/configurations.ts';

const actor = { userId: null, actingAs: 'demo data' };

/**
 * Autopay demo data (E12): Acme Plumbing pays its call charges automatically, and, locked so that its
 * contacts cannot change it, any invoice over $250 once it is 15 days old (the source's own example).
 * The dry run on its Automatic Payments tab and the Payments Calendar show both at once.
 */
export async function seed(trx: Tx): Promise<void> {
  const acme = (await trx('customers').where({ name: 'Acme Plumbing Ltd' }).first('id')).id as number;
  const card = await trx('payment_methods')
    .where({ customer_id: acme, friendly_name: 'Acme Business Visa' })
    .first('id');
  await createConfiguration(
    trx,
    acme,
    {
      paymentMethodId: card.id,
      conditions: [{ trigger: 'line_item', operator: 'one_of', values: ['Call charges', 'Number porting'] }],
    },
    actor,
  );
  const overdue = await createConfiguration(
    trx,
    acme,
    {
      paymentMethodId: card.id,
      conditions: [
        { trigger: 'amount', operator: 'greater_than', values: ['250'] },
        { trigger: 'age', operator: 'at_least', values: ['15'] },
      ],
    },
    actor,
  );
  await setConfigurationFlag(trx, acme, overdue, 'locked', true, actor);
}
