import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { parseForm, submittedValues } from '../../../lib/forms.ts';
import { beforeQuery } from '../../../lib/keyset.ts';
import { customerFromRequest, emptyForm, renderCustomerTab, rowIdFrom, type TabForm } from '../frame.ts';
import { ownedRow } from '../queries.ts';
import { communicationsSubTabs } from '../tabs.ts';
import { fillLetter, letterTemplate, letterTemplates, writeLetter } from './letters.ts';
import { addNote, setNotePinned } from './notes.ts';
import { lettersPage, PINNED_NOTES_SHOWN, pinnedNotes, unpinnedNotesPage } from './queries.ts';
import { letterForm, letterQuery, noteForm, pinForm } from './schemas.ts';

const communications = (current: string) => ({ list: communicationsSubTabs, current });

/** *Communications*: Notes (pinned first, then the newest) and Letters (written from a template, a copy kept). */
export default async function communicationRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  async function notes(request: FastifyRequest, reply: FastifyReply, customer: CustomerRow, form = emptyForm()) {
    const { before } = beforeQuery.parse(request.query);
    const [pinned, page] = await Promise.all([
      before ? [] : pinnedNotes(db, customer.id, PINNED_NOTES_SHOWN),
      unpinnedNotesPage(db, customer.id, before),
    ]);
    return renderCustomerTab(db, reply, customer, 'communications', 'customer-module/communications/notes', {
      pinned,
      notes: page,
      form,
      subTabs: communications('notes'),
    });
  }

  app.get('/customers/:id/communications', async (request, reply) => notes(request, reply, await customerIn(request)));

  app.post('/customers/:id/notes', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(noteForm, submittedValues(request.body));
    if (!parsed.ok)
      return notes(request, reply.code(422), customer, {
        values: submittedValues(request.body),
        errors: parsed.errors,
      });
    await addNote(db, staffOf(request), customer.id, parsed.data);
    request.flash('success', 'Note added.');
    return reply.seeOther(`/customers/${customer.id}/communications`);
  });

  app.post('/customers/:id/notes/:rowId/pin', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(pinForm, submittedValues(request.body));
    if (!parsed.ok) return reply.seeOther(`/customers/${customer.id}/communications`);
    await setNotePinned(db, staffOf(request), customer.id, rowIdFrom(request, 'This record'), parsed.data.pinned);
    request.flash('success', parsed.data.pinned ? 'Note pinned.' : 'Note unpinned.');
    return reply.seeOther(`/customers/${customer.id}/communications`);
  });

  async function letters(request: FastifyRequest, reply: FastifyReply, customer: CustomerRow, form?: TabForm) {
    const { before } = beforeQuery.parse(request.query);
    return renderCustomerTab(db, reply, customer, 'communications', 'customer-module/communications/letters', {
      letters: await lettersPage(db, customer.id, before),
      templates: letterTemplates,
      form,
      subTabs: communications('letters'),
    });
  }

  app.get('/customers/:id/communications/letters', async (request, reply) => {
    const customer = await customerIn(request);
    const chosen = letterTemplate(letterQuery.parse(request.query).template);
    const form = chosen ? emptyForm(fillLetter(chosen, customer, staffOf(request).name)) : undefined;
    return letters(request, reply, customer, form);
  });

  app.post('/customers/:id/letters', async (request, reply) => {
    const customer = await customerIn(request);
    const body = submittedValues(request.body);
    const parsed = parseForm(letterForm, body);
    if (!parsed.ok) return letters(request, reply.code(422), customer, { values: body, errors: parsed.errors });
    const id = await writeLetter(db, staffOf(request), customer.id, parsed.data);
    request.flash('success', 'Letter written. A copy is kept on the Letters tab.');
    return reply.seeOther(`/customers/${customer.id}/letters/${id}`);
  });

  app.get('/customers/:id/letters/:rowId', async (request, reply) => {
    const customer = await customerIn(request);
    const letter = await ownedRow(db, 'letters', customer.id, rowIdFrom(request, 'This record'), 'This letter');
    return renderCustomerTab(db, reply, customer, 'communications', 'customer-module/communications/letter', {
      letter,
      subTabs: communications('letters'),
    });
  });
}
