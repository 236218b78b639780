import type { TextIndex } from '../../db/text-search.ts';

/**
 * The customer columns a search term is looked for in (B3: the Custom Account ID is searchable
 * everywhere; D1: the phone number too, as digits whatever its format), accents folded. The effective
 * external customer number and service numbers are not customer columns: search.ts adds those customers.
 */
export const customerSearchIndex: TextIndex = {
  name: 'customer_search',
  table: 'customers',
  columns: ['name', 'account_number', 'email', 'custom_account_id', 'phone_digits'],
  foldAccents: true,
};

/**
 * The normalised start of a name, for two-character terms the text index cannot answer. The same
 * expression is indexed (see the migration) and queried, on SQLite and PostgreSQL alike.
 */
export const NAME_START_SQL = 'lower(substr(customers.name, 1, 2))';
