import type { Queryable } from '../../../db/index.ts';
import { newestFirstPage } from '../queries.ts';

const DOCUMENTS_PAGE_SIZE = 50;

/** One page of the customer's documents, newest first, without their contents. */
export async function documentsPage(db: Queryable, customerId: number, before: number | undefined) {
  const query = db('documents as d')
    .leftJoin('users as u', 'u.id', 'd.uploaded_by_user_id')
    .where('d.customer_id', customerId)
    .select('d.id', 'd.filename', 'd.content_type', 'd.size_bytes', 'd.created_at', 'u.name as uploaded_by');
  return newestFirstPage(query, 'd.id', before, DOCUMENTS_PAGE_SIZE);
}
