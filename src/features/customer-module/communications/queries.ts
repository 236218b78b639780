import type { Queryable } from '../../../db/index.ts';
import { newestFirstPage } from '../queries.ts';

const COMMUNICATIONS_PAGE_SIZE = 25;

function notesWithAuthor(db: Queryable, customerId: number) {
  return db('notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_user_id')
    .where('n.customer_id', customerId)
    .select('n.id', 'n.body', 'n.pinned', 'n.created_at', 'u.name as author_name');
}

/** The pinned notes, newest first: on top of *Notes*, and the first few on *Account Summary*. */
export async function pinnedNotes(db: Queryable, customerId: number, limit: number) {
  return notesWithAuthor(db, customerId).where('n.pinned', true).orderBy('n.id', 'desc').limit(limit);
}

/** One page of the notes not pinned, newest first. */
export async function unpinnedNotesPage(db: Queryable, customerId: number, before: number | undefined) {
  return newestFirstPage(
    notesWithAuthor(db, customerId).where('n.pinned', false),
    'n.id',
    before,
    COMMUNICATIONS_PAGE_SIZE,
  );
}

/** One page of the letters kept, newest first. */
export async function lettersPage(db: Queryable, customerId: number, before: number | undefined) {
  const query = db('letters as l')
    .leftJoin('users as u', 'u.id', 'l.author_user_id')
    .where('l.customer_id', customerId)
    .select('l.id', 'l.subject', 'l.template', 'l.created_at', 'u.name as author_name');
  return newestFirstPage(query, 'l.id', before, COMMUNICATIONS_PAGE_SIZE);
}
