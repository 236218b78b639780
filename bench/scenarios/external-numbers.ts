import type { BenchContext, Scenario } from '../types.ts';

// Two- and three-character terms, as a person types them into the pop-up.
const terms = ['ma', 'br', 'sm', 'gen', 'ca', 'yo', 'pat', 'le', 'zz', 'no'];

export default async function externalNumberScenarios(_ctx: BenchContext): Promise<Scenario[]> {
  return [
    {
      name: 'external numbers type-ahead (institutions)',
      as: 'support@example.com',
      paths: terms.map((q) => `/external-numbers/search?kind=institution&q=${q}`),
      target: { medianMs: 20 },
    },
    {
      name: 'external numbers type-ahead (groups)',
      as: 'support@example.com',
      paths: terms.map((q) => `/external-numbers/search?kind=group&q=${q}`),
      target: { medianMs: 20 },
    },
    { name: 'external numbers page', as: 'admin@example.com', paths: ['/external-numbers'] },
  ];
}
