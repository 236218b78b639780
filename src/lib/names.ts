/** Folds a name for search and duplicate detection: lower case, accents, punctuation and spacing removed. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '');
}

const keyAlphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The range of name keys that start with `prefix` (itself a name key): `from <= key < to`, `to` null when
 * unbounded. A range on the plain index, unlike LIKE, is used by SQLite's planner and by PostgreSQL under
 * any collation, because keys hold only [0-9a-z] and the bound stays inside that alphabet.
 */
export function nameKeyRange(prefix: string): { from: string; to: string | null } {
  let stem = prefix;
  while (stem.length > 0) {
    const next = keyAlphabet.indexOf(stem[stem.length - 1]) + 1;
    if (next > 0 && next < keyAlphabet.length) return { from: prefix, to: stem.slice(0, -1) + keyAlphabet[next] };
    stem = stem.slice(0, -1);
  }
  return { from: prefix, to: null };
}
