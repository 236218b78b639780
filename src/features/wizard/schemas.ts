import { z } from 'zod';

/** Which button submitted a step's form; anything unknown counts as *Next*. */
export const stepAction = z.object({
  action: z
    .enum([
      'next',
      'back',
      'update',
      'find',
      'choose',
      'details',
      'customer-only',
      'add-ticked',
      'change',
      'create',
      'finish',
    ])
    .catch('next'),
});
export type StepAction = z.infer<typeof stepAction>['action'];

// The inventory search's filters are the numbers feature's (Service Details searches the same way).
export {
  defaultFilters,
  filterKeys,
  idList,
  MAX_SEARCH_COUNT,
  type NumberFilterForm,
  numberFilterForm,
} from '../numbers/filters.ts';

/** The Customer tab's type-ahead over the user's customers (C1): name, account number or Custom Account ID. */
export const customerSearchQuery = z.object({
  customer_q: z.string().max(200).catch('').default(''),
});
