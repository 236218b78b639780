import { extname } from 'node:path';
import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import { deleteAudited, insertAudited } from '../../audit/audit.ts';
import { ownedRow } from '../queries.ts';

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** What may be uploaded, by extension, and the type it is served back as (never what the browser claimed). */
const allowedTypes: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.odt': 'application/vnd.oasis.opendocument.text',
};
export const allowedExtensions = Object.keys(allowedTypes);

/** An uploaded file as the multipart parser hands it to the route. */
export type UploadedFile = { filename: string; content: Buffer; truncated: boolean };

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).content);
}

/** Checks an upload against the limits; gives the stored name and type, or the message for the field. */
export function checkUpload(
  file: unknown,
): { ok: true; filename: string; content_type: string; content: Buffer } | { ok: false; error: string } {
  if (!isUploadedFile(file) || (file.filename === '' && file.content.length === 0))
    return { ok: false, error: 'Choose a file to upload.' };
  if (file.truncated)
    return {
      ok: false,
      error: `The file is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB. Upload a smaller file.`,
    };
  if (file.content.length === 0) return { ok: false, error: 'The file is empty.' };
  // Only the base name, without control characters, so it is safe in a header and on screen.
  const filename = file.filename
    .split(/[\\/]/)
    .pop()!
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a safe file name drops
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .slice(0, 255);
  const type = allowedTypes[extname(filename).toLowerCase()];
  if (!type)
    return { ok: false, error: `Files of this type cannot be uploaded. Allowed: ${allowedExtensions.join(' ')}.` };
  return { ok: true, filename, content_type: type, content: file.content };
}

/** Content-Disposition for a download, with a plain fallback name and the exact name encoded (RFC 6266). */
export function attachmentHeader(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/* The writes, audited: a document's contents stay out of the audit log. */

export async function addDocument(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  file: { filename: string; content_type: string; content: Buffer },
): Promise<number> {
  return insertAudited(
    db,
    { table: 'documents', customerId, actor: actorOf(user) },
    {
      filename: file.filename,
      content_type: file.content_type,
      content: file.content,
      size_bytes: file.content.length,
      customer_id: customerId,
      uploaded_by_user_id: user.id,
      created_at: nowIso(),
    },
    ['content'],
  );
}

export async function removeDocument(db: Queryable, user: StaffPrincipal, customerId: number, id: number) {
  await inTransaction(db, async (trx) => {
    await ownedRow(trx, 'documents', customerId, id, 'This document', ['id']);
    await deleteAudited(trx, { table: 'documents', id, customerId, actor: actorOf(user) }, ['content']);
  });
}
