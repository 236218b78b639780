import type { Knex } from 'knex';

/**
 * Customer search terms as people type them, drawn from the database: parts of names, whole names,
 * account numbers with and without their letters, starts of e-mails, Custom Account IDs, ends of phone
 * numbers, external customer numbers, and terms that match nothing. Used by bench/customer-search.ts and the customers bench scenario.
 */
export async function customerSearchTerms(db: Knex, random: () => number, sampleSize = 200): Promise<string[]> {
  const { maxId } = (await db('customers').max({ maxId: 'id' }).first()) as { maxId: number };
  const sample: {
    name: string;
    account_number: string;
    email: string | null;
    custom_account_id: string | null;
    phone: string | null;
  }[] = await db('customers')
    .whereIn(
      'id',
      Array.from({ length: sampleSize }, () => 1 + Math.floor(random() * Number(maxId))),
    )
    .select('name', 'account_number', 'email', 'custom_account_id', 'phone');
  const numbers: string[] = (
    await db('external_customer_numbers').orderBy('id').limit(sampleSize).select('number')
  ).map((n) => n.number);
  const terms: string[] = [];
  for (const c of sample) {
    const words = c.name.split(' ');
    const word = words[Math.floor(random() * words.length)];
    terms.push(
      word.slice(0, 2 + Math.floor(random() * Math.max(1, word.length - 1))), // a name being typed (2+ characters)
      c.name, // a whole name
      c.account_number, // an account number read out on the phone
      c.account_number.slice(4), // its digits without the LD00
      (c.email ?? '').split('@')[0].slice(0, 6), // the start of an e-mail
      c.custom_account_id ?? `zq${Math.floor(random() * 1e4)}x`, // a custom id, or nothing that exists
      (c.phone ?? '').slice(-7), // the end of a phone number
    );
    if (numbers.length) terms.push(numbers[Math.floor(random() * numbers.length)]); // an external customer number
  }
  return terms.filter((t) => t.trim().length >= 2);
}

/** Terms of exactly `length` characters as typed into the search: from a word's start in real names. */
export async function commonTermsOfLength(
  db: Knex,
  random: () => number,
  length: number,
  count = 20,
): Promise<string[]> {
  const { maxId } = (await db('customers').max({ maxId: 'id' }).first()) as { maxId: number };
  const ids = Array.from({ length: count * 4 }, () => 1 + Math.floor(random() * Number(maxId)));
  const names: string[] = (await db('customers').whereIn('id', ids).select('name')).map((c) => c.name);
  const terms = names.flatMap((name) => {
    const starts = [...name.matchAll(/\b[A-Za-z]/g)].map((m) => m.index).filter((i) => name.length - i >= length);
    const start = starts[Math.floor(random() * starts.length)];
    return start === undefined ? [] : [name.slice(start, start + length)];
  });
  return [...new Set(terms.map((t) => t.toLowerCase()))].filter((t) => t.trim().length === length).slice(0, count);
}

/** Letter runs no generated name, e-mail or id contains (checked on the seeded data), of 2, 3 and 8 characters. */
export const absentTerms: Record<number, string[]> = {
  2: ['qz', 'xj', 'zx', 'jq', 'qx'],
  3: ['zqx', 'xjq', 'qzj', 'jxq'],
  8: ['qzxjvkwy', 'xjqzwkvy', 'zqxjkvwq'],
};
