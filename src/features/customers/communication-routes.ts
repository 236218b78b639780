import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { staffOf } from '../../auth/guards.ts';
import type { CustomerRow } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { beforeQuery, keysetPage } from '../../lib/keyset.ts';
import { StaleEditError } from '../audit/audit.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../customer-module/frame.ts';
import { communicationsSubTabs } from '../customer-module/tabs.ts';
import { fillLetter, letterTemplate, letterTemplates } from './letters.ts';
import {
  addNote,
  assignableUsers,
  assignTicket,
  commentOnTicket,
  openTicket,
  ownedRow,
  setNotePinned,
  setTicketStatus,
  writeLetter,
} from './records.ts';
import { letterForm, noteForm, ticketAssignForm, ticketCommentForm, ticketForm } from './schemas.ts';

const NOTES_PAGE = 25;
const pinForm = z.object({ pinned: z.enum(['true', 'false']).transform((v) => v === 'true') });
const ticketFilter = z.object({ status: z.enum(['open', 'closed']).catch('open').default('open') });
type Form = { values: Record<string, unknown>; errors: FieldErrors; message?: string };
const rowIdOf = (request: FastifyRequest) => rowIdFrom(request, 'This record');

/** Communications (Notes, Letters) and Task Tickets. */
export default async function communicationRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);
  const communications = (current: string) => ({ list: communicationsSubTabs, current });

  /* Notes: pinned notes first, then the newest, a page at a time. */

  async function notes(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    form: Form = { values: {}, errors: {} },
  ) {
    const { before } = beforeQuery.parse(request.query);
    const withAuthor = () =>
      db('notes as n')
        .leftJoin('users as u', 'u.id', 'n.author_user_id')
        .where('n.customer_id', customer.id)
        .select('n.id', 'n.body', 'n.pinned', 'n.created_at', 'u.name as author_name');
    const [pinned, rest] = await Promise.all([
      before ? [] : withAuthor().where('n.pinned', true).orderBy('n.id', 'desc').limit(50),
      withAuthor()
        .where('n.pinned', false)
        .modify((q) => (before ? q.where('n.id', '<', before) : q))
        .orderBy('n.id', 'desc')
        .limit(NOTES_PAGE + 1),
    ]);
    const page = keysetPage(rest, NOTES_PAGE);
    return renderCustomerTab(db, reply, customer, 'communications', 'customers/notes', {
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
    await setNotePinned(db, staffOf(request), customer.id, rowIdOf(request), parsed.data.pinned);
    request.flash('success', parsed.data.pinned ? 'Note pinned.' : 'Note unpinned.');
    return reply.seeOther(`/customers/${customer.id}/communications`);
  });

  /* Letters: written from a template, a copy kept. */

  async function letters(request: FastifyRequest, reply: FastifyReply, customer: CustomerRow, form?: Form) {
    const { before } = beforeQuery.parse(request.query);
    const rows = await db('letters as l')
      .leftJoin('users as u', 'u.id', 'l.author_user_id')
      .where('l.customer_id', customer.id)
      .modify((q) => (before ? q.where('l.id', '<', before) : q))
      .orderBy('l.id', 'desc')
      .limit(NOTES_PAGE + 1)
      .select('l.id', 'l.subject', 'l.template', 'l.created_at', 'u.name as author_name');
    return renderCustomerTab(db, reply, customer, 'communications', 'customers/letters', {
      letters: keysetPage(rows, NOTES_PAGE),
      templates: letterTemplates,
      form,
      subTabs: communications('letters'),
    });
  }

  app.get('/customers/:id/communications/letters', async (request, reply) => {
    const customer = await customerIn(request);
    const chosen = letterTemplate(String((request.query as { template?: string }).template ?? ''));
    const form = chosen ? { values: fillLetter(chosen, customer, staffOf(request).name), errors: {} } : undefined;
    return letters(request, reply, customer, form);
  });

  app.post('/customers/:id/letters', async (request, reply) => {
    const customer = await customerIn(request);
    const body = submittedValues(request.body);
    const parsed = parseForm(
      letterForm.refine((v) => letterTemplate(v.template), {
        message: 'Choose a letter template.',
        path: ['template'],
      }),
      body,
    );
    if (!parsed.ok) return letters(request, reply.code(422), customer, { values: body, errors: parsed.errors });
    const id = await writeLetter(db, staffOf(request), customer.id, parsed.data);
    request.flash('success', 'Letter written. A copy is kept on the Letters tab.');
    return reply.seeOther(`/customers/${customer.id}/letters/${id}`);
  });

  app.get('/customers/:id/letters/:rowId', async (request, reply) => {
    const customer = await customerIn(request);
    const letter = await ownedRow(db, 'letters', customer.id, rowIdOf(request), 'This letter');
    return renderCustomerTab(db, reply, customer, 'communications', 'customers/letter', {
      letter,
      subTabs: communications('letters'),
    });
  });

  /* Task Tickets: open, assign, comment, close. */

  async function tickets(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    form: Form = { values: {}, errors: {} },
  ) {
    const { status } = ticketFilter.parse(request.query);
    const { before } = beforeQuery.parse(request.query);
    const [rows, staff] = await Promise.all([
      db('tickets as t')
        .leftJoin('users as u', 'u.id', 't.assignee_user_id')
        .where({ 't.customer_id': customer.id, 't.status': status })
        .modify((q) => (before ? q.where('t.id', '<', before) : q))
        .orderBy('t.id', 'desc')
        .limit(NOTES_PAGE + 1)
        .select('t.id', 't.subject', 't.status', 't.created_at', 't.closed_at', 'u.name as assignee_name'),
      assignableUsers(db, staffOf(request), customer),
    ]);
    return renderCustomerTab(db, reply, customer, 'tickets', 'customers/tickets', {
      tickets: keysetPage(rows, NOTES_PAGE),
      status,
      staff,
      form,
    });
  }

  app.get('/customers/:id/tickets', async (request, reply) => tickets(request, reply, await customerIn(request)));

  app.post('/customers/:id/tickets', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(ticketForm, submittedValues(request.body));
    const result = parsed.ok
      ? await openTicket(db, staffOf(request), customer, parsed.data)
      : { errors: parsed.errors };
    if ('errors' in result)
      return tickets(request, reply.code(422), customer, {
        values: submittedValues(request.body),
        errors: result.errors!,
      });
    request.flash('success', 'Ticket opened.');
    return reply.seeOther(`/customers/${customer.id}/tickets/${result.id}`);
  });

  async function ticket(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    forms: { comment?: Form; assign?: Form } = {},
  ) {
    const row = await ownedRow<
      Record<string, unknown> & { id: number; version: number; assignee_user_id: number | null }
    >(db, 'tickets', customer.id, rowIdOf(request), 'This ticket');
    const [comments, staff, opener] = await Promise.all([
      db('ticket_comments as c')
        .leftJoin('users as u', 'u.id', 'c.author_user_id')
        .where('c.ticket_id', row.id)
        .orderBy('c.id')
        .limit(500)
        .select('c.id', 'c.body', 'c.created_at', 'u.name as author_name'),
      assignableUsers(db, staffOf(request), customer),
      db('users')
        .where({ id: row.opened_by_user_id ?? null })
        .first('name'),
    ]);
    return renderCustomerTab(db, reply, customer, 'tickets', 'customers/ticket', {
      ticket: row,
      openedBy: opener?.name ?? null,
      comments,
      staff,
      commentForm: forms.comment ?? { values: {}, errors: {} },
      assignForm: forms.assign ?? {
        values: { assignee_user_id: row.assignee_user_id ?? '', version: row.version },
        errors: {},
      },
    });
  }

  app.get('/customers/:id/tickets/:rowId', async (request, reply) => ticket(request, reply, await customerIn(request)));

  app.post('/customers/:id/tickets/:rowId/comments', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(ticketCommentForm, submittedValues(request.body));
    if (!parsed.ok)
      return ticket(request, reply.code(422), customer, {
        comment: { values: submittedValues(request.body), errors: parsed.errors },
      });
    await commentOnTicket(db, staffOf(request), customer.id, rowIdOf(request), parsed.data.body);
    request.flash('success', 'Comment added.');
    return reply.seeOther(`/customers/${customer.id}/tickets/${rowIdOf(request)}`);
  });

  app.post('/customers/:id/tickets/:rowId/assign', async (request, reply) => {
    const customer = await customerIn(request);
    const body = submittedValues(request.body);
    const parsed = parseForm(ticketAssignForm, body);
    try {
      const errors = parsed.ok
        ? await assignTicket(db, staffOf(request), customer, rowIdOf(request), parsed.data)
        : parsed.errors;
      if (errors) return ticket(request, reply.code(422), customer, { assign: { values: body, errors } });
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      return ticket(request, reply.code(409), customer, {
        assign: { values: { ...body, version: error.current.version }, errors: {}, message: error.message },
      });
    }
    request.flash('success', 'Ticket assigned.');
    return reply.seeOther(`/customers/${customer.id}/tickets/${rowIdOf(request)}`);
  });

  for (const [action, status, message] of [
    ['close', 'closed', 'Ticket closed.'],
    ['reopen', 'open', 'Ticket reopened.'],
  ] as const) {
    app.post(`/customers/:id/tickets/:rowId/${action}`, async (request, reply) => {
      const customer = await customerIn(request);
      await setTicketStatus(db, staffOf(request), customer.id, rowIdOf(request), status);
      request.flash('success', message);
      return reply.seeOther(`/customers/${customer.id}/tickets/${rowIdOf(request)}`);
    });
  }
}
