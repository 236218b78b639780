import type { Queryable } from '../../../db/index.ts';
import { preparedQuery } from '../../../db/prepared.ts';
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
  return (await latestPinned(db, { customerId })).slice(0, limit);
}

/** The most pinned notes any page shows (*Notes*; *Account Summary* shows three). */
export const PINNED_NOTES_SHOWN = 50;

// Prepared, as the landing tab (*Account Summary*) shows the first few; one statement for every length.
const latestPinned = preparedQuery<{ customerId: number }, Record<string, unknown>>((db, param) =>
  notesWithAuthor(db, param('customerId') as unknown as number)
    .where('n.pinned', true)
    .orderBy('n.id', 'desc')
    .limit(PINNED_NOTES_SHOWN),
);

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
