import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { asksForConfirmation } from '../../../lib/forms.ts';
import { beforeQuery } from '../../../lib/keyset.ts';
import { customerConfirmation } from '../confirmation.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../frame.ts';
import { ownedRow } from '../queries.ts';
import {
  addDocument,
  allowedExtensions,
  attachmentHeader,
  checkUpload,
  MAX_DOCUMENT_BYTES,
  removeDocument,
  type UploadedFile,
} from './documents.ts';
import { documentsPage } from './queries.ts';

/**
 * *Documents*: upload, download, delete. An upload's CSRF token (in the form action) is checked before
 * its body is read (plugins/session.ts); then the one file is buffered up to the size limit, and a
 * larger file is cut off and refused with a message beside the field rather than a bare error.
 */
export default async function documentRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // onRequest: the wrong principal is refused before an upload's body is read.
  app.addHook('onRequest', requireStaff('admin', 'support', 'reseller'));
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10, fieldSize: 1024, parts: 12 },
    async onFile(part: MultipartFile) {
      const content = await part.toBuffer();
      const file: UploadedFile = { filename: part.filename, content, truncated: part.file.truncated };
      part.value = file;
    },
  });

  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);
  const documentIdOf = (request: FastifyRequest) => rowIdFrom(request, 'This document');

  async function documents(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    errors: FieldErrors = {},
  ) {
    const { before } = beforeQuery.parse(request.query);
    return renderCustomerTab(db, reply, customer, 'documents', 'customer-module/documents/index', {
      documents: await documentsPage(db, customer.id, before),
      errors,
      allowedExtensions,
      maxMegabytes: MAX_DOCUMENT_BYTES / 1024 / 1024,
    });
  }

  app.get('/customers/:id/documents', async (request, reply) => documents(request, reply, await customerIn(request)));

  app.post('/customers/:id/documents', async (request, reply) => {
    const customer = await customerIn(request);
    const upload = checkUpload((request.body as Record<string, unknown> | undefined)?.file);
    if (!upload.ok) return documents(request, reply.code(422), customer, { file: upload.error });
    await addDocument(db, staffOf(request), customer.id, upload);
    request.flash('success', `${upload.filename} uploaded.`);
    return reply.seeOther(`/customers/${customer.id}/documents`);
  });

  app.get('/customers/:id/documents/:rowId', async (request, reply) => {
    const customer = await customerIn(request);
    const doc = await ownedRow<{ filename: string; content_type: string; content: Uint8Array }>(
      db,
      'documents',
      customer.id,
      documentIdOf(request),
      'This document',
      ['filename', 'content_type', 'content'],
    );
    return reply
      .header('Content-Type', doc.content_type)
      .header('Content-Disposition', attachmentHeader(doc.filename))
      .header('Cache-Control', 'private, no-store')
      .send(Buffer.from(doc.content));
  });

  app.post('/customers/:id/documents/:rowId/delete', async (request, reply) => {
    const customer = await customerIn(request);
    if (asksForConfirmation(request.body))
      return reply.confirmation(
        customerConfirmation(customer.id, 'documents', documentIdOf(request), {
          verb: 'Delete',
          noun: 'document',
          action: 'delete',
        }),
      );
    await removeDocument(db, staffOf(request), customer.id, documentIdOf(request));
    request.flash('success', 'Document deleted.');
    return reply.seeOther(`/customers/${customer.id}/documents`);
  });
}
