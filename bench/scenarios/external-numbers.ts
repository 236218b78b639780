import type { BenchContext, Scenario } from '../types.ts';

// Two- and three-character terms, as a person types them into the pop-up.
const terms = ['ma', 'br', 'sm', 'gen', 'ca', 'yo', 'pat', 'le', 'zz', 'no'];

/**
 * The external numbers page and its type-ahead; issue 19: the inline edit's PUT on rows not edited before
 * (version 1), each sent with the version its previous edit left, counted in the database afterwards.
 */
export default async function externalNumberScenarios({ db }: BenchContext): Promise<Scenario[]> {
  const rows: { id: number }[] = await db('external_customer_numbers')
    .where('version', 1)
    .orderBy('id')
    .limit(20_000)
    .select('id');
  const ids = rows.map((r) => r.id);
  return [
    {
      name: 'external numbers type-ahead (institutions)',
      as: 'support@example.com',
      paths: terms.map((q) => `/external-numbers/search?kind=institution&q=${q}`),
      target: { medianMs: 20 },
      probe: true,
    },
    {
      name: 'external numbers type-ahead (groups)',
      as: 'support@example.com',
      paths: terms.map((q) => `/external-numbers/search?kind=group&q=${q}`),
      target: { medianMs: 20 },
    },
    { name: 'external numbers page', as: 'admin@example.com', paths: ['/external-numbers'] },
    {
      name: 'external number inline edit PUT',
      as: 'admin@example.com',
      method: 'PUT',
      htmx: true,
      paths: ids.map((id) => `/external-numbers/${id}`),
      bodies: ids.map((id) => `number=BENCH-${id}-{visit+1}&version={visit+1}`),
      okStatus: 200,
      recorded: async (knex) =>
        Number(
          (
            (await knex('external_customer_numbers')
              .whereIn('id', ids)
              .sum({ edits: knex.raw('version - 1') })
              .first()) as {
              edits: number | null;
            }
          ).edits ?? 0,
        ),
    },
  ];
}
